package eu.mlsysops.northbound.api;

import static eu.mlsysops.northbound.api.ApiFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.Plan;
import eu.mlsysops.agent.plan.PlanRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Node trust through the API and the event stream; the ML mode switch end to end. */
class TrustAndMlModeIT {
  @TempDir static Path dir;
  static ApiFixture api;

  @BeforeAll
  static void start() {
    api = ApiFixture.start(dir);
  }

  @AfterAll
  static void stop() {
    assertThat(api.server.internalErrors()).isZero();
    api.close();
  }

  @Test
  void everyNodeCarriesItsTrustWithComponents() {
    await().atMost(10, TimeUnit.SECONDS).until(() ->
        json(api.get("/api/v1/nodes?limit=100")).get("items").findValues("trust").stream()
            .allMatch(JsonNode::isObject));
    JsonNode t = json(api.get("/api/v1/nodes/edge-1")).get("trust");
    // Behaviour depends on how loaded the test machine is (late or missed heartbeats): only
    // identity and capability are certain here.
    assertThat(t.get("score").asDouble()).isBetween(0.0, 1.0);
    assertThat(t.get("level").asText()).isIn("high", "medium", "low");
    assertThat(t.get("identity").asDouble()).isEqualTo(1.0);
    assertThat(t.has("behaviour")).isTrue();
    assertThat(t.get("capability").asDouble()).isEqualTo(1.0);
    assertThat(t.get("reasons").isArray()).isTrue();
    assertThat(t.get("placement_threshold").asDouble()).isEqualTo(0.5);
    JsonNode tree = json(api.get("/api/v1/continuum"));
    assertThat(tree.findValues("trust")).hasSize(8).allMatch(JsonNode::isObject);
  }

  @Test
  void trustCrossingALevelIsStreamedAndExplained() throws Exception {
    ApiFixture.EventLines stream = api.events(api.admin);
    List<String> lines = stream.lines;
    await().atMost(5, TimeUnit.SECONDS).until(() -> api.events.subscriberCount() >= 1);

    // Plans the node's mechanism refuses: real failures, observed through the node's scheduler.
    var scheduler = api.continuum.nodes().get("far-2").scheduler();
    for (int i = 0; i < 14; i++) {
      scheduler.submit(new PlanRequest(null, "broken-policy", "", false, Plan.of(
          Command.of("cpu_frequency", "set", "ghz", "fast"), "test", Map.of())));
    }
    await().atMost(15, TimeUnit.SECONDS).until(() -> lines.stream().anyMatch(l ->
        l.startsWith("data: ") && l.contains("node far-2 trust medium → low")));
    String data = lines.stream().filter(l -> l.contains("node far-2 trust medium → low"))
        .findFirst().orElseThrow();
    assertThat(lines.get(lines.indexOf(data) - 1)).isEqualTo("event: trust");
    JsonNode event = Json.MAPPER.readTree(data.substring(6));
    assertThat(event.get("kind").asText()).isEqualTo("trust");
    assertThat(event.get("message").asText()).contains("failed plans");
    stream.close();

    JsonNode t = json(api.get("/api/v1/nodes/far-2")).get("trust");
    assertThat(t.get("level").asText()).isEqualTo("low");
    assertThat(t.get("score").asDouble()).isLessThan(0.5);
    assertThat(t.get("reasons").get(0).asText()).contains("failed plans in the last");
    assertThat(t.get("explanation").asText()).startsWith(
        String.format(java.util.Locale.ROOT, "%.2f: ", t.get("score").asDouble()));
  }

  @Test
  void manageModeMlSwitchesNodesToTheLearnedPolicy() {
    assertThat(json(api.put("/manage/mode/ml", api.admin, null, null)).get("mode").asText())
        .isEqualTo("ml");
    await().atMost(30, TimeUnit.SECONDS).until(() -> json(api.get(
        "/api/v1/plans?policy=ml-cpu-frequency&status=Completed&limit=5")).get("total").asInt() > 0);
    JsonNode plan = json(api.get("/api/v1/plans?policy=ml-cpu-frequency&status=Completed&limit=5"))
        .get("items").get(0);
    assertThat(plan.get("explanation").asText()).startsWith("Q-learning (").contains("Q(stay)=");
    assertThat(plan.get("inputs").has("q_up")).isTrue();
    assertThat(json(api.put("/manage/mode/heuristic", api.admin, null, null)).get("mode").asText())
        .isEqualTo("heuristic");
  }
}
