package gongji.server;

import static java.util.Objects.requireNonNull;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;

/**
 * {@code gongji serve} run inside this JVM on a host clock of the caller's, until {@link #close}: the
 * same flags, settings, data directory, demo data, guide and shutdown as the launcher's, for tests
 * that go through what a newcomer types (the README walkthrough) at an hour of their choosing. The
 * JVM's shutdown hook is left alone: {@link #close} runs the shutdown a SIGTERM would.
 */
public final class ServeInProcess implements AutoCloseable {
  private final Thread thread;
  private final CompletableFuture<Integer> exit;
  private final AtomicReference<Runnable> shutdown;
  private final String target;
  private final String adminTarget;

  private ServeInProcess(Thread thread, CompletableFuture<Integer> exit, AtomicReference<Runnable> shutdown,
      String target, String adminTarget) {
    this.thread = thread;
    this.exit = exit;
    this.shutdown = shutdown;
    this.target = target;
    this.adminTarget = adminTarget;
  }

  /**
   * Runs {@code serve args} on a thread of its own and returns once it listens and has printed its
   * guide to {@code out}.
   *
   * @param hostClock the clock the gateway takes for the host's (a sandbox runs ahead of it)
   * @param startTimeout how long the start may take
   * @throws IllegalStateException if the command ended without listening (bad flags, a damaged data
   *     directory: what it printed to {@code err} says why), with its exit status
   */
  public static ServeInProcess start(InstantSource hostClock, PrintStream out, PrintStream err, Duration startTimeout,
      String... args) throws InterruptedException, TimeoutException {
    requireNonNull(hostClock, "hostClock");
    CompletableFuture<String[]> listening = new CompletableFuture<>();
    AtomicReference<Runnable> shutdown = new AtomicReference<>();
    CommandLine line = Commands.strict(ServeCommand.commandLine(out, hostClock, new ServeCommand.Lifecycle() {
      @Override
      public void onStop(Runnable stop) {
        shutdown.set(stop);
      }

      @Override
      public void listening(String target, String adminTarget) {
        listening.complete(new String[] {target, adminTarget});
      }
    }));
    line.setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true));
    line.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    Thread thread = new Thread(() -> {
      try {
        exit.complete(line.execute(args));
      } catch (Throwable t) {
        exit.completeExceptionally(t);
      }
    }, "gongji-serve-in-process");
    thread.setDaemon(true);
    thread.start();
    try {
      CompletableFuture.anyOf(listening, exit).get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("serve failed before it listened", e.getCause());
    }
    if (!listening.isDone()) {
      throw new IllegalStateException("serve ended before it listened, exit status " + exit.join());
    }
    String[] at = listening.join();
    return new ServeInProcess(thread, exit, shutdown, at[0], at[1]);
  }

  /** "host:port" of the terminals' gRPC port. */
  public String target() {
    return target;
  }

  /** "host:port" of the back office's gRPC port. */
  public String adminTarget() {
    return adminTarget;
  }

  /** Stops the gateway as SIGTERM would (NOT_SERVING, drain, close the ledger) and waits for the command to end. */
  @Override
  public void close() throws Exception {
    Runnable stop = shutdown.getAndSet(null);
    if (stop != null) {
      stop.run();
    }
    exit.get(30, TimeUnit.SECONDS);
    thread.join(TimeUnit.SECONDS.toMillis(5));
  }
}
