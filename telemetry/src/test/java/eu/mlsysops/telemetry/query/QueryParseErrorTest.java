package eu.mlsysops.telemetry.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;

import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.Sample;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad queries are {@link QueryException}s that say where and what. */
class QueryParseErrorTest {
  private final MetricStore store = MetricStore.withDefaults(Clock.systemUTC());
  private final QueryEngine engine = new QueryEngine(store);

  private QueryException error(String query) {
    Throwable t = catchThrowable(() -> engine.parse(query));
    assertThat(t).as(query).isInstanceOf(QueryException.class);
    return (QueryException) t;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '~',
      value = {
        "rate(http_requests_total[5m)       | 1:28: expected \"]\" after range duration, got \")\"",
        "sum(cpu                            | 1:8: expected \")\" to close aggregation sum, got end"
            + " of input",
        "cpu{node=\"a\"                     | 1:13: expected \",\" or \"}\" after label matcher,"
            + " got end of input",
        "cpu{node~\"a\"}                    | 1:9: expected label matching operator (=, !=, =~, !~)"
            + " after label name \"node\"",
        "cpu{node=a}                        | 1:10: expected quoted label value after node=",
        "foo(bar)                           | 1:1: unknown function \"foo\"",
        "rate(cpu)                          | 1:6: expected type range vector in call to function"
            + " \"rate\", got instant vector",
        "rate(cpu[1m], 2)                   | 1:1: function \"rate\" takes 1 argument, got 2",
        "sum(cpu[5m])                       | 1:5: expected type instant vector in aggregation"
            + " expression, got range vector",
        "cpu{mode=~\"(\"}                   | 1:11: invalid regular expression \"(\": Unclosed"
            + " group",
        "1 > 2                              | 1:3: comparisons between scalars must use the bool"
            + " modifier",
        "cpu[0s]                            | 1:5: range duration must be greater than 0",
        "cpu[5x]                            | 1:6: expected duration unit (ms, s, m, h, d, w, y)"
            + " after 5",
        "cpu[]                              | 1:5: expected range duration such as 5m, got \"]\"",
        "{}                                 | 1:1: vector selector must contain a metric name or a"
            + " non-empty matcher",
        "{mode=~\".*\"}                     | 1:1: vector selector must contain a metric name or a"
            + " non-empty matcher",
        "cpu offset -5m                     | 1:12: negative offsets are not supported",
        "cpu @ 1000                         | 1:5: the @ modifier is not supported",
        "cpu offset 5m offset 1m            | 1:15: unexpected \"offset\"",
        "rate(x[5m:1m])                     | 1:10: subqueries are not supported",
        "(cpu)[5m]                          | 1:6: ranges are only allowed on vector selectors"
            + " (subqueries are not supported)",
        "cpu +                              | 1:6: unexpected end of input, expected an expression",
        "cpu and 1                          | 1:5: set operator \"and\" not allowed in binary"
            + " scalar expression",
        "cpu or on(node) group_left mem     | 1:17: no grouping allowed for \"or\" operation",
        "cpu / group_left mem               | 1:7: group_left needs on(…) or ignoring(…) before it",
        "cpu / on(node) group_left(node) mem  | 1:32: label \"node\" must not occur in ON and GROUP"
            + " clause at once",
        "cpu + bool mem                     | 1:7: bool modifier can only be used on comparison"
            + " operators",
        "1 + on(node) 2                     | 1:3: vector matching (on, ignoring) is only allowed"
            + " between instant vectors",
        "cpu[5m] + 1                        | 1:1: binary expression must contain only scalar and"
            + " instant vector types",
        "sum by (node (cpu)                 | 1:14: expected \",\" or \")\" in by clause, got"
            + " \"(\"",
        "sum(cpu, mem)                      | 1:8: aggregation sum takes exactly one argument",
        "cpu{node=\"a\\q\"}                 | 1:12: invalid escape \\q",
        "cpu{node=\"a}                      | 1:10: unterminated string",
        "cpu mem                            | 1:5: unexpected \"mem\"",
        "5m                                 | 1:1: unexpected duration or name after number \"5\""
            + " (durations are only allowed in [...])",
        "histogram_quantile(cpu, 0.5)       | 1:20: expected type scalar in call to function"
            + " \"histogram_quantile\", got instant vector",
        "~~                                 | 1:1: empty query",
      })
  void reportsLineColumnAndReason(String query, String message) {
    assertThat(error(query.strip())).hasMessage(message.strip());
  }

  @Test
  void positionsCountLinesAndColumns() {
    QueryException e = error("sum(\n  rate(x[5x]))");
    assertThat(e.line()).isEqualTo(2);
    assertThat(e.column()).isEqualTo(11);
    assertThat(e.offset()).isEqualTo(15);
    assertThat(e.reason()).isEqualTo("expected duration unit (ms, s, m, h, d, w, y) after 5");
    assertThat(e).hasMessage("2:11: " + e.reason());
  }

  @Test
  void everyPrefixOfValidQueriesParsesOrFailsWithAQueryException() {
    store.append(new Sample("cpu", Labels.of("node", "a"), System.currentTimeMillis(), 1));
    List<String> valid =
        List.of(
            "avg by (node) (rate(node_cpu_seconds_total{mode!=\"idle\", node=~\"a|b\"}[1m]))",
            "histogram_quantile(0.99, sum without (pod) (rate(http.server.duration_bucket[5m])))",
            "-(cpu{node=\"a\"} * 2 ^ 3) / on(node) mem > bool 0.5e1",
            "quantile_over_time(0.9, {__name__=~\"c.*\", 'x'!~`y`}[1h30m]) % 0x1F",
            "sum(cpu) by (node) - count without (node) (cpu) + time() # comment");
    for (String q : valid) {
      assertThat(engine.parse(q).text()).isEqualTo(q);
      for (int i = 0; i <= q.length(); i++) {
        String prefix = q.substring(0, i);
        try {
          engine.instant(prefix, System.currentTimeMillis());
        } catch (QueryException expected) {
          assertThat(expected.offset()).isBetween(0, prefix.length());
        } catch (RuntimeException other) {
          fail("\"" + prefix + "\" threw " + other, other);
        }
      }
    }
  }
}
