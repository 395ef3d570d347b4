package gongji.loadtest.run;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import gongji.v1.Terminal;
import io.grpc.CallCredentials;
import io.grpc.Metadata;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bearer tokens a run presents: one for the back office, and for terminal calls either one token
 * for all or one per institution or terminal, picked by the terminal named in the request.
 *
 * <p>The gateway takes the caller's institution and terminal from its credential and refuses a body
 * that names another ({@code PERMISSION_DENIED}), so a scenario that rotates over several terminals
 * needs a token for each one (or an institution-wide token). {@code --token} is therefore repeatable:
 * {@code INSTITUTION/TERMINAL=TOKEN} (one terminal), {@code INSTITUTION=TOKEN} (every terminal of an
 * institution), or a bare {@code TOKEN} (any terminal no other entry names). The most specific match
 * wins; a terminal call that none matches goes without a credential.
 */
final class Credentials {
  /** Sends {@code authorization: Bearer <token>}, as the SDK's {@code BearerToken} does. */
  private static final class Bearer extends CallCredentials {
    private static final Metadata.Key<String> AUTHORIZATION =
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final Metadata headers = new Metadata();

    Bearer(String token) {
      headers.put(AUTHORIZATION, "Bearer " + token);
    }

    @Override
    public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
      Metadata copy = new Metadata();
      copy.merge(headers);
      applier.apply(copy);
    }
  }

  static final Credentials NONE = new Credentials(List.of(), null);

  /** {@code INSTITUTION} or {@code INSTITUTION/TERMINAL}, then {@code =} and a non-empty token. */
  private static final Pattern KEYED = Pattern.compile("([A-Z][A-Z0-9]{2,31})(?:/([A-Za-z0-9_.-]{1,32}))?=(.+)");

  private final CallCredentials admin;
  private final CallCredentials anyTerminal;
  private final Map<String, CallCredentials> byTerminal = new HashMap<>();
  private final Map<String, CallCredentials> byInstitution = new HashMap<>();
  /** The {@code terminal} field of each request type, looked up once; empty when it has none. */
  private final Map<Descriptor, Optional<FieldDescriptor>> terminalField = new ConcurrentHashMap<>();

  /** {@code terminalTokens}: the values of {@code --token}; {@code adminToken}: null for none. */
  Credentials(List<String> terminalTokens, String adminToken) {
    CallCredentials any = null;
    for (String spec : terminalTokens) {
      requireNonNull(spec, "--token");
      Matcher m = KEYED.matcher(spec);
      if (m.matches()) {
        Map<String, CallCredentials> into = m.group(2) == null ? byInstitution : byTerminal;
        String key = m.group(2) == null ? m.group(1) : m.group(1) + "/" + m.group(2);
        if (into.put(key, new Bearer(m.group(3))) != null) {
          throw new IllegalArgumentException("--token: two tokens for " + key);
        }
      } else {
        check(!spec.isBlank() && spec.chars().noneMatch(c -> c <= ' ' || c >= 0x7f),
            "--token: a token is printable ASCII without spaces (got %s characters)", spec.length());
        check(any == null, "--token: more than one token for any terminal (name the terminal: INSTITUTION/TERMINAL=TOKEN)");
        any = new Bearer(spec);
      }
    }
    this.anyTerminal = any;
    if (adminToken != null) {
      check(!adminToken.isBlank() && adminToken.chars().noneMatch(c -> c <= ' ' || c >= 0x7f),
          "--admin-token: a token is printable ASCII without spaces");
    }
    this.admin = adminToken == null ? null : new Bearer(adminToken);
  }

  /** True when every terminal call gets the same credential (or none), so no request needs reading. */
  private boolean single() {
    return byTerminal.isEmpty() && byInstitution.isEmpty();
  }

  /** The back office's credential, or null. */
  CallCredentials admin() {
    return admin;
  }

  /** The credential of a terminal call, chosen by the terminal its request names; null for none. */
  CallCredentials terminal(Object request) {
    if (single()) {
      return anyTerminal;
    }
    Terminal t = terminalOf(request);
    if (t != null) {
      CallCredentials c = byTerminal.get(t.getFixmedinsCode() + "/" + t.getTerminalId());
      if (c != null) {
        return c;
      }
      c = byInstitution.get(t.getFixmedinsCode());
      if (c != null) {
        return c;
      }
    }
    return anyTerminal;
  }

  private Terminal terminalOf(Object request) {
    if (!(request instanceof Message message)) {
      return null;
    }
    Optional<FieldDescriptor> field = terminalField.computeIfAbsent(message.getDescriptorForType(), d ->
        Optional.ofNullable(d.findFieldByName("terminal"))
            .filter(f -> f.getType() == FieldDescriptor.Type.MESSAGE
                && f.getMessageType().equals(Terminal.getDescriptor()) && !f.isRepeated()));
    return field.map(f -> (Terminal) message.getField(f)).orElse(null);
  }

  private static void check(boolean ok, String template, Object... args) {
    if (!ok) {
      throw new IllegalArgumentException(String.format(template, args));
    }
  }
}
