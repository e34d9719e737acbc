package eu.mlsysops.telemetry.otlp;

import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.TelemetryQuery;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exports what a store holds to an external OTLP endpoint, as an OpenTelemetry SDK's periodic
 * reader does: every interval, the newest sample of every series that changed since the last
 * export, in one request (histograms and summaries go as their flattened series, {@code x_bucket}
 * with {@code le}, {@code x_sum}, {@code x_count}). Sending, queueing and retries are the {@link
 * OtlpGrpcExporter}'s.
 */
public final class PeriodicMetricExport implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PeriodicMetricExport.class);

  private final TelemetryQuery source;
  private final OtlpGrpcExporter exporter;
  private final OtlpMetricsEncoder encoder;
  private final Clock clock;
  private final Duration interval;
  private final ScheduledExecutorService worker;
  /** Newest timestamp exported per series, so an unchanged series is not sent again. */
  private final Map<Series, Long> exported = new HashMap<>();
  private final AtomicLong samplesExported = new AtomicLong();

  private PeriodicMetricExport(
      TelemetryQuery source, OtlpGrpcExporter exporter, String sender, Clock clock,
      Duration interval) {
    this.source = Objects.requireNonNull(source, "source");
    this.exporter = Objects.requireNonNull(exporter, "exporter");
    this.encoder = new OtlpMetricsEncoder(sender);
    this.clock = Objects.requireNonNull(clock, "clock");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive, got " + interval);
    }
    this.interval = interval;
    this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "otlp-periodic-export");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Starts exporting {@code source} every {@code interval}.
   *
   * @param sender the agent named in the requests' resource ({@code mlsysops.sender})
   */
  public static PeriodicMetricExport start(
      TelemetryQuery source, OtlpGrpcExporter exporter, String sender, Clock clock,
      Duration interval) {
    PeriodicMetricExport e = new PeriodicMetricExport(source, exporter, sender, clock, interval);
    long ms = interval.toMillis();
    e.worker.scheduleWithFixedDelay(e::exportSafely, ms, ms, TimeUnit.MILLISECONDS);
    return e;
  }

  /** Samples handed to the exporter so far. */
  public long samplesExported() {
    return samplesExported.get();
  }

  /** Exports now, on the calling thread; returns the number of samples sent. */
  int exportOnce() {
    List<Sample> fresh = new ArrayList<>();
    // Series untouched for two intervals are forgotten; the lookback keeps them out of the scan.
    Duration lookback = interval.multipliedBy(2);
    long horizon = clock.millis() - lookback.toMillis();
    exported.values().removeIf(ts -> ts < horizon);
    for (String metric : source.metricNames()) {
      for (Sample s : source.lastValues(metric, Map.of(), lookback)) {
        Long previous = exported.put(new Series(s.metric(), s.labels()), s.timestampMillis());
        if (previous == null || previous < s.timestampMillis()) {
          fresh.add(s);
        }
      }
    }
    if (!fresh.isEmpty()) {
      exporter.export(encoder.encode(fresh, source::metadata));
      samplesExported.addAndGet(fresh.size());
    }
    return fresh.size();
  }

  private synchronized void exportSafely() {
    try {
      exportOnce();
    } catch (RuntimeException e) {
      // One bad round must not end the schedule.
      LOG.warn("periodic OTLP export failed: {}", e.toString());
    }
  }

  private record Series(String metric, Labels labels) {}

  /** Stops exporting; the exporter is the caller's to close. */
  @Override
  public void close() {
    worker.shutdownNow();
  }
}
