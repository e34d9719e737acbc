package eu.mlsysops.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Footprint, retention, budget, ordering and concurrency of {@link MetricStore}. */
class MetricStoreBoundsTest {
  private final Clock clock = Clock.fixed(Instant.ofEpochMilli(1_000_000), ZoneOffset.UTC);

  private static Sample s(String metric, Labels labels, long ts, double v) {
    return new Sample(metric, labels, ts, v);
  }

  private static List<Long> timestamps(MetricStore store, String metric, Labels labels) {
    List<Long> out = new ArrayList<>();
    store.scan(
        metric,
        List.of(),
        Long.MIN_VALUE,
        Long.MAX_VALUE,
        (m, l, ts, vs, n) -> {
          if (l.equals(labels)) {
            for (int i = 0; i < n; i++) {
              out.add(ts[i]);
            }
          }
        });
    return out;
  }

  @Test
  void footprintOfAFullSeriesIsTwelveBytesASamplePlusChunkAndSeriesOverhead() {
    MetricStore store = MetricStore.builder().clock(clock).samplesPerSeries(900).build();
    Labels labels = Labels.of("node", "n1");
    for (int i = 0; i < 900; i++) {
      store.append(s("cpu", labels, i * 1000L, i));
    }
    // 7 sealed chunks of 128 (48 + 528 + 1040 bytes) and a head of capacity 8 holding 4
    // (48 + 48 + 80); the series: 256 + one label of 120 + its 2-character value.
    long expected = 7 * 1616 + 176 + 256 + 122;
    assertThat(store.bytesUsed()).isEqualTo(expected).isEqualTo(11_866);
    assertThat(store.samplesStored()).isEqualTo(900);
    assertThat(store.stats().bytesPerSample()).isLessThanOrEqualTo(16.0);
    assertThat(Chunk.bytesFor(128)).isEqualTo(1616);
  }

  @Test
  void removingEverySeriesReturnsTheAccountingToZero() {
    MetricStore store = MetricStore.builder().clock(clock).build();
    for (int i = 0; i < 300; i++) {
      store.append(s("cpu", Labels.of("node", "a"), i, i));
      store.append(s("cpu", Labels.of("node", "b"), i, i));
    }
    store.removeSeries(Map.of("node", "a"));
    assertThat(store.seriesCount()).isEqualTo(1);
    assertThat(store.samplesStored()).isEqualTo(300);
    store.removeSeries(Map.of());
    assertThat(store.stats()).isEqualTo(new MetricStore.Stats(0, 0, 0, 0, 0, 0, 0, 0));
    assertThat(store.metricNames()).isEmpty();
  }

  @Test
  void retentionDropsWholeChunksOlderThanTheNewestSampleMinusTheRetention() {
    MetricStore store =
        MetricStore.builder()
            .clock(clock)
            .retention(Duration.ofMinutes(1))
            .samplesPerSeries(10_000)
            .build();
    Labels l = Labels.of("node", "n1");
    for (int i = 0; i < 400; i++) {
      store.append(s("cpu", l, i * 1000L, i));
    }
    // Chunks hold 0..127, 128..255, 256..383, 384..399. Starting the third (t = 256 s, horizon
    // 196 s) drops the first; starting the fourth (horizon 324 s) drops the second.
    assertThat(store.evictedSamples()).isEqualTo(256);
    assertThat(store.samplesStored()).isEqualTo(144);
    assertThat(timestamps(store, "cpu", l)).first().isEqualTo(256_000L);
    assertThat(timestamps(store, "cpu", l)).last().isEqualTo(399_000L);
  }

  @Test
  void idleSeriesExpireAndStopCountingTowardsTheCardinalityLimit() {
    MetricStore store =
        MetricStore.builder().clock(clock).retention(Duration.ofMinutes(1)).maxSeries(2).build();
    Labels idle = Labels.of("node", "gone");
    Labels busy = Labels.of("node", "here");
    for (int i = 0; i < 10; i++) {
      store.append(s("cpu", idle, i * 1000L, 1));
    }
    for (int i = 0; i <= 200; i++) {
      store.append(s("cpu", busy, i * 1000L, 1));
    }
    // Sweeps run every 7.5 s of sample time; by t = 200 s the idle series (newest 9 s) is gone,
    // and the busy series' first chunk (0..127 s) has ended before the horizon too.
    assertThat(store.seriesCount()).isEqualTo(1);
    assertThat(store.evictedSamples()).isEqualTo(10 + 128);
    assertThat(store.samplesStored()).isEqualTo(73);
    assertThat(store.evictExpired()).isZero();
    assertThat(store.append(s("cpu", Labels.of("node", "new"), 200_000, 1))).isTrue();
    assertThat(store.rejectedSamples()).isZero();
  }

