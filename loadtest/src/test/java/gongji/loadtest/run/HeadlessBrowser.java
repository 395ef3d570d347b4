package gongji.loadtest.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's Chromium, headless, for reading back what a page shows: {@link #dom} opens a file as the
 * browser does and returns the document it built. The browser is found, or installed, by
 * {@code loadtest/chromium.sh} (the module's directory is where Maven runs the tests).
 */
final class HeadlessBrowser {
  /** How long the script may take to install the browser (the package lists and about 100 MB of packages fetched). */
  private static final long INSTALL_SECONDS = 600;
  /** How long a page may take to open. */
  private static final long OPEN_SECONDS = 60;

  private static String path;

  private HeadlessBrowser() {}

  /** The document Chromium built from {@code page}, serialized ({@code --dump-dom}). */
  static String dom(Path page) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory("gongji-chromium");
    // Flags of a browser on a machine with no network: nothing fetched in the background, no sandbox as root.
    List<String> command = List.of(browser(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + profile, "--dump-dom", page.toUri().toString());
    try {
      Output out = execute(command, OPEN_SECONDS);
      if (out.code != 0 || out.stdout.isBlank()) {
        throw new IOException("chromium could not open " + page + " (exit " + out.code + "): " + out.stderr);
      }
      return out.stdout;
    } finally {
      try (Stream<Path> files = Files.walk(profile)) { // the browser's profile: caches, a few MB
        for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(f);
        }
      }
    }
  }

  private static synchronized String browser() throws IOException, InterruptedException {
    if (path == null) {
      Output out = execute(List.of("bash", Path.of("chromium.sh").toAbsolutePath().toString()), INSTALL_SECONDS);
      if (out.code != 0) {
        throw new IOException("loadtest/chromium.sh found no browser (exit " + out.code + "): " + out.stderr);
      }
      path = out.stdout.strip();
    }
    return path;
  }

  private record Output(int code, String stdout, String stderr) {}

  private static Output execute(List<String> command, long seconds) throws IOException, InterruptedException {
    Path stdout = Files.createTempFile("gongji-chromium", ".out");
    Path stderr = Files.createTempFile("gongji-chromium", ".err");
    try {
      Process p = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
        throw new IOException(command.get(0) + " did not finish in " + seconds + " s");
      }
      String err = Files.readString(stderr, StandardCharsets.UTF_8);
      return new Output(p.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
          err.length() > 4_000 ? err.substring(err.length() - 4_000) : err);
    } finally {
      Files.deleteIfExists(stdout);
      Files.deleteIfExists(stderr);
    }
  }
}
