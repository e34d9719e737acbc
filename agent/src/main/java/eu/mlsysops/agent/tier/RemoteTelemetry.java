package eu.mlsysops.agent.tier;

import eu.mlsysops.protocol.Message;
import eu.mlsysops.telemetry.LabelMatcher;
import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.PartialResults;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.SeriesSource;
import eu.mlsysops.telemetry.SeriesVisitor;
import eu.mlsysops.telemetry.StoreUnavailable;
import eu.mlsysops.telemetry.TelemetryQuery;
import eu.mlsysops.telemetry.query.QueryException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The stores of one tier's agents in other processes, read as one store: every read is a {@link
 * Message.SeriesQuery} to them (relayed by clusters to their nodes) and waits for their answers,
 * at most the timeout. The query engine reads it as it reads a local store, one round trip per
 * selector. Agents that do not answer in time are left out and named in {@link #warnings()};
 * an answer refused for a limit fails the read with a {@link QueryException} naming the limit.
 *
 * <p>One instance serves one request (its warnings are that request's); thread-safe.
 */
final class RemoteTelemetry implements TelemetryQuery, SeriesSource, PartialResults {
  /** Most warnings kept (one per agent that did not answer, so this bounds a long export). */
  static final int MAX_WARNINGS = 100;

  private final Message.Tier tier;
  private final SeriesQueries queries;
  private final Function<Message.SeriesQuery, CompletableFuture<SeriesQueries.Gathered>> ask;
  private final Clock clock;
  private final Duration timeout;
  private final List<String> warnings = new CopyOnWriteArrayList<>();

  /**
   * @param tier which stores: the clusters' own ({@link Message.Tier#CLUSTER}) or their nodes'
   * @param queries makes the queries (their {@code from} and ids)
   * @param ask sends a query to every agent that should answer and gathers the answers
   * @param clock the continuum's clock (what "now" is for the latest values)
   * @param timeout how long a read waits for answers
   */
  RemoteTelemetry(Message.Tier tier, SeriesQueries queries,
      Function<Message.SeriesQuery, CompletableFuture<SeriesQueries.Gathered>> ask, Clock clock,
      Duration timeout) {
    this.tier = Objects.requireNonNull(tier);
    this.queries = Objects.requireNonNull(queries);
    this.ask = Objects.requireNonNull(ask);
    this.clock = Objects.requireNonNull(clock);
    this.timeout = Objects.requireNonNull(timeout);
  }

  @Override
  public List<String> warnings() {
    return List.copyOf(warnings);
  }

  @Override
  public List<String> metricNames() {
    java.util.TreeSet<String> names = new java.util.TreeSet<>();
    for (Message.SeriesAnswer a : read(null, List.of(), 0, 0, false)) {
      names.addAll(a.names());
    }
    return List.copyOf(names);
  }

  @Override
  public void scan(String metric, List<LabelMatcher> matchers, long fromMillis, long toMillis,
      SeriesVisitor visitor) {
    scan(metric, matchers, fromMillis, toMillis, false, visitor);
  }

  private void scan(String metric, List<LabelMatcher> matchers, long fromMillis, long toMillis,
      boolean newestOnly, SeriesVisitor visitor) {
    for (Message.SeriesAnswer a : read(metric, matchers, fromMillis, toMillis, newestOnly)) {
      for (Message.SeriesData d : a.series()) {
        if (d.timestamps().length > 0) {
          visitor.visit(d.metric(), new Labels(d.labels()), d.timestamps(), d.values(),
              d.timestamps().length);
        }
      }
    }
  }

  private List<Message.SeriesAnswer> read(String metric, List<LabelMatcher> matchers,
      long fromMillis, long toMillis, boolean newestOnly) {
    Message.SeriesQuery q = queries.query(tier, metric, matchers, fromMillis, toMillis,
        newestOnly, timeout);
    SeriesQueries.Gathered g;
    try {
      // The gathering ends by itself at its timeout, which starts once the asking agent's loop
      // has listed its links; this wait only guards against that never happening.
      g = ask.apply(q).get(2 * timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailable("interrupted while waiting for the " + tierName()
          + " tier's agents", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new StoreUnavailable("the " + tierName() + " tier's agents did not answer: " + e, e);
    }
    for (String w : g.warnings()) {
      note(w);
    }
    for (Message.SeriesAnswer a : g.answers()) {
      a.warnings().forEach(this::note);
    }
    String error = g.error();
    if (error != null) {
      throw QueryException.general(error);
    }
    return g.answers();
  }

  private void note(String warning) {
    if (warnings.size() < MAX_WARNINGS && !warnings.contains(warning)) {
      warnings.add(warning);
    }
  }

  private String tierName() {
    return tier.name().toLowerCase(java.util.Locale.ROOT);
  }

  // ---- TelemetryQuery, over scan

  private static List<LabelMatcher> matchers(Map<String, String> labels) {
    return labels.entrySet().stream().map(e -> LabelMatcher.equal(e.getKey(), e.getValue()))
        .toList();
  }

  @Override
  public List<Sample> lastValues(String metric, Map<String, String> matchers, Duration lookback) {
    long now = clock.millis();
    List<Sample> out = new ArrayList<>();
    scan(metric, matchers(matchers), now - lookback.toMillis() + 1, now, true,
        (m, labels, ts, vs, n) -> {
          if (!Double.isNaN(vs[n - 1])) { // a marker as the newest sample: the series ended
            out.add(new Sample(m, labels, ts[n - 1], vs[n - 1]));
          }
        });
    return out;
  }

  @Override
  public OptionalDouble latest(String metric, Map<String, String> matchers) {
    Sample newest = null;
    for (Sample s : lastValues(metric, matchers, Duration.ofDays(365))) {
      if (newest == null || s.timestampMillis() > newest.timestampMillis()) {
        newest = s;
      }
    }
    return newest == null ? OptionalDouble.empty() : OptionalDouble.of(newest.value());
  }

  @Override
  public List<Series> range(String metric, Map<String, String> matchers, Duration window) {
    long now = clock.millis();
    List<Series> out = new ArrayList<>();
    scan(metric, matchers(matchers), now - window.toMillis() + 1, now,
        (m, labels, ts, vs, n) -> {
          List<Sample> samples = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            if (!Double.isNaN(vs[i])) {
              samples.add(new Sample(m, labels, ts[i], vs[i]));
            }
          }
          if (!samples.isEmpty()) {
            out.add(new Series(m, labels, samples));
          }
        });
    return out;
  }

  @Override
  public OptionalDouble avgOverWindow(String metric, Map<String, String> matchers,
      Duration window) {
    double sum = 0;
    long n = 0;
    for (Series s : range(metric, matchers, window)) {
      for (Sample p : s.samples()) {
        sum += p.value();
        n++;
      }
    }
    return n == 0 ? OptionalDouble.empty() : OptionalDouble.of(sum / n);
  }

  @Override
  public OptionalDouble maxOverWindow(String metric, Map<String, String> matchers,
      Duration window) {
    double max = Double.NEGATIVE_INFINITY;
    boolean any = false;
    for (Series s : range(metric, matchers, window)) {
      for (Sample p : s.samples()) {
        max = Math.max(max, p.value());
        any = true;
      }
    }
    return any ? OptionalDouble.of(max) : OptionalDouble.empty();
  }
}