  @Test
  void memoryBudgetEvictsTheOldestChunksOfTheWholeStoreAndCountsThem() {
    MetricStore store =
        MetricStore.builder()
            .clock(clock)
            .unlimitedRetention()
            .samplesPerSeries(10_000)
            .memoryBudgetBytes(40_000)
            .build();
    for (int t = 0; t < 384; t++) {
      for (int k = 0; k < 10; k++) {
        store.append(s("m", Labels.of("s", Integer.toString(k)), t * 1000L, t));
      }
    }
    // Ten series of 377 bytes overhead; by t = 255 s each holds two sealed chunks of 1,616 bytes
    // (36,090 in all). Whenever the store passes 40,000 bytes it frees down to 36,000 by dropping
    // the oldest chunks (those ending at 127 s), three of them per pass here (4,848 bytes against
    // an excess of about 4,200). That happens at t = 272 s (heads growing to 32 samples) and twice
    // at t = 320 s (heads growing to 128): nine of the ten oldest chunks go, nothing newer.
    assertThat(store.evictedSamples()).isEqualTo(9 * 128);
    assertThat(store.samplesStored()).isEqualTo(10 * 384 - 9 * 128);
    // 3,770 + (1 + 10 + 10) chunks of 1,616 bytes.
    assertThat(store.bytesUsed()).isEqualTo(37_706).isLessThanOrEqualTo(40_000);
    List<Long> oldest = new ArrayList<>();
    for (int k = 0; k < 10; k++) {
      oldest.add(timestamps(store, "m", Labels.of("s", Integer.toString(k))).get(0));
    }
    assertThat(oldest).containsOnly(0L, 128_000L).filteredOn(t -> t == 0L).hasSize(1);
    assertThat(store.seriesCount()).isEqualTo(10);
  }

