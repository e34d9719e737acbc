package eu.mlsysops.telemetry.query;

import static org.assertj.core.api.Assertions.assertThat;

import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.prometheus.PrometheusExposition;
import eu.mlsysops.telemetry.query.QueryResult.Element;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Staleness markers: a series that ended leaves instant reads at once and keeps its past. */
class StalenessTest {
  private static final long NOW = 60_000;
  private static final Labels A = Labels.of("instance", "app/c/0", "node", "n1");
  private static final Labels B = Labels.of("instance", "app/c/1", "node", "n2");

  private final MetricStore store = MetricStore.builder()
      .clock(Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC))
      .build();
  private final QueryEngine engine = new QueryEngine(store);

  private void fill() {
    for (long t = 51_000; t <= 55_000; t += 1000) {
      store.append(new Sample("latency_ms", A, t, 100));
      store.append(new Sample("latency_ms", B, t, 20));
    }
  }

  @Test
  void anEndedSeriesLeavesInstantQueriesAndMetricsAtOnce() {
    fill();
    assertThat(store.markStale(Map.of("instance", "app/c/0"), 55_500)).isOne();

    assertThat(engine.vector("latency_ms", NOW)).extracting(Element::labels).containsExactly(B);
    assertThat(engine.vector("avg(latency_ms)", NOW)).singleElement()
        .extracting(Element::value).isEqualTo(20.0);
    assertThat(store.latest("latency_ms", Map.of("instance", "app/c/0"))).isEmpty();
    assertThat(store.lastValues("latency_ms", Map.of(), Duration.ofMinutes(5)))
        .extracting(Sample::labels).containsExactly(B);
    assertThat(PrometheusExposition.of(store).render())
        .contains("instance=\"app/c/1\"").doesNotContain("instance=\"app/c/0\"");
  }

  @Test
  void itsPastStaysForRangesAndEarlierInstants() {
    fill();
    store.markStale(Map.of("instance", "app/c/0"), 55_500);

    assertThat(engine.vector("latency_ms", 54_000)).hasSize(2); // before it ended
    // Range reads skip the marker: five real samples each, averages unchanged.
    assertThat(engine.vector("count_over_time(latency_ms[10s])", NOW))
        .extracting(Element::value).containsOnly(5.0);
    assertThat(engine.vector("avg_over_time(latency_ms{node=\"n1\"}[10s])", NOW))
        .singleElement().extracting(Element::value).isEqualTo(100.0);
    assertThat(store.avgOverWindow("latency_ms", Map.of("node", "n1"), Duration.ofSeconds(10)))
        .hasValue(100.0);
    assertThat(store.range("latency_ms", Map.of("node", "n1"), Duration.ofSeconds(10)))
        .singleElement().satisfies(s -> assertThat(s.samples()).hasSize(5));
    // A range query's graph ends where the series ended.
    QueryResult.Matrix m = engine.range("latency_ms{node=\"n1\"}", 53_000, NOW, 1000);
    assertThat(m.series()).singleElement().satisfies(s -> assertThat(s.points())
        .extracting(QueryResult.Point::timestampMillis).last().isEqualTo(55_000L));
  }

  @Test
  void aNewSampleRevivesItAndMarkingTwiceAddsNothing() {
    fill();
    store.markStale(Map.of("instance", "app/c/0"), 55_500);
    assertThat(store.markStale(Map.of("instance", "app/c/0"), 56_000)).isZero();

    store.append(new Sample("latency_ms", A, 57_000, 90));
    assertThat(engine.vector("latency_ms", NOW)).hasSize(2);
    assertThat(store.latest("latency_ms", Map.of("instance", "app/c/0"))).hasValue(90.0);
  }

  @Test
  void aSeriesThatStopsArrivingEndsAfterTwoOfItsIntervals() {
    fill(); // both every second until 55 s
    for (long t = 56_000; t <= 59_000; t += 1000) {
      store.append(new Sample("latency_ms", B, t, 20)); // only B goes on
    }

    // A reported every second until 55 s: silent for 1.9 s is not yet max(2 × 1 s, 2 s).
    assertThat(store.markSilentStale(56_900, 2, 2_000)).isZero();
    assertThat(store.markSilentStale(NOW, 2, 2_000)).isOne(); // 5 s silent

    assertThat(engine.vector("latency_ms", NOW)).extracting(Element::labels).containsExactly(B);
    // Ended where its next report was due last: 55 s + 2 s.
    assertThat(engine.vector("latency_ms{node=\"n1\"}", 56_500)).hasSize(1);
    assertThat(engine.vector("latency_ms{node=\"n1\"}", 57_000)).isEmpty();
    assertThat(store.markSilentStale(NOW, 2, 2_000)).isZero(); // ended once
  }
}
