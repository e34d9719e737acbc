package eu.mlsysops.agent.tier;

import static org.assertj.core.api.Assertions.assertThat;

import eu.mlsysops.agent.engine.EngineFixture;
import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.Sample;
import java.time.Clock;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class AgentHealthTest {
  @Test
  void budgetRefusalsAreCountedPerSourceUnderItsAppAndInstance() {
    MetricStore store = MetricStore.builder().clock(Clock.systemUTC()).maxSeries(400).build();
    try (EngineFixture f = new EngineFixture()) {
      AgentHealth health = new AgentHealth("n1", "node", store, f.engine, f.scheduler, () -> 0,
          null);
      long now = System.currentTimeMillis();
      for (int i = 0; i < 90; i++) { // 100 per app; 25 per instance once the app holds 75
        store.append(new Sample("spam", Labels.of("app", "shop", "instance", "shop/web/0", "k",
            Integer.toString(i)), now, 1));
      }
      for (int i = 0; i < 110; i++) {
        store.append(new Sample("spam", Labels.of("app", "flood", "k", Integer.toString(i)),
            now, 1));
      }
      health.record(now);

      Map<Map<String, String>, Double> dropped = store.lastValues("mls_telemetry_dropped_total",
              Map.of(), java.time.Duration.ofMinutes(1)).stream()
          .filter(s -> s.labels().get("reason").endsWith("_budget"))
          .collect(Collectors.toMap(s -> s.labels().map(), Sample::value));
      assertThat(dropped).isEqualTo(Map.of(
          Map.of("agent", "n1", "tier", "node", "reason", "instance_budget", "app", "shop",
              "instance", "shop/web/0"), 15.0,
          Map.of("agent", "n1", "tier", "node", "reason", "app_budget", "app", "flood"), 10.0));
    }
  }
}
