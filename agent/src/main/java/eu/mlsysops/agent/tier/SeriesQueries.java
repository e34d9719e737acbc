package eu.mlsysops.agent.tier;

import eu.mlsysops.protocol.Link;
import eu.mlsysops.protocol.Message;
import eu.mlsysops.telemetry.LabelMatcher;
import eu.mlsysops.telemetry.SeriesSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.PatternSyntaxException;

/**
 * Telemetry queries between agents ({@link Message.SeriesQuery}, {@link Message.SeriesAnswer}):
 * how an agent answers from its own store, and how it asks its children and gathers what they
 * answer within a deadline. The continuum reads the cluster and node tiers this way when those
 * agents run in other processes: raw samples stay on the agent that holds them until asked (as
 * Thanos' store API or Prometheus federation read remote stores), rather than being shipped up
 * all the time.
 *
 * <p>Thread-safe: answers arrive on link threads and complete futures; no agent state is touched.
 */
final class SeriesQueries {
  /**
   * Most samples one answer carries: at ≤ 16 bytes a sample on the wire, half of the link's 16 MiB
   * message limit. A query that needs more is refused with an error naming the limit.
   */
  static final long MAX_SAMPLES = 500_000;
  /** Most series one answer carries. */
  static final int MAX_SERIES = 50_000;
  /**
   * Most bytes of label names and values one answer carries: with the samples, an answer stays
   * under the link's 16 MiB messages.
   */
  static final long MAX_LABEL_BYTES = 4L << 20;
  /** How long the continuum waits for its clusters' answers by default. */
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  private final String self;
  private final Map<String, Gather> pending = new ConcurrentHashMap<>();

  /** @param self this agent's id (the {@code from} of what it sends) */
  SeriesQueries(String self) {
    this.self = Objects.requireNonNull(self);
  }

  /** What one round of asking found: every answer, and who is missing from it. */
  record Gathered(List<Message.SeriesAnswer> answers, List<String> warnings) {
    Gathered {
      answers = List.copyOf(answers);
      warnings = List.copyOf(warnings);
    }

    /** The first error among the answers, or null. */
    String error() {
      for (Message.SeriesAnswer a : answers) {
        if (a.error() != null) {
          return a.error();
        }
      }
      return null;
    }

    /**
     * The answers as one, from {@code self}: series and names of all, warnings of all, the first
     * error; refused (an error) when together they pass the limits.
     */
    Message.SeriesAnswer merged(String self, String queryId) {
      List<String> warn = new ArrayList<>(warnings);
      String error = error();
      List<Message.SeriesData> series = new ArrayList<>();
      TreeSet<String> names = new TreeSet<>();
      long samples = 0;
      for (Message.SeriesAnswer a : answers) {
        warn.addAll(a.warnings());
        names.addAll(a.names());
        series.addAll(a.series());
        samples += a.sampleCount();
      }
      if (error == null) {
        error = overLimit(samples, series.size(), "the answers of " + self + "'s nodes");
      }
      if (error != null) {
        return new Message.SeriesAnswer(self, queryId, List.of(), List.of(), warn, error);
      }
      return new Message.SeriesAnswer(self, queryId, series, List.copyOf(names), warn, null);
    }
  }

  /** A new query from this agent. */
  Message.SeriesQuery query(Message.Tier tier, String metric, List<LabelMatcher> matchers,
      long fromMillis, long toMillis, boolean newestOnly, Duration timeout) {
    return new Message.SeriesQuery(self, UUID.randomUUID().toString(), tier, metric,
        matchers.stream().map(SeriesQueries::wire).toList(), fromMillis, toMillis, newestOnly,
        Math.max(1, timeout.toMillis()));
  }

