package eu.mlsysops.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Batch appends and the series hint on label sets must not change what the store keeps. */
class MetricStoreBatchTest {
  private final Clock clock = Clock.fixed(Instant.ofEpochMilli(1_000_000), ZoneOffset.UTC);

  private MetricStore store() {
    return MetricStore.builder()
        .clock(clock)
        .samplesPerSeries(20)
        .maxSeries(12)
        .retention(Duration.ofSeconds(50))
        .build();
  }

  @Test
  void aBatchKeepsAndRefusesExactlyWhatSampleBySampleAppendsDo() {
    Random rnd = new Random(7);
    MetricStore one = store();
    MetricStore batched = store();
    List<Sample> heardOne = new ArrayList<>();
    List<Sample> heardBatched = new ArrayList<>();
    one.subscribe("m0", heardOne::add);
    batched.subscribe("m0", heardBatched::add);
    Labels[] labels = new Labels[16];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = Labels.of("i", Integer.toString(i));
    }
    SampleBatch batch = new SampleBatch(4);
    for (int round = 0; round < 300; round++) {
      String metric = "m" + rnd.nextInt(2);
      batch.reset(metric);
      List<Boolean> expected = new ArrayList<>();
      for (int k = rnd.nextInt(8); k >= 0; k--) {
        // Fresh equal instances half the time: the hint must not be needed for correctness.
        Labels l = labels[rnd.nextInt(labels.length)];
        Labels passed = rnd.nextBoolean() ? l : Labels.of("i", l.get("i"));
        long ts = round * 1_000L - rnd.nextInt(3) * 1_000L;
        double v = rnd.nextInt(10) == 0 ? Double.NaN : rnd.nextInt(100);
        batch.add(passed, ts, v);
        expected.add(one.append(new Sample(metric, passed, ts, v)));
      }
      batched.acceptBatch(batch);
      for (int i = 0; i < batch.size(); i++) {
        assertThat(batch.accepted(i)).as("round %d sample %d", round, i).isEqualTo(expected.get(i));
      }
      if (round % 97 == 96) {
        one.removeSeries(Map.of("i", "3"));
        batched.removeSeries(Map.of("i", "3"));
      }
    }

    assertThat(batched.stats()).isEqualTo(one.stats());
    assertThat(heardBatched).isEqualTo(heardOne);
    for (String m : List.of("m0", "m1")) {
      assertThat(batched.range(m, Map.of(), Duration.ofDays(1)))
          .containsExactlyInAnyOrderElementsOf(one.range(m, Map.of(), Duration.ofDays(1)));
    }
  }

  @Test
  void oneLabelSetUsedByTwoMetricsAndTwoStoresKeepsEachSeriesApart() {
    Labels shared = Labels.of("node", "n1");
    MetricStore a = store();
    MetricStore b = store();

    for (int t = 1; t <= 3; t++) {
      a.append(new Sample("cpu", shared, t * 1_000L, t));
      a.append(new Sample("mem", shared, t * 1_000L, 10 * t));
      b.append(new Sample("cpu", shared, t * 1_000L, 100 * t));
    }

    assertThat(a.range("cpu", Map.of(), Duration.ofDays(1)).get(0).samples())
        .extracting(Sample::value)
        .containsExactly(1.0, 2.0, 3.0);
    assertThat(a.range("mem", Map.of(), Duration.ofDays(1)).get(0).samples())
        .extracting(Sample::value)
        .containsExactly(10.0, 20.0, 30.0);
    assertThat(b.range("cpu", Map.of(), Duration.ofDays(1)).get(0).samples())
        .extracting(Sample::value)
        .containsExactly(100.0, 200.0, 300.0);
  }

  @Test
  void aRemovedSeriesComesBackWhenTheSameLabelInstanceIsWrittenAgain() {
    MetricStore s = store();
    Labels l = Labels.of("node", "n1");
    s.append(new Sample("cpu", l, 1_000, 1));
    s.removeSeries(Map.of("node", "n1"));
    assertThat(s.seriesCount()).isZero();

    assertThat(s.append(new Sample("cpu", l, 2_000, 2))).isTrue();

    assertThat(s.seriesCount()).isEqualTo(1);
    assertThat(s.samplesStored()).isEqualTo(1);
    assertThat(s.latest("cpu", Map.of("node", "n1"))).hasValue(2);
  }

  @Test
  void seriesEvictedByRetentionComeBackThroughTheHint() {
    MetricStore s = store();
    Labels old = Labels.of("node", "old");
    Labels live = Labels.of("node", "live");
    s.append(new Sample("cpu", old, 1_000, 1));
    s.append(new Sample("cpu", live, 200_000, 2)); // old is now beyond the 50 s retention
    s.evictExpired();
    assertThat(s.seriesCount()).isEqualTo(1);

    assertThat(s.append(new Sample("cpu", old, 201_000, 3))).isTrue();

    assertThat(s.seriesCount()).isEqualTo(2);
    assertThat(s.latest("cpu", Map.of("node", "old"))).hasValue(3);
  }
}
