package eu.mlsysops.agent.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FailureDetectorTest {
  private static final Duration SECOND = Duration.ofSeconds(1);
  private static final Duration TICK = Duration.ofMillis(250);
  /** This process's monotonic time, driven by the test. */
  private final AtomicLong nanos = new AtomicLong();

  private FailureDetector detector(long startMillis) {
    return new FailureDetector(SECOND, 3, TICK, startMillis, nanos::get);
  }

  /** Ticks every 250 ms of this process's time from {@code fromMillis} to {@code toMillis}. */
  private void tickThrough(FailureDetector d, long fromMillis, long toMillis) {
    for (long t = fromMillis; t <= toMillis; t += TICK.toMillis()) {
      nanos.set(t * 1_000_000);
      d.tick();
    }
  }

  @Test
  void regularHeartbeatsAreSuspectedAtTheFloorOfMissedHeartbeats() {
    FailureDetector d = detector(0);
    FailureDetector.Peer p = d.peer(0);
    for (long t = 1_000; t <= 20_000; t += 1_000) {
      p.heartbeat(t);
    }
    tickThrough(d, 0, 23_100);
    assertThat(d.suspects(p, 22_900)).isFalse(); // 2.9 s of silence: under 3 missed
    assertThat(d.suspects(p, 23_100)).isTrue();
    assertThat(p.phi(23_100)).isGreaterThan(FailureDetector.THRESHOLD);
  }

  @Test
  void irregularHeartbeatsGetMoreTimeBeforeTheyAreSuspected() {
    FailureDetector d = detector(0);
    FailureDetector.Peer p = d.peer(0);
    Random random = new Random(42);
    long t = 0;
    for (int i = 0; i < 100; i++) {
      t += 300 + random.nextInt(1_800); // a peer on a busy host: 0.3 to 2.1 s apart
      p.heartbeat(t);
    }
    tickThrough(d, 0, t + 6_000);
    assertThat(d.suspects(p, t + 3_100)).isFalse();
    long firstSuspected = t + 3_100;
    while (!d.suspects(p, firstSuspected)) {
      firstSuspected += 100;
    }
    assertThat(firstSuspected - t).isBetween(3_500L, 6_000L);
  }

  @Test
  void aStallOfThisProcessIsNotCountedAsSilence() {
    FailureDetector d = detector(0);
    FailureDetector.Peer p = d.peer(0);
    for (long t = 1_000; t <= 10_000; t += 1_000) {
      p.heartbeat(t);
    }
    tickThrough(d, 0, 10_000);
    // The process stalls for 5 s (no tick runs); the peer's heartbeats wait in line meanwhile.
    nanos.set(15_250L * 1_000_000);
    assertThat(d.tick()).isEqualTo(5_000);
    assertThat(d.stalls()).isEqualTo(1);
    assertThat(p.silentMillis(15_250)).isEqualTo(250);
    assertThat(d.suspects(p, 15_250)).isFalse();
    // Silence after the stall still counts.
    tickThrough(d, 15_250, 18_500);
    assertThat(d.suspects(p, 18_500)).isTrue();
  }

  @Test
  void heartbeatsAfterAStallStartTheCountAfresh() {
    FailureDetector d = detector(0);
    FailureDetector.Peer p = d.peer(0);
    tickThrough(d, 0, 2_000);
    nanos.set(7_000L * 1_000_000);
    d.tick();
    p.heartbeat(7_000);
    assertThat(p.silentMillis(9_000)).isEqualTo(2_000);
  }

  @Test
  void noPeerIsJudgedWithinTheFloorAfterStart() {
    FailureDetector d = detector(100_000);
    FailureDetector.Peer p = d.peer(90_000); // restored, last heard from long ago
    tickThrough(d, 100_000, 103_000);
    assertThat(d.suspects(p, 102_900)).isFalse();
    assertThat(d.suspects(p, 103_100)).isTrue();
  }

  @Test
  void silenceShorterThanTheMeanIsNoEvidence() {
    FailureDetector d = detector(0);
    FailureDetector.Peer p = d.peer(0);
    for (long t = 1_000; t <= 10_000; t += 1_000) {
      p.heartbeat(t);
    }
    assertThat(p.phi(10_500)).isLessThan(1.0);
  }
}