  @Test
  void olderSamplesAreDroppedAndCountedAndTheSameTimestampReplacesTheValue() {
    MetricStore store = MetricStore.withDefaults(clock);
    Labels l = Labels.EMPTY;
    assertThat(store.append(s("m", l, 10, 1))).isTrue();
    assertThat(store.append(s("m", l, 20, 2))).isTrue();
    assertThat(store.append(s("m", l, 15, 3))).isFalse();
    assertThat(store.append(s("m", l, 20, 4))).isTrue();
    assertThat(store.droppedOutOfOrder()).isEqualTo(1);
    assertThat(store.samplesStored()).isEqualTo(2);
    assertThat(store.latest("m", Map.of())).hasValue(4);
    assertThat(store.range("m", Map.of(), Duration.ofDays(1)).get(0).samples())
        .extracting(Sample::timestampMillis, Sample::value)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(10L, 1.0),
            org.assertj.core.groups.Tuple.tuple(20L, 4.0));
  }

  @Test
  void aRemovedSeriesFreesItsPlaceUnderTheCardinalityLimit() {
    MetricStore store = new MetricStore(clock, 10, 1);
    assertThat(store.append(s("m", Labels.of("k", "1"), 1, 1))).isTrue();
    assertThat(store.append(s("m", Labels.of("k", "2"), 1, 1))).isFalse();
    store.removeSeries(Map.of("k", "1"));
    assertThat(store.append(s("m", Labels.of("k", "2"), 1, 1))).isTrue();
    assertThat(store.rejectedSamples()).isEqualTo(1);
    assertThat(store.seriesCount()).isEqualTo(1);
  }

  @Test
  void aThrowingListenerIsCountedAndIngestGoesOn() {
    MetricStore store = MetricStore.withDefaults(clock);
    List<Double> heard = new ArrayList<>();
    store.subscribe(
        "m",
        x -> {
          throw new IllegalStateException("boom");
        });
    store.subscribe("m", x -> heard.add(x.value()));
    assertThat(store.append(s("m", Labels.EMPTY, 1, 7))).isTrue();
    assertThat(store.listenerFailures()).isEqualTo(1);
    assertThat(heard).containsExactly(7.0);
  }

  @Test
  void describedMetadataIsReturnedAndDoesNotMakeAMetricAppear() {
    MetricStore store = MetricStore.withDefaults(clock);
    SampleSink sink = store;
    sink.describe("http.server.duration", MetricMetadata.of(MetricMetadata.MetricType.HISTOGRAM));
    assertThat(store.metadata("http.server.duration"))
        .hasValue(MetricMetadata.of(MetricMetadata.MetricType.HISTOGRAM));
    assertThat(store.metadata("other")).isEmpty();
    assertThat(store.metricNames()).isEmpty();
    assertThat(sink.accept(s("http.server.duration_count", Labels.EMPTY, 1, 1))).isTrue();
    assertThat(store.metricNames()).containsExactly("http.server.duration_count");
  }

  @Test
  void lastValuesKeepsSeriesUpdatedWithinTheLookback() {
    MetricStore store = MetricStore.withDefaults(clock); // now = 1,000 s
    store.append(s("up", Labels.of("node", "a"), 999_000, 1));
    store.append(s("up", Labels.of("node", "b"), 600_000, 1));
    store.append(s("up", Labels.of("node", "b"), 601_000, 0));
    assertThat(store.lastValues("up", Map.of(), Duration.ofMinutes(5)))
        .extracting(x -> x.labels().get("node"))
        .containsExactly("a");
    assertThat(store.lastValues("up", Map.of("node", "b"), Duration.ofMinutes(10)))
        .extracting(Sample::timestampMillis, Sample::value)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(601_000L, 0.0));
  }

  @Test
  void scanHandsOutOnlyTheRequestedIntervalOfMatchingSeries() {
    MetricStore store = MetricStore.withDefaults(clock);
    for (int i = 0; i < 300; i++) {
      store.append(s("cpu", Labels.of("node", "a", "mode", "idle"), i * 10L, i));
      store.append(s("cpu", Labels.of("node", "b", "mode", "user"), i * 10L, -i));
      store.append(s("cpu", Labels.of("node", "c", "mode", "system"), i * 10L, -i));
    }
    List<String> seen = new ArrayList<>();
    double[] sum = new double[1];
    store.scan(
        "cpu",
        List.of(LabelMatcher.regex("node", "a|b"), LabelMatcher.notEqual("mode", "user")),
        1_000,
        1_295,
        (m, l, ts, vs, n) -> {
          seen.add(l.get("node") + ":" + n + ":" + ts[0] + "-" + ts[n - 1]);
          for (int i = 0; i < n; i++) {
            sum[0] += vs[i];
          }
        });
    assertThat(seen).containsExactly("a:30:1000-1290");
    assertThat(sum[0]).isEqualTo((100 + 129) * 30 / 2.0);
  }

  @Test
  void concurrentAppendsToDistinctAndSharedSeriesLoseNothingUnaccounted() throws Exception {
    MetricStore store = MetricStore.builder().clock(clock).samplesPerSeries(100_000).build();
    int threads = 4;
    int perThread = 20_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Integer>> shared = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      shared.add(
          pool.submit(
              () -> {
                start.await();
                int ok = 0;
                Labels own = Labels.of("thread", Integer.toString(id));
                for (int i = 0; i < perThread; i++) {
                  store.append(s("own", own, i, i));
                  if (store.append(s("shared", Labels.EMPTY, (long) i * threads + id, i))) {
                    ok++;
                  }
                }
                return ok;
              }));
    }
    start.countDown();
    int storedShared = 0;
    for (Future<Integer> f : shared) {
      storedShared += f.get(20, TimeUnit.SECONDS);
    }
    pool.shutdown();

    assertThat(store.seriesCount()).isEqualTo(threads + 1);
    for (int t = 0; t < threads; t++) {
      assertThat(timestamps(store, "own", Labels.of("thread", Integer.toString(t))))
          .hasSize(perThread);
    }
    List<Long> sharedTs = timestamps(store, "shared", Labels.EMPTY);
    assertThat(sharedTs).hasSize(storedShared).isSorted().doesNotHaveDuplicates();
    assertThat(storedShared + store.droppedOutOfOrder()).isEqualTo((long) threads * perThread);
    assertThat(store.samplesStored()).isEqualTo((long) threads * perThread + storedShared);
    assertThat(store.evictedSamples()).isZero();
  }
}
