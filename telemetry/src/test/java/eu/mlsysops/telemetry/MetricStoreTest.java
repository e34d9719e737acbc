package eu.mlsysops.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricStoreTest {
  private final Clock clock = Clock.fixed(Instant.ofEpochMilli(100_000), ZoneOffset.UTC);

  @Test
  void latestReturnsTheNewestSampleOfMatchingSeries() {
    MetricStore s = new MetricStore(clock, 10, 100);
    s.append(new Sample("cpu", Labels.of("node", "a"), 1_000, 0.1));
    s.append(new Sample("cpu", Labels.of("node", "b"), 2_000, 0.7));
    s.append(new Sample("cpu", Labels.of("node", "a"), 3_000, 0.3));

    assertThat(s.latest("cpu", Map.of("node", "a"))).hasValue(0.3);
    assertThat(s.latest("cpu", Map.of())).hasValue(0.3);
    assertThat(s.latest("cpu", Map.of("node", "c"))).isEmpty();
    assertThat(s.latest("mem", Map.of())).isEmpty();
  }

  @Test
  void windowQueriesCoverOnlyRecentSamples() {
    MetricStore s = new MetricStore(clock, 100, 100);
    s.append(new Sample("lat", Labels.of("i", "1"), 80_000, 1000));
    s.append(new Sample("lat", Labels.of("i", "1"), 97_000, 10));
    s.append(new Sample("lat", Labels.of("i", "2"), 99_000, 30));

    assertThat(s.avgOverWindow("lat", Map.of(), Duration.ofSeconds(5))).hasValue(20);
    assertThat(s.maxOverWindow("lat", Map.of(), Duration.ofSeconds(5))).hasValue(30);
    assertThat(s.range("lat", Map.of("i", "1"), Duration.ofSeconds(30)).get(0).samples())
        .extracting(Sample::value).containsExactly(1000.0, 10.0);
  }

  @Test
  void ringBufferKeepsTheNewestSamples() {
    MetricStore s = new MetricStore(clock, 3, 100);
    for (int i = 1; i <= 5; i++) {
      s.append(new Sample("m", Labels.EMPTY, 99_000 + i, i));
    }
    assertThat(s.range("m", Map.of(), Duration.ofMinutes(1)).get(0).samples())
        .extracting(Sample::value).containsExactly(3.0, 4.0, 5.0);
  }

  @Test
  void newSeriesBeyondTheCardinalityLimitAreRejectedAndCounted() {
    MetricStore s = new MetricStore(clock, 3, 2);
    assertThat(s.append(new Sample("m", Labels.of("k", "1"), 1, 1))).isTrue();
    assertThat(s.append(new Sample("m", Labels.of("k", "2"), 1, 1))).isTrue();
    assertThat(s.append(new Sample("m", Labels.of("k", "3"), 1, 1))).isFalse();
    assertThat(s.append(new Sample("m", Labels.of("k", "1"), 2, 2))).isTrue();
    assertThat(s.rejectedSamples()).isEqualTo(1);
    assertThat(s.seriesCount()).isEqualTo(2);
  }

  @Test
  void anAppFloodingNewSeriesStopsAtItsBudgetWhileOtherAppsGetNewOnes() {
    MetricStore s = MetricStore.builder().clock(clock).maxSeries(100).build(); // 25 per app
    for (int i = 0; i < 40; i++) {
      s.append(new Sample("spam", Labels.of("app", "flood", "k", Integer.toString(i)), 1, 1));
    }
    assertThat(s.seriesPerApp()).containsEntry("flood", 25);
    assertThat(s.rejectedOverAppBudget()).isEqualTo(15);
    assertThat(s.refusedBySource())
        .isEqualTo(Map.of(new MetricStore.BudgetSource("flood", null), 15L));
    assertThat(s.append(new Sample("latency_ms", Labels.of("app", "calm"), 1, 30))).isTrue();
    assertThat(s.append(new Sample("node_cpu", Labels.of("node", "n1"), 1, 0.5))).isTrue();
    assertThat(s.append(new Sample("spam", Labels.of("app", "flood", "k", "0"), 2, 2)))
        .as("its existing series keep taking samples").isTrue();
  }

  @Test
  void theAgentsOwnSeriesAboutAFullAppAreNotRefusedByItsBudget() {
    MetricStore s = MetricStore.builder().clock(clock).maxSeries(100).build(); // 25 per app
    for (int i = 0; i < 30; i++) {
      s.append(new Sample("spam", Labels.of("app", "flood", "k", Integer.toString(i)), 1, 1));
    }
    assertThat(s.append(new Sample("mls_telemetry_dropped_total",
        Labels.of("app", "flood", "reason", "app_budget"), 1, 5))).isTrue();
    assertThat(s.seriesPerApp()).containsEntry("flood", 25);
    s.removeSeries(Map.of("app", "flood"));
    assertThat(s.seriesPerApp().getOrDefault("flood", 0)).isZero();
  }

  @Test
  void aFloodingInstanceLeavesTheLastQuarterOfItsAppsBudgetToTheOtherInstances() {
    MetricStore s = MetricStore.builder().clock(clock).maxSeries(400).build(); // 100 per app,
    for (int i = 0; i < 90; i++) { // 25 per instance once the app holds 75
      s.append(new Sample("spam", Labels.of("app", "shop", "instance", "shop/web/0", "k",
          Integer.toString(i)), 1, 1));
    }
    // Alone, it used what its app had room for; past three quarters, its share ran out.
    assertThat(s.seriesPerApp()).containsEntry("shop", 75);
    assertThat(s.rejectedOverInstanceBudget()).isEqualTo(15);
    assertThat(s.refusedBySource())
        .isEqualTo(Map.of(new MetricStore.BudgetSource("shop", "shop/web/0"), 15L));
    for (int i = 0; i < 25; i++) {
      assertThat(s.append(new Sample("latency_ms", Labels.of("app", "shop", "instance",
          "shop/web/1", "k", Integer.toString(i)), 1, 30))).as("the app's other instance")
          .isTrue();
    }
    assertThat(s.rejectedOverAppBudget()).isZero();
  }

  @Test
  void nonFiniteValuesAreDroppedAndCounted() {
    MetricStore s = new MetricStore(clock, 3, 10);
    assertThat(s.append(new Sample("m", Labels.EMPTY, 1, Double.NaN))).isFalse();
    assertThat(s.append(new Sample("m", Labels.EMPTY, 1, Double.POSITIVE_INFINITY))).isFalse();
    assertThat(s.droppedNonFinite()).isEqualTo(2);
    assertThat(s.latest("m", Map.of())).isEmpty();
  }

  @Test
  void subscribersHearOnlyTheirMetricUntilTheyUnsubscribe() throws Exception {
    MetricStore s = new MetricStore(clock, 3, 10);
    List<Sample> heard = new ArrayList<>();
    AutoCloseable sub = s.subscribe("a", heard::add);
    s.append(new Sample("a", Labels.EMPTY, 1, 1));
    s.append(new Sample("b", Labels.EMPTY, 1, 1));
    sub.close();
    s.append(new Sample("a", Labels.EMPTY, 2, 2));
    assertThat(heard).extracting(Sample::value).containsExactly(1.0);
  }

  @Test
  void labelsCompareByContentNotOrder() {
    assertThat(Labels.of("a", "1", "b", "2")).isEqualTo(Labels.of("b", "2", "a", "1"));
    assertThat(Labels.of("a", "1").matches(Map.of("a", "1"))).isTrue();
    assertThat(Labels.of("a", "1").matches(Map.of("a", "2"))).isFalse();
  }
}
