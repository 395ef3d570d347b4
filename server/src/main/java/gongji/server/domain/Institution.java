package gongji.server.domain;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/** A designated institution (`fixmedins_code`) and the terminals allowed to call for it. */
public record Institution(String code, String name, Set<String> terminalIds) {
  public Institution {
    requireNonNull(code, "code");
    requireNonNull(name, "name");
    terminalIds = Set.copyOf(terminalIds);
  }

  /** The 6-digit area code inside the institution code: the place of treatment. */
  public String admdvs() {
    return code.substring(1, 7);
  }
}
