package eu.mlsysops.agent.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.Sample;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TierStoresTest {
  private static final long T = 1_000_000;

  /** A series reporting every second until {@code T}. */
  private static MetricStore reportingUntilT() {
    MetricStore store = TierStores.node(Clock.fixed(Instant.ofEpochMilli(T), ZoneOffset.UTC));
    for (int i = 10; i >= 0; i--) {
      store.append(new Sample("queue", Labels.of("instance", "a/b/0"), T - 1000L * i, i));
    }
    return store;
  }

  @Test
  void aSilentSeriesEndsAfterTheConfiguredNumberOfItsIntervals() {
    MetricStore five = reportingUntilT();
    TierStores.SilenceSweep afterFive = new TierStores.SilenceSweep(five, 0, 5);
    afterFive.run(T + 4_000);
    assertThat(five.latest("queue", Map.of())).as("4 s of silence at 1 s: not yet").isPresent();
    afterFive.run(T + 6_000);
    assertThat(five.latest("queue", Map.of())).as("6 s: stopped").isEmpty();

    MetricStore two = reportingUntilT();
    new TierStores.SilenceSweep(two, 0, AgentEnvironment.DEFAULT_STALE_AFTER_INTERVALS)
        .run(T + 4_000);
    assertThat(two.latest("queue", Map.of())).as("the default: two intervals").isEmpty();
  }

  @Test
  void theIntervalsAreBoundedAndSayWhichSettingIsWrong() {
    assertThatThrownBy(() -> EmbeddedContinuum.builder(Path.of("unused"))
        .staleAfterIntervals(0)).hasMessageContaining("must be 1 to 100, got 0");
  }
}
