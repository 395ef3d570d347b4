package gongji.server.gateway;

/** Told of every refused attempt that looks like fraud, for alerts and metrics. Must not block. */
public interface FraudObserver {
  FraudObserver NONE = (kind, institution, detail) -> {};

  /** {@code kind} is an outcome name such as IMPERSONATION. */
  void alert(String kind, String institution, String detail);

  /** An attempt of {@code kind} refused as usual but not recorded as an alert: its terminal was over its alert rate. */
  default void suppressed(String kind, String institution) {}
}
