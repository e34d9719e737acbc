package eu.mlsysops.protocol.grpc;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter: the n-th delay is drawn uniformly from [d/2, d] where d =
 * min(max, initial × 2^n), so retries of many agents spread out and never exceed the cap.
 */
final class Backoff {
  private final long initialNanos;
  private final long maxNanos;
  private final RandomGenerator random;
  private int attempt;

  Backoff(Duration initial, Duration max, RandomGenerator random) {
    this.initialNanos = initial.toNanos();
    this.maxNanos = max.toNanos();
    this.random = random;
  }

  long nextNanos() {
    int shift = Math.min(attempt, 30);
    long d = initialNanos > (maxNanos >> shift) ? maxNanos : Math.min(maxNanos, initialNanos << shift);
    attempt++;
    long half = d / 2;
    return half + random.nextLong(d - half + 1);
  }

  void reset() {
    attempt = 0;
  }
}
