package eu.mlsysops.northbound.api;

import static eu.mlsysops.northbound.api.ApiFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Policy listing and uploads: loaded at once, broken ones leave nothing, names are checked. */
class PolicyRoutesIT {
  static final String POLICY = """
      import eu.mlsysops.agent.*
      import java.time.Duration

      class WatcherPolicy implements Policy<Void> {
        PolicyContext initialize() {
          PolicyContext.builder("%s").metrics("node_cpu_utilization")
              .analyzeInterval(Duration.ofHours(1)).build()
        }
        Optional<Void> analyze(PolicyView view) { Optional.empty() }
        Plan plan(PolicyView view, Void nothing) { Plan.empty() }
      }
      """;

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
  void listsEveryTierWithItsPolicies() {
    JsonNode tiers = json(api.get("/api/v1/policies")).get("tiers");
    assertThat(tiers.fieldNames()).toIterable().containsExactly("continuum", "cluster", "node");
    assertThat(tiers.get("cluster").get("directory").asText()).endsWith("cluster");
    assertThat(tiers.get("cluster").get("policies").findValuesAsText("name"))
        .contains("static-placement", "qos-relocation");
    assertThat(tiers.get("continuum").get("policies").findValuesAsText("name"))
        .contains("cluster-placement");
    JsonNode cpu = tiers.get("node").get("policies").get(0);
    assertThat(cpu.get("instances").asLong()).isGreaterThanOrEqualTo(8);
    assertThat(cpu.has("last_error")).isTrue();
    assertThat(cpu.get("disabled").asBoolean()).isFalse();
  }

