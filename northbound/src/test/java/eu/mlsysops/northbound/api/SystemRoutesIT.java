package eu.mlsysops.northbound.api;

import static eu.mlsysops.northbound.api.AppRoutesIT.quote;
import static eu.mlsysops.northbound.api.ApiFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Topology, plans, mechanisms, telemetry, mode, infrastructure, the health check and docs. */
class SystemRoutesIT {
  static final String NODE = """
      MLSysOpsNode:
        name: %s
        cluster_id: %s
        continuum_layer: edge
        environment: {node_type: native, os: ubuntu, container_runtime: [containerd]}
        hardware:
          cpu: {model: cortex-a72, architecture: arm64, cores: 4, frequency: [0.6, 1.0, 1.5]}
          memory: 4
          disk: "64"
      """;
  static final String DATACENTER = """
      MLSysOpsDatacenter:
        datacenter_id: dc-1
        cluster_id: lab
        continuum: cloud
        nodes: [lab-1]
        continent: europe
        country: el
        city: volos
        cloud_provider: private
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
  void tierConfigurationDisablesPoliciesLiveAndRejectsBadDocuments() {
    HttpResponse<String> set = api.put("/api/v1/agents/node/config", api.admin,
        "application/yaml", "disabled_policies: [cpu-frequency, not-loaded]\n");
    assertThat(set.statusCode()).isEqualTo(200);
    JsonNode body = json(set);
    assertThat(body.get("disabled_policies").findValuesAsText("")).isEmpty();
    assertThat(body.get("disabled_policies").toString())
        .isEqualTo("[\"cpu-frequency\",\"not-loaded\"]");
    assertThat(body.get("warnings").get(0).asText()).contains("not-loaded");
    assertThat(json(api.get("/api/v1/agents/node/config")).get("disabled_policies").toString())
        .isEqualTo("[\"cpu-frequency\",\"not-loaded\"]");
    JsonNode policies = json(api.get("/api/v1/policies")).get("tiers").get("node");
    assertThat(policies.toString()).contains("cpu-frequency");

    HttpResponse<String> bad = api.put("/api/v1/agents/node/config", api.admin,
        "application/json", "{\"disabled_policies\": [1], \"colour\": \"blue\"}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("\"path\":\"colour\"").contains("disabled_policies[0]");
    assertThat(api.put("/api/v1/agents/galaxy/config", api.admin, "application/yaml", "{}")
        .statusCode()).isEqualTo(404);
    assertThat(api.put("/api/v1/agents/node/config", api.admin, "application/yaml", "- a list")
        .statusCode()).isEqualTo(400);

    assertThat(api.delete("/api/v1/agents/node/config", api.admin).statusCode()).isEqualTo(204);
    assertThat(json(api.get("/api/v1/agents/node/config")).get("disabled_policies").size())
        .isZero();
  }

  @Test
  void unsupportedMethodOnAKnownPathIs405WithAllow() {
    HttpResponse<String> r = api.send("PATCH", "/api/v1/apps", api.admin, null, null);
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("Allow")).hasValue("GET, POST");
    assertThat(r.headers().firstValue("Content-Type").orElse(""))
        .startsWith("application/problem+json");
    assertThat(api.send("PATCH", "/api/v1/apps/some-app", api.admin, null, null).headers()
        .firstValue("Allow")).hasValue("DELETE, GET, PUT");
    assertThat(api.get("/api/v1/nothing-here").statusCode()).isEqualTo(404);
  }

  @Test
  void topologyTreeClustersAndNodes() {
    JsonNode tree = json(api.get("/api/v1/continuum"));
    assertThat(tree.get("id").asText()).isEqualTo("demo-continuum");
    assertThat(tree.get("mode").asText()).isIn("heuristic", "ml", "any");
    assertThat(tree.get("clusters").findValuesAsText("id")).contains("cloud", "edge");

    JsonNode clusters = json(api.get("/api/v1/clusters"));
    assertThat(clusters.get("total").asInt()).isGreaterThanOrEqualTo(2);
    JsonNode edge = json(api.get("/api/v1/clusters/edge"));
    assertThat(edge.get("status").asText()).isEqualTo("running");
    assertThat(edge.get("nodes").findValuesAsText("name")).contains("edge-1", "far-1");
    assertThat(api.get("/api/v1/clusters/nowhere").statusCode()).isEqualTo(404);

    JsonNode nodes = json(api.get("/api/v1/nodes?limit=100"));
    assertThat(nodes.get("total").asInt()).isGreaterThanOrEqualTo(8);
    await().atMost(10, TimeUnit.SECONDS).until(() -> !json(api.get("/api/v1/nodes/edge-1"))
        .get("telemetry").get("node_cpu_utilization").isNull());
    JsonNode e1 = json(api.get("/api/v1/nodes/edge-1"));
    assertThat(e1.get("cluster").asText()).isEqualTo("edge");
    assertThat(e1.get("layer").asText()).isEqualTo("edge");
    assertThat(e1.get("healthy").asBoolean()).isTrue();
    assertThat(e1.get("cpu").get("cores").asInt()).isEqualTo(4);
    assertThat(e1.get("cpu").get("architecture").asText()).isEqualTo("arm64");
    assertThat(e1.get("cpu").get("frequencies_ghz")).hasSize(3);
    assertThat(e1.get("memory_bytes").asLong()).isPositive();
    assertThat(e1.get("sensors").get(0).asText()).isEqualTo("camera/d455");
    assertThat(e1.get("telemetry").has("node_power_watts")).isTrue();
    assertThat(e1.get("descriptor").get("MLSysOpsNode").get("name").asText()).isEqualTo("edge-1");
    assertThat(api.get("/api/v1/nodes/nope").statusCode()).isEqualTo(404);
  }

  @Test
  void plansAreListedFilteredAndExplained() {
    api.postYaml("/api/v1/apps", api.admin, ApiFixture.demoApp("planned"));
    await().atMost(30, TimeUnit.SECONDS).until(() -> api.phase("planned").equals("Running"));

    JsonNode page = json(api.get("/api/v1/plans?app=planned&status=Completed&limit=100"));
    assertThat(page.get("total").asInt()).isPositive();
    JsonNode plan = page.get("items").get(0);
    assertThat(plan.get("app").asText()).isEqualTo("planned");
    assertThat(plan.get("status").asText()).isEqualTo("Completed");
    assertThat(plan.get("commands").get(0).has("mechanism")).isTrue();
    assertThat(plan.get("created").asText()).endsWith("Z");

    String agent = plan.get("agent").asText();
    JsonNode byAgent = json(api.get("/api/v1/plans?agent=" + agent + "&limit=1000"));
    assertThat(byAgent.get("items").findValuesAsText("agent")).containsOnly(agent);
    assertThat(json(api.get("/api/v1/plans?policy=no-such-policy")).get("total").asInt()).isZero();
    // Placement plans are made by cluster agents (the continuum only assigns clusters).
    JsonNode byTier = json(api.get("/api/v1/plans?app=planned&tier=cluster&limit=1000"));
    assertThat(byTier.get("total").asInt()).isPositive();
    assertThat(byTier.get("items").findValuesAsText("tier")).containsOnly("cluster");
    assertThat(byTier.get("items").findValuesAsText("agent")).doesNotContain("demo-continuum");
    HttpResponse<String> badTier = api.get("/api/v1/plans?tier=galaxy");
    assertThat(badTier.statusCode()).isEqualTo(400);
    assertThat(json(badTier).get("detail").asText()).startsWith("tier: \"galaxy\" is not a tier");

    JsonNode one = json(api.get("/api/v1/plans/" + plan.get("id").asText()));
    assertThat(one.get("id").asText()).isEqualTo(plan.get("id").asText());
    List<String> statuses = one.get("history").findValuesAsText("status");
    assertThat(statuses).startsWith("Pending").endsWith("Completed");

    assertThat(api.get("/api/v1/plans/no-such-plan").statusCode()).isEqualTo(404);
    HttpResponse<String> bad = api.get("/api/v1/plans?status=Sleeping");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(json(bad).get("detail").asText()).contains("Sleeping");
  }

  @Test
  void mechanismsOfEveryAgent() {
    JsonNode all = json(api.get("/api/v1/mechanisms?limit=1000"));
    assertThat(all.get("items").findValuesAsText("agent")).contains("demo-continuum", "edge", "edge-1");
    JsonNode edge1 = json(api.get("/api/v1/mechanisms?agent=edge-1"));
    assertThat(edge1.get("items").findValuesAsText("agent")).containsOnly("edge-1");
    assertThat(edge1.get("items").get(0).has("options")).isTrue();
    assertThat(edge1.get("items").get(0).has("state")).isTrue();
  }

  @Test
  void telemetrySeriesAndNames() {
    await().atMost(10, TimeUnit.SECONDS).until(() -> json(api.get("/api/v1/telemetry"))
        .get("metrics").toString().contains("node_cpu_utilization"));
    // Per-node summaries are held by the cluster agents; the continuum has per-cluster ones,
    // except the three node figures its views show per node (the edge cluster has five nodes).
    await().atMost(10, TimeUnit.SECONDS).until(() -> json(api.get(
        "/api/v1/telemetry?metric=node_cpu_utilization&label.cluster=edge")).get("series").size() == 5);
    await().atMost(10, TimeUnit.SECONDS).until(() -> json(api.get(
        "/api/v1/telemetry?metric=node_memory_MemAvailable_bytes&label.cluster=edge"))
        .get("series").size() == 1);
    JsonNode perCluster =
        json(api.get("/api/v1/telemetry?metric=node_memory_MemAvailable_bytes&window=60s"));
    assertThat(perCluster.get("series")).isNotEmpty()
        .allSatisfy(x -> assertThat(x.get("labels").has("node")).isFalse());
    JsonNode t = json(api.get("/api/v1/telemetry?metric=node_cpu_utilization&window=60s"
        + "&label.node=edge-1&level=cluster"));
    assertThat(t.get("metric").asText()).isEqualTo("node_cpu_utilization");
    assertThat(t.get("series")).hasSize(1);
    JsonNode s = t.get("series").get(0);
    assertThat(s.get("labels").get("node").asText()).isEqualTo("edge-1");
    JsonNode point = s.get("points").get(0);
    assertThat(point.get(0).asLong()).isPositive();
    assertThat(point.get(1).isNumber()).isTrue();
    assertThat(json(api.get("/api/v1/telemetry?metric=no_such_metric")).get("series")).isEmpty();
    assertThat(api.get("/api/v1/telemetry?metric=x&level=galaxy").statusCode()).isEqualTo(400);
    for (String w : List.of("soon", "-5s", "0s", "400h")) {
      assertThat(api.get("/api/v1/telemetry?metric=node_cpu_utilization&window=" + w).statusCode())
          .as(w).isEqualTo(400);
    }
  }

  @Test
  void malformedUrisGetAProblemDocumentNotAnHtmlPage() {
    for (String path : List.of("/apps/status/%00", "/api/v1/apps/%00", "/api/v1/apps/a%2F..%2Fb")) {
      HttpResponse<String> r = api.get(path);
      assertThat(r.statusCode()).as(path).isBetween(400, 404);
      assertThat(r.headers().firstValue("content-type").orElse("")).as(path)
          .startsWith("application/problem+json");
      assertThat(json(r).get("status").asInt()).isEqualTo(r.statusCode());
      assertThat(r.body()).doesNotContain("<html");
    }
  }

  @Test
  void modeSwitchesBothWays() {
    HttpResponse<String> ml = api.put("/api/v1/mode/ml", api.admin, null, null);
    assertThat(ml.statusCode()).isEqualTo(200);
    assertThat(json(ml).get("mode").asText()).isEqualTo("ml");
    assertThat(json(api.get("/manage/ping", null)).get("mode").asText()).isEqualTo("ml");
    assertThat(api.continuum.nodes().get("edge-1").engine().mode().name().toLowerCase(Locale.ROOT))
        .isEqualTo("ml");

    assertThat(json(api.put("/manage/mode/0", api.admin, null, null)).get("mode").asText())
        .isEqualTo("heuristic");
    assertThat(json(api.put("/manage/mode/1", api.admin, null, null)).get("mode").asText())
        .isEqualTo("ml");
    assertThat(json(api.put("/api/v1/mode/heuristic", api.admin, null, null)).get("mode").asText())
        .isEqualTo("heuristic");
    assertThat(api.put("/api/v1/mode/turbo", api.admin, null, null).statusCode()).isEqualTo(400);
    assertThat(api.put("/manage/mode/2", api.admin, null, null).statusCode()).isEqualTo(400);
  }

  @Test
  void pingNamesTheContinuum() {
    JsonNode p = json(api.get("/manage/ping", null));
    assertThat(p.get("status").asText()).isEqualTo("ok");
    assertThat(p.get("agent").asText()).isEqualTo("demo-continuum");
  }

  @Test
  void nodeRegisteredThroughTheApiJoinsAndLeaves() {
    HttpResponse<String> r = api.postJson("/infra/register", api.admin,
        "{\"yaml\": " + quote(NODE.formatted("edge-9", "edge")) + "}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode reg = json(r);
    assertThat(reg.get("id").asText()).isEqualTo("edge-9");
    assertThat(reg.get("kind").asText()).isEqualTo("MLSysOpsNode");
    assertThat(reg.get("status").asText()).isEqualTo("Registered");

    await().atMost(10, TimeUnit.SECONDS).until(() -> api.get("/api/v1/nodes/edge-9").statusCode() == 200
        && json(api.get("/infra/node/edge-9")).get("healthy").asBoolean());
    JsonNode node = json(api.get("/infra/node/edge-9"));
    assertThat(node.get("cluster").asText()).isEqualTo("edge");
    assertThat(node.get("descriptor").get("MLSysOpsNode").get("cluster_id").asText()).isEqualTo("edge");
    assertThat(json(api.get("/infra/list/")).get("nodes").findValuesAsText("id")).contains("edge-9");
    assertThat(api.postJson("/infra/register", api.admin,
        "{\"yaml\": " + quote(NODE.formatted("edge-9", "edge")) + "}").statusCode()).isEqualTo(409);

    HttpResponse<String> gone = api.delete("/infra/unregister/edge-9", api.admin);
    assertThat(gone.statusCode()).isEqualTo(200);
    assertThat(json(gone).get("status").asText()).isEqualTo("Unregistered");
    assertThat(api.continuum.nodes()).doesNotContainKey("edge-9");
    assertThat(api.delete("/infra/unregister/edge-9", api.admin).statusCode()).isEqualTo(404);
  }

  @Test
  void nodeForAnUnknownClusterNamesTheField() {
    HttpResponse<String> r = api.postJson("/infra/register", api.admin,
        "{\"yaml\": " + quote(NODE.formatted("stray-1", "atlantis")) + "}");
    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode error = json(r).get("errors").get(0);
    assertThat(error.get("path").asText()).isEqualTo("cluster_id");
    assertThat(error.get("message").asText()).contains("atlantis");

    HttpResponse<String> invalid = api.postJson("/infra/register", api.admin,
        "{\"yaml\": \"MLSysOpsNode:\\n  name: n1\\n\"}");
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(json(invalid).get("errors").toString()).contains("continuum_layer");
    HttpResponse<String> app = api.postJson("/infra/register", api.admin,
        "{\"yaml\": " + quote(ApiFixture.demoApp("not-infra")) + "}");
    assertThat(app.statusCode()).isEqualTo(400);
    assertThat(json(app).get("detail").asText()).contains("/apps/deploy");
    assertThat(api.postJson("/infra/register", api.admin, "{\"yaml\": ").statusCode()).isEqualTo(400);
    assertThat(api.send("POST", "/infra/register", api.admin, "text/plain", "x").statusCode())
        .isEqualTo(415);
  }

  @Test
  void clustersAndDatacentersAreRecordedAndListed() {
    HttpResponse<String> c = api.postJson("/infra/register", api.admin,
        "{\"yaml\": {\"MLSysOpsCluster\": {\"name\": \"lab\", \"cluster_id\": \"lab\","
            + " \"nodes\": [\"lab-1\"]}}}");
    assertThat(c.statusCode()).as(c.body()).isEqualTo(200);
    assertThat(json(c).get("kind").asText()).isEqualTo("MLSysOpsCluster");
    HttpResponse<String> d = api.postJson("/infra/register", api.admin,
        "{\"yaml\": " + quote(DATACENTER) + "}");
    assertThat(d.statusCode()).as(d.body()).isEqualTo(200);
    assertThat(json(d).get("id").asText()).isEqualTo("dc-1");

    JsonNode list = json(api.get("/infra/list/"));
    JsonNode lab = find(list.get("clusters"), "lab");
    assertThat(lab.get("status").asText()).isEqualTo("registered (no agent)");
    assertThat(find(list.get("clusters"), "edge").get("status").asText()).isEqualTo("running");
    assertThat(find(list.get("datacenters"), "dc-1").get("cluster").asText()).isEqualTo("lab");
    assertThat(json(api.get("/api/v1/clusters/lab")).get("status").asText())
        .isEqualTo("registered (no agent)");

    JsonNode labDetail = json(api.get("/infra/cluster/lab"));
    assertThat(labDetail.get("healthy").asBoolean()).isFalse();
    assertThat(labDetail.get("descriptor").get("MLSysOpsCluster").get("cluster_id").asText())
        .isEqualTo("lab");
    JsonNode edgeDetail = json(api.get("/infra/cluster/edge"));
    assertThat(edgeDetail.get("status").asText()).isEqualTo("running");
    assertThat(edgeDetail.get("nodes").findValuesAsText("name")).contains("edge-1");
    JsonNode dc = json(api.get("/infra/datacenter/dc-1"));
    assertThat(dc.get("descriptor").get("MLSysOpsDatacenter").get("city").asText()).isEqualTo("volos");
    assertThat(dc.get("nodes").get(0).get("healthy").asBoolean()).isFalse();

    assertThat(api.postJson("/infra/register", api.admin, "{\"yaml\": " + quote(DATACENTER) + "}")
        .statusCode()).isEqualTo(409);
    assertThat(api.delete("/infra/unregister/edge", api.admin).statusCode()).isEqualTo(409);
    assertThat(api.get("/infra/cluster/nowhere").statusCode()).isEqualTo(404);
    assertThat(api.get("/infra/datacenter/nowhere").statusCode()).isEqualTo(404);
    assertThat(api.get("/infra/node/nowhere").statusCode()).isEqualTo(404);
    assertThat(api.delete("/infra/unregister/nowhere", api.admin).statusCode()).isEqualTo(404);

    assertThat(api.delete("/infra/unregister/dc-1", api.admin).statusCode()).isEqualTo(200);
    assertThat(api.delete("/infra/unregister/lab", api.admin).statusCode()).isEqualTo(200);
    assertThat(json(api.get("/infra/list/")).get("datacenters")).isEmpty();
  }

  @Test
  void openApiDocumentCoversEveryRoute() {
    HttpResponse<String> r = api.get("/api/v1/openapi.json", null);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    JsonNode doc = json(r);
    assertThat(doc.get("openapi").asText()).startsWith("3.1");
    List<String> missing = new ArrayList<>();
    for (RouteTable.Route route : api.server.routes().routes()) {
      JsonNode path = doc.get("paths").get(route.path());
      if (path == null || path.get(route.method().toLowerCase(Locale.ROOT)) == null) {
        missing.add(route.method() + " " + route.path());
      }
    }
    assertThat(missing).as("routes missing from openapi.json").isEmpty();
    assertThat(api.server.routes().routes()).hasSizeGreaterThanOrEqualTo(39);
  }

  @Test
  void dashboardIsServedAndUnknownRoutesAreProblems() {
    HttpResponse<String> index = api.get("/", null);
    assertThat(index.statusCode()).isEqualTo(200);
    assertThat(index.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");

    HttpResponse<String> unknown = api.get("/api/v1/nothing-here");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(json(unknown).get("status").asInt()).isEqualTo(404);
  }

  private static JsonNode find(JsonNode array, String id) {
    for (JsonNode n : array) {
      if (n.get("id").asText().equals(id)) {
        return n;
      }
    }
    throw new AssertionError("no " + id + " in " + array);
  }
}
