package gongji.server.grpc;

import static java.util.Objects.requireNonNull;

import gongji.server.text.SafeText;
import java.util.Locale;

/**
 * Who is calling, as a credential proves it: a terminal of an institution, or the agency's back
 * office in a role. The same text names a principal in the bearer tokens file and, behind the
 * {@value #URI_SCHEME} scheme, in the subjectAltName URI of a client certificate:
 *
 * <pre>
 *   P62010200017/POS01        gongji:institution/P62010200017/terminal/POS01   one terminal
 *   P62010200017              gongji:institution/P62010200017                  any terminal of the institution (an HIS)
 *   admin:clerk:wang          gongji:admin/wang/role/clerk                     the agency's clerk: reads and changes
 *   admin:auditor:li          gongji:admin/li/role/auditor                     an auditor: reads only
 * </pre>
 */
sealed interface Principal {
  String URI_SCHEME = "gongji:";

  /** How the caller proved it, for the log: "token sha256:1a2b3c4d" or "certificate serial 1f". */
  String source();

  /** A terminal: {@code terminalId} null means any terminal of the institution. */
  record Terminal(String institution, String terminalId, String source) implements Principal {
    public Terminal {
      requireNonNull(institution, "institution");
      requireNonNull(source, "source");
    }

    @Override
    public String toString() {
      return institution + (terminalId == null ? "" : "/" + terminalId);
    }
  }

  /** The agency's back office. */
  record Admin(String name, Role role, String source) implements Principal {
    public Admin {
      requireNonNull(name, "name");
      requireNonNull(role, "role");
      requireNonNull(source, "source");
    }

    @Override
    public String toString() {
      return "admin:" + role.name().toLowerCase(Locale.ROOT) + ":" + name;
    }
  }

  /** What an admin principal may do. */
  enum Role {
    /** Reads and changes (registers, credits, binds, pays out). */
    CLERK,
    /** Reads only (Get*, List*, Reconcile). */
    AUDITOR
  }

  /**
   * The principal a tokens file names ({@code P62010200017/POS01}, {@code P62010200017},
   * {@code admin:clerk:NAME}, {@code admin:auditor:NAME}, or {@code admin} for a clerk named admin).
   *
   * @throws IllegalArgumentException naming what was expected
   */
  static Principal parse(String text, String source) {
    if (text.equals("admin")) {
      return new Admin("admin", Role.CLERK, source);
    }
    if (text.startsWith("admin:")) {
      String[] parts = text.split(":", -1);
      if (parts.length == 3 && NAME.matches(parts[2])) {
        return new Admin(parts[2], role(parts[1], text), source);
      }
      throw new IllegalArgumentException("\"" + SafeText.escape(text) + "\" (expected: admin:clerk:NAME or admin:auditor:NAME, NAME of"
          + " [A-Za-z0-9_-])");
    }
    int slash = text.indexOf('/');
    String institution = slash < 0 ? text : text.substring(0, slash);
    String terminal = slash < 0 ? null : text.substring(slash + 1);
    if (!Validator.INSTITUTION.matches(institution) || (terminal != null && !Validator.TERMINAL_ID.matches(terminal))) {
      throw new IllegalArgumentException("\"" + SafeText.escape(text) + "\" (expected: P62010200017/POS01, P62010200017,"
          + " admin:clerk:NAME or admin:auditor:NAME)");
    }
    return new Terminal(institution, terminal, source);
  }

  /**
   * The principal a certificate's subjectAltName URI names: {@code gongji:institution/CODE/terminal/ID},
   * {@code gongji:institution/CODE} or {@code gongji:admin/NAME/role/clerk|auditor}.
   *
   * @throws IllegalArgumentException naming what was expected
   */
  static Principal parseUri(String uri, String source) {
    String[] p = uri.startsWith(URI_SCHEME) ? uri.substring(URI_SCHEME.length()).split("/", -1) : new String[0];
    if (p.length == 4 && p[0].equals("institution") && p[2].equals("terminal")) {
      return parse(p[1] + "/" + p[3], source);
    }
    if (p.length == 2 && p[0].equals("institution")) {
      return parse(p[1], source);
    }
    if (p.length == 4 && p[0].equals("admin") && p[2].equals("role")) {
      return parse("admin:" + p[3] + ":" + p[1], source);
    }
    throw new IllegalArgumentException("certificate URI \"" + SafeText.escape(uri) + "\" (expected: "
        + URI_SCHEME + "institution/CODE/terminal/ID, " + URI_SCHEME + "institution/CODE or " + URI_SCHEME
        + "admin/NAME/role/clerk|auditor)");
  }

  private static Role role(String role, String text) {
    return switch (role) {
      case "clerk" -> Role.CLERK;
      case "auditor" -> Role.AUDITOR;
      default -> throw new IllegalArgumentException(
          "\"" + SafeText.escape(text) + "\": role " + SafeText.escape(role) + " (expected: clerk or auditor)");
    };
  }

  /** [A-Za-z0-9_-]{1,32}: the name of an admin. */
  Validator.Shape NAME = Validator.TERMINAL_ID;
}