  @Test
  void policiesOfTheOtherModeAreListedAsPausedByIt() {
    // Heuristic, the default: the ML policies are loaded but do not run.
    assertThat(states("node")).containsEntry("cpu-frequency", "enabled")
        .containsEntry("ml-cpu-frequency", "paused (mode heuristic)");
    assertThat(states("cluster")).containsEntry("qos-relocation", "enabled")
        .containsEntry("ml-qos-relocation", "paused (mode heuristic)")
        .containsEntry("dynamic-placement", "enabled");
    JsonNode ml = policy("node", "ml-cpu-frequency");
    assertThat(ml.get("paused_by_mode").asText()).isEqualTo("heuristic");
    assertThat(ml.get("disabled").asBoolean()).isFalse();
    HttpResponse<String> r = api.put("/api/v1/mode/ml", api.admin, null, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    try {
      assertThat(states("node")).containsEntry("cpu-frequency", "paused (mode ml)")
          .containsEntry("ml-cpu-frequency", "enabled");
    } finally {
      api.put("/api/v1/mode/heuristic", api.admin, null, null);
    }
  }

  private static java.util.Map<String, String> states(String tier) {
    java.util.Map<String, String> out = new java.util.TreeMap<>();
    json(api.get("/api/v1/policies")).get("tiers").get(tier).get("policies")
        .forEach(p -> out.put(p.get("name").asText(), p.get("state").asText()));
    return out;
  }

  private static JsonNode policy(String tier, String name) {
    for (JsonNode p : json(api.get("/api/v1/policies")).get("tiers").get(tier).get("policies")) {
      if (p.get("name").asText().equals(name)) {
        return p;
      }
    }
    throw new AssertionError("no policy " + name + " in tier " + tier);
  }

  @Test
  void aPolicyTheTierDisablesIsListedAsDisabled() {
    HttpResponse<String> r = api.put("/api/v1/agents/cluster/config", api.admin,
        "application/json", "{\"disabled_policies\": [\"qos-relocation\"]}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    try {
      JsonNode policies = json(api.get("/api/v1/policies")).get("tiers").get("cluster")
          .get("policies");
      for (JsonNode p : policies) {
        assertThat(p.get("disabled").asBoolean()).as(p.get("name").asText())
            .isEqualTo(p.get("name").asText().equals("qos-relocation"));
      }
    } finally {
      api.put("/api/v1/agents/cluster/config", api.admin, "application/json",
          "{\"disabled_policies\": []}");
    }
  }

  @Test
  void uploadLoadsAtOnceAndDeleteStops() {
    HttpResponse<String> r = api.put("/api/v1/policies/node/policy-watch.groovy", api.admin,
        "text/plain", POLICY.formatted("watcher"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonNode body = json(r);
    assertThat(body.get("tier").asText()).isEqualTo("node");
    assertThat(body.get("file").asText()).isEqualTo("policy-watch.groovy");
    assertThat(body.get("loaded").findValuesAsText("")).isEmpty();
    assertThat(body.get("loaded").get(0).asText()).isEqualTo("watcher");
    JsonNode node = json(api.get("/api/v1/policies")).get("tiers").get("node");
    assertThat(node.get("files").get("policy-watch.groovy").get(0).asText()).isEqualTo("watcher");
    assertThat(node.get("policies").findValuesAsText("name")).contains("watcher");

    assertThat(api.delete("/api/v1/policies/node/policy-watch.groovy", api.admin).statusCode())
        .isEqualTo(204);
    JsonNode after = json(api.get("/api/v1/policies")).get("tiers").get("node");
    assertThat(after.get("files").has("policy-watch.groovy")).isFalse();
    assertThat(after.get("policies").findValuesAsText("name")).doesNotContain("watcher");
    assertThat(api.delete("/api/v1/policies/node/policy-watch.groovy", api.admin).statusCode())
        .isEqualTo(404);
  }

  @Test
  void brokenUploadIsReportedAndLeavesNothingBehind() {
    HttpResponse<String> r = api.put("/api/v1/policies/cluster/policy-broken.groovy", api.admin,
        "text/plain", "class Broken implements eu.mlsysops.agent.Policy { nonsense here }");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).get("detail").asText()).contains("policy-broken.groovy").contains("compile");
    assertThat(Files.exists(api.continuum.policyRoot().resolve("cluster/policy-broken.groovy")))
        .isFalse();
    JsonNode cluster = json(api.get("/api/v1/policies")).get("tiers").get("cluster");
    assertThat(cluster.get("errors").has("policy-broken.groovy")).isFalse();

    // A broken replacement keeps the working version.
    assertThat(api.put("/api/v1/policies/continuum/policy-keep.groovy", api.admin, "text/plain",
        POLICY.formatted("keeper")).statusCode()).isEqualTo(201);
    HttpResponse<String> bad = api.put("/api/v1/policies/continuum/policy-keep.groovy", api.admin,
        "text/plain", "this is not groovy {");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(json(bad).get("detail").asText()).contains("previous version was restored");
    assertThat(json(api.get("/api/v1/policies")).get("tiers").get("continuum").get("policies")
        .findValuesAsText("name")).contains("keeper");
  }

  @Test
  void tierAndFileNamesAreChecked() {
    for (String path : List.of("/api/v1/policies/edge/p.groovy", "/api/v1/policies/node/evil.sh",
        "/api/v1/policies/node/.hidden.groovy", "/api/v1/policies/node/..%2F..%2Fescape.groovy",
        "/api/v1/policies/node/a%20b.groovy", "/api/v1/policies/node/%2e%2e.groovy")) {
      HttpResponse<String> r = api.put(path, api.admin, "text/plain", POLICY.formatted("x"));
      assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(400);
      assertThat(api.delete(path, api.admin).statusCode()).as(path).isEqualTo(400);
    }
    assertThat(Files.exists(api.continuum.policyRoot().resolve("escape.groovy"))).isFalse();
    assertThat(Files.exists(dir.resolve("escape.groovy"))).isFalse();
    assertThat(api.put("/api/v1/policies/node/p.groovy", api.admin, "application/json", "{}")
        .statusCode()).isEqualTo(415);
    assertThat(api.put("/api/v1/policies/node/p.groovy", api.admin, "text/plain", "  ")
        .statusCode()).isEqualTo(400);
  }
}