  /**
   * Sends {@code query} to every child in {@code children} (by name) and completes with their
   * answers when all have answered or when {@code timeout} has passed, whichever comes first;
   * a child that is not connected or does not answer in time is named in the warnings.
   */
  CompletableFuture<Gathered> ask(Message.SeriesQuery query, Map<String, Link> children,
      Duration timeout) {
    Message.SeriesQuery mine = new Message.SeriesQuery(self, query.queryId(), query.tier(),
        query.metric(), query.matchers(), query.fromMillis(), query.toMillis(),
        query.newestOnly(), Math.max(1, timeout.toMillis()));
    List<String> warnings = new CopyOnWriteArrayList<>(); // completion may run on a link thread
    Gather g = new Gather();
    // Everyone asked is waited for before the first is asked: an answer may come back at once.
    children.forEach((name, link) -> {
      if (link.isConnected()) {
        g.waiting.add(name);
      } else {
        warnings.add(name + " is not connected: its telemetry is missing");
      }
    });
    pending.put(mine.queryId(), g);
    children.forEach((name, link) -> {
      if (g.waiting.contains(name) && !link.send(mine)) {
        warnings.add(name + " is not connected: its telemetry is missing");
        g.waiting.remove(name);
      }
    });
    g.check();
    return g.done
        .completeOnTimeout(null, timeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle((ignored, failure) -> {
          pending.remove(mine.queryId());
          List<String> all = new ArrayList<>(warnings);
          for (String late : g.waiting) {
            if (!g.answers.containsKey(late)) { // answered just as the deadline passed: in
              all.add(late + " did not answer within " + timeout.toMillis() + " ms:"
                  + " its telemetry is missing");
            }
          }
          return new Gathered(List.copyOf(g.answers.values()), all);
        });
  }

  /**
   * Answers a query about this agent's children (a cluster asked for its nodes' series) by asking
   * each of {@code children} and merging their answers; they get three fifths of the asker's
   * timeout, so the merged answer is back before the asker gives up.
   */
  CompletableFuture<Message.SeriesAnswer> relay(Message.SeriesQuery query,
      Map<String, Link> children) {
    Duration within = Duration.ofMillis(Math.max(1, query.timeoutMillis() * 3 / 5));
    return ask(query, children, within).thenApply(g -> g.merged(self, query.queryId()));
  }

  /** An answer from a child: true when it belonged to a query of this agent. */
  boolean answered(Message.SeriesAnswer answer) {
    Gather g = pending.get(answer.queryId());
    if (g == null) {
      return false; // late: the asker has given up on it
    }
    // The answer is in before its sender stops being waited for: a deadline passing in between
    // then still finds it (and names nobody as missing who answered).
    if (g.waiting.contains(answer.from())) {
      g.answers.put(answer.from(), answer);
      g.waiting.remove(answer.from());
      g.check();
    }
    return true;
  }

  /** Queries still waiting for answers (for tests). */
  int pending() {
    return pending.size();
  }

  /** Answers {@code query} from one store, within the limits. */
  static Message.SeriesAnswer answer(String self, Message.SeriesQuery query, SeriesSource store) {
    if (query.metric() == null) {
      return new Message.SeriesAnswer(self, query.queryId(), List.of(), store.metricNames(),
          List.of(), null);
    }
    List<LabelMatcher> matchers;
    try {
      matchers = query.matchers().stream().map(SeriesQueries::local).toList();
    } catch (PatternSyntaxException e) {
      return refused(self, query, "matchers: " + e.getDescription());
    }
    List<Message.SeriesData> out = new ArrayList<>();
    long[] samples = {0};
    long[] labelBytes = {0};
    try {
      store.scan(query.metric(), matchers, query.fromMillis(), query.toMillis(),
          (metric, labels, ts, vs, count) -> {
            int first = query.newestOnly() ? count - 1 : 0;
            int n = count - first;
            samples[0] += n;
            for (Map.Entry<String, String> e : labels.map().entrySet()) {
              labelBytes[0] += e.getKey().length() + e.getValue().length() + 4;
            }
            String over = overLimit(samples[0], out.size() + 1, self);
            if (over == null && labelBytes[0] > MAX_LABEL_BYTES) {
              over = "more than " + MAX_LABEL_BYTES + " bytes of labels (the limit of one answer)"
                  + " at " + self + ": narrow the selector";
            }
            if (over != null) {
              throw new LimitReached(over);
            }
            out.add(new Message.SeriesData(metric, labels.map(),
                Arrays.copyOfRange(ts, first, count), Arrays.copyOfRange(vs, first, count)));
          });
    } catch (LimitReached e) {
      return refused(self, query, e.getMessage());
    }
    return new Message.SeriesAnswer(self, query.queryId(), out, List.of(), List.of(), null);
  }

  private static Message.SeriesAnswer refused(String self, Message.SeriesQuery q, String why) {
    return new Message.SeriesAnswer(self, q.queryId(), List.of(), List.of(), List.of(), why);
  }

  private static String overLimit(long samples, int series, String where) {
    if (samples > MAX_SAMPLES) {
      return "more than " + MAX_SAMPLES + " samples (the limit of one answer) at " + where
          + ": narrow the selector or the time range";
    }
    if (series > MAX_SERIES) {
      return "more than " + MAX_SERIES + " series (the limit of one answer) at " + where
          + ": narrow the selector";
    }
    return null;
  }

  static Message.SeriesMatcher wire(LabelMatcher m) {
    Message.MatchOp op = switch (m.type()) {
      case EQUAL -> Message.MatchOp.EQUAL;
      case NOT_EQUAL -> Message.MatchOp.NOT_EQUAL;
      case REGEX -> Message.MatchOp.REGEX;
      case NOT_REGEX -> Message.MatchOp.NOT_REGEX;
    };
    return new Message.SeriesMatcher(m.name(), op, m.value());
  }

  static LabelMatcher local(Message.SeriesMatcher m) {
    return switch (m.op()) {
      case EQUAL -> LabelMatcher.equal(m.name(), m.value());
      case NOT_EQUAL -> LabelMatcher.notEqual(m.name(), m.value());
      case REGEX -> LabelMatcher.regex(m.name(), m.value());
      case NOT_REGEX -> LabelMatcher.notRegex(m.name(), m.value());
    };
  }

  /** One query's answers so far. */
  private static final class Gather {
    final java.util.Set<String> waiting = ConcurrentHashMap.newKeySet();
    final Map<String, Message.SeriesAnswer> answers = new ConcurrentHashMap<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();

    void check() {
      if (waiting.isEmpty()) {
        done.complete(null);
      }
    }
  }

  private static final class LimitReached extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LimitReached(String message) {
      super(message, null, false, false);
    }
  }
}
