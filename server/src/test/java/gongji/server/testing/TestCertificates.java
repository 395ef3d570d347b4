package gongji.server.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for tests, made by the {@code openssl} command in a directory: certificate
 * authorities and leaf certificates (P-256 keys, PEM) with the subjectAltName a test asks for.
 */
public final class TestCertificates {
  private final Path dir;

  public TestCertificates(Path dir) {
    this.dir = dir;
  }

  /** A self-signed CA, {@code name}.pem and {@code name}.key. */
  public TestCertificates ca(String name) throws IOException, InterruptedException {
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
        name + ".key", "-out", name + ".pem", "-days", "2", "-subj", "/CN=" + name);
    return this;
  }

  /**
   * A certificate {@code name}.pem and key {@code name}.key issued by {@code ca}, valid for
   * {@code days} (negative: already expired), with {@code subjectAltName} (e.g.
   * {@code URI:gongji:institution/P62010200017/terminal/POS01}; empty for none).
   */
  public TestCertificates leaf(String name, String ca, int days, String subjectAltName)
      throws IOException, InterruptedException {
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", name + ".key",
        "-out", name + ".csr", "-subj", "/CN=" + name);
    List<String> args = new ArrayList<>(List.of("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey",
        ca + ".key", "-CAcreateserial", "-out", name + ".pem", "-days", Integer.toString(days)));
    if (!subjectAltName.isEmpty()) {
      Files.writeString(dir.resolve(name + ".ext"), "subjectAltName=" + subjectAltName + "\n");
      args.addAll(List.of("-extfile", name + ".ext"));
    }
    openssl(args.toArray(String[]::new));
    return this;
  }

  /** The path of a file made here. */
  public String file(String name) {
    return dir.resolve(name).toString();
  }

  private void openssl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("openssl " + String.join(" ", args) + " failed: " + output);
    }
  }
}
