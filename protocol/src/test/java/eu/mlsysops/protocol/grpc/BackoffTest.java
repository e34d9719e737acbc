package eu.mlsysops.protocol.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private static final long MS = 1_000_000L;

  @Test
  void doublesWithJitterUpToTheCapAndStartsOverAfterReset() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), new Random(42));
    long[] ceilings = {100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000};
    for (long ceiling : ceilings) {
      long d = b.nextNanos();
      assertThat(d).isBetween(ceiling * MS / 2, ceiling * MS);
    }
    for (int i = 0; i < 100; i++) {
      assertThat(b.nextNanos()).isBetween(2500 * MS, 5000 * MS);
    }
    b.reset();
    assertThat(b.nextNanos()).isBetween(50 * MS, 100 * MS);
  }

  @Test
  void manyAgentsDoNotRetryInLockstep() {
    long first = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(5), new Random(1)).nextNanos();
    long second = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(5), new Random(2)).nextNanos();
    assertThat(first).isNotEqualTo(second);
  }
}
