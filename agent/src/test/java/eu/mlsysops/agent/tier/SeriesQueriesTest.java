package eu.mlsysops.agent.tier;

import static org.assertj.core.api.Assertions.assertThat;

import eu.mlsysops.protocol.Link;
import eu.mlsysops.protocol.Message;
import eu.mlsysops.telemetry.LabelMatcher;
import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.SeriesSource;
import eu.mlsysops.telemetry.SeriesVisitor;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class SeriesQueriesTest {
  private final SeriesQueries continuum = new SeriesQueries("continuum");

  private static Message.SeriesQuery query(String metric, boolean newestOnly,
      Message.SeriesMatcher... matchers) {
    return new Message.SeriesQuery("continuum", "q", Message.Tier.NODE, metric,
        List.of(matchers), 0, Long.MAX_VALUE, newestOnly, 1_000);
  }

  private static MetricStore store() {
    MetricStore s = MetricStore.withDefaults(Clock.systemUTC());
    long t = System.currentTimeMillis() - 10_000;
    for (int i = 0; i < 5; i++) {
      s.append(new Sample("cpu", Labels.of("node", "n1"), t + i * 1_000, i));
      s.append(new Sample("cpu", Labels.of("node", "n2"), t + i * 1_000, 10 + i));
    }
    return s;
  }

  @Test
  void anAnswerHoldsTheMatchingSeriesOrOnlyTheirNewestSamples() {
    MetricStore s = store();
    Message.SeriesAnswer all = SeriesQueries.answer("n1", query("cpu", false,
        new Message.SeriesMatcher("node", Message.MatchOp.EQUAL, "n1")), s);
    assertThat(all.error()).isNull();
    assertThat(all.series()).singleElement().satisfies(d -> {
      assertThat(d.labels()).isEqualTo(Map.of("node", "n1"));
      assertThat(d.values()).containsExactly(0, 1, 2, 3, 4);
    });

    Message.SeriesAnswer newest = SeriesQueries.answer("n1", query("cpu", true,
        new Message.SeriesMatcher("node", Message.MatchOp.REGEX, "n.*")), s);
    assertThat(newest.series()).hasSize(2)
        .allSatisfy(d -> assertThat(d.values()).hasSize(1))
        .anySatisfy(d -> assertThat(d.values()).containsExactly(14));

    assertThat(SeriesQueries.answer("n1", query(null, false), s).names()).containsExactly("cpu");
  }

  @Test
  void anAgentInAnotherProcessAnswersNamesSpelledAsMetricsShowsThem() {
    MetricStore s = store();
    long t = System.currentTimeMillis() - 1_000;
    s.append(new Sample("http.server.active", Labels.of("service.name", "api"), t, 3));
    s.append(new Sample("http.server.active", Labels.of("service.name", "db"), t, 4));
    // The continuum evaluates PromQL over what comes back; the spelling is resolved where the
    // series are, as for a local store.
    Message.SeriesAnswer a = SeriesQueries.answer("n1", query("http_server_active", false,
        new Message.SeriesMatcher("service_name", Message.MatchOp.EQUAL, "db")), s);
    assertThat(a.series()).singleElement().satisfies(d -> {
      assertThat(d.metric()).isEqualTo("http.server.active");
      assertThat(d.labels()).isEqualTo(Map.of("service.name", "db"));
    });
  }

  @Test
  void aQueryPastTheSampleLimitIsRefusedNamingTheLimit() {
    int n = (int) SeriesQueries.MAX_SAMPLES + 1;
    long[] ts = new long[n];
    double[] vs = new double[n];
    for (int i = 0; i < n; i++) {
      ts[i] = i;
    }
    SeriesSource huge = new SeriesSource() {
      @Override
      public List<String> metricNames() {
        return List.of("cpu");
      }

      @Override
      public void scan(String metric, List<LabelMatcher> matchers, long from, long to,
          SeriesVisitor visitor) {
        visitor.visit("cpu", Labels.of("node", "n1"), ts, vs, n);
      }
    };

    Message.SeriesAnswer a = SeriesQueries.answer("n1", query("cpu", false), huge);

    assertThat(a.series()).isEmpty();
    assertThat(a.error()).contains("more than 500000 samples").contains("n1")
        .contains("narrow the selector or the time range");
  }

  @Test
  void aBadRegularExpressionIsRefusedNamingTheMatchers() {
    Message.SeriesAnswer a = SeriesQueries.answer("n1", query("cpu", false,
        new Message.SeriesMatcher("node", Message.MatchOp.REGEX, "(")), store());

    assertThat(a.error()).startsWith("matchers: ");
  }

  /** A child on a link that answers (or not) as told. */
  private static final class Child implements Link {
    final boolean connected;
    final Consumer<Message.SeriesQuery> onQuery;

    Child(boolean connected, Consumer<Message.SeriesQuery> onQuery) {
      this.connected = connected;
      this.onQuery = onQuery;
    }

    @Override
    public boolean send(Message m) {
      if (connected && m instanceof Message.SeriesQuery q) {
        onQuery.accept(q);
      }
      return connected;
    }

    @Override
    public void onReceive(Consumer<Message> handler) {}

    @Override
    public void onConnectionChange(Consumer<Boolean> listener) {}

    @Override
    public boolean isConnected() {
      return connected;
    }
  }

  @Test
  void askingGathersTheAnswersAndNamesChildrenThatAreDownOrLate() throws Exception {
    MetricStore s = store();
    Map<String, Link> children = new LinkedHashMap<>();
    // Answers at once, on the asking thread, before the others are even asked.
    children.put("c1", new Child(true, q -> continuum.answered(SeriesQueries.answer("c1", q, s))));
    children.put("c2", new Child(true, q -> { })); // never answers
    children.put("c3", new Child(false, q -> { }));

    SeriesQueries.Gathered g = continuum.ask(continuum.query(Message.Tier.CLUSTER, "cpu",
            List.of(), 0, Long.MAX_VALUE, false, Duration.ofMillis(300)), children,
        Duration.ofMillis(300)).get(30, TimeUnit.SECONDS);

    assertThat(g.answers()).singleElement().satisfies(a -> {
      assertThat(a.from()).isEqualTo("c1");
      assertThat(a.series()).hasSize(2);
    });
    assertThat(g.warnings()).containsExactlyInAnyOrder(
        "c2 did not answer within 300 ms: its telemetry is missing",
        "c3 is not connected: its telemetry is missing");
    assertThat(continuum.pending()).isZero();
    // A late answer is dropped, not kept.
    assertThat(continuum.answered(new Message.SeriesAnswer("c2", "gone", List.of(), List.of(),
        List.of(), null))).isFalse();
  }

  @Test
  void aRelayAnswersAsOneWithItsChildrensWarningsAndTheFirstError() throws Exception {
    SeriesQueries cluster = new SeriesQueries("c1");
    MetricStore s = store();
    Map<String, Link> nodes = new LinkedHashMap<>();
    nodes.put("n1", new Child(true, q -> cluster.answered(SeriesQueries.answer("n1", q, s))));
    nodes.put("n2", new Child(false, q -> { }));

    Message.SeriesAnswer merged = cluster.relay(query("cpu", false), nodes)
        .get(30, TimeUnit.SECONDS);

    assertThat(merged.from()).isEqualTo("c1");
    assertThat(merged.queryId()).isEqualTo("q");
    assertThat(merged.series()).hasSize(2);
    assertThat(merged.warnings()).containsExactly("n2 is not connected: its telemetry is missing");

    nodes.put("n3", new Child(true, q -> cluster.answered(new Message.SeriesAnswer("n3",
        q.queryId(), List.of(), List.of(), List.of(), "too much at n3"))));
    Message.SeriesAnswer refused = cluster.relay(query("cpu", false), nodes)
        .get(30, TimeUnit.SECONDS);
    assertThat(refused.error()).isEqualTo("too much at n3");
    assertThat(refused.series()).isEmpty();
  }
}
