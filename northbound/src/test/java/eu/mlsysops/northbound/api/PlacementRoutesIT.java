package eu.mlsysops.northbound.api;

import static eu.mlsysops.northbound.api.ApiFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dry runs, placement explanations and unschedulable components through the API. */
class PlacementRoutesIT {
  @TempDir static Path dir;
  static ApiFixture api;

  @BeforeAll
  static void start() {
    api = ApiFixture.start(dir);
  }

  /** Every node answers heartbeats (a loaded machine can make one miss a few). */
  private static void allNodesHealthy() {
    await().atMost(20, TimeUnit.SECONDS).until(() -> api.continuum.continuum().clusters().stream()
        .flatMap(c -> c.nodes().stream()).allMatch(n -> n.healthy()));
  }

  @AfterAll
  static void stop() {
    assertThat(api.server.internalErrors()).isZero();
    api.close();
  }

  static final String NEEDS_A_MISSING_CAMERA = """
      MLSysOpsApp:
        name: NAME
        components:
          - metadata: {name: spotter}
            node_placement: {continuum_layer: [edge]}
            sensors: [{camera: {model: imx477}}]
            containers:
              - image: spotter
                platform_requirements: {cpu: {requests: "100m"}}
      """;

  @Test
  void dryRunShowsEveryCandidateScoreAndDeploysNothing() {
    allNodesHealthy();
    HttpResponse<String> r =
        api.postYaml("/api/v1/apps?dryRun=true", api.admin, ApiFixture.demoApp("dry-a"));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode d = json(r);
    assertThat(d.get("dry_run").asBoolean()).isTrue();
    assertThat(d.get("placeable").asBoolean()).isTrue();
    assertThat(d.get("components").findValuesAsText("name"))
        .containsExactly("camera-ingest", "detector", "analytics");
    JsonNode camera = d.get("components").get(0);
    assertThat(camera.get("cluster").asText()).isEqualTo("edge");
    JsonNode slot0 = camera.get("instances").get(0);
    assertThat(slot0.get("node").asText()).isEqualTo("edge-1"); // the only d455 camera
    assertThat(slot0.get("candidates")).hasSize(1);
    assertThat(slot0.get("rejected").get("missing sensor camera/d455").asInt()).isPositive();
    JsonNode analytics = d.get("components").get(2);
    assertThat(analytics.get("cluster").asText()).isEqualTo("cloud");
    assertThat(analytics.get("instances")).hasSize(2);
    JsonNode first = analytics.get("instances").get(0);
    // Every cloud node is a candidate, each with its score and breakdown.
    assertThat(first.get("candidates").findValuesAsText("node"))
        .containsExactlyInAnyOrder("cloud-1", "cloud-2", "cloud-3");
    assertThat(first.get("candidates").get(0).get("scores").has("least_allocated")).isTrue();
    assertThat(first.get("score").asDouble())
        .isEqualTo(first.get("candidates").get(0).get("score").asDouble());
    // Two instances spread over two nodes.
    assertThat(analytics.get("instances").get(1).get("node").asText())
        .isNotEqualTo(first.get("node").asText());

    assertThat(api.get("/api/v1/apps/dry-a").statusCode()).isEqualTo(404);
  }

  @Test
  void aDryRunListsAsManyCandidatesAsAskedAndCountsTheFeasibleOnes() {
    allNodesHealthy();
    HttpResponse<String> r = api.postYaml("/api/v1/apps?dryRun=true&candidates=1", api.admin,
        ApiFixture.demoApp("dry-e"));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode analytics = json(r).get("components").get(2).get("instances").get(0);
    assertThat(analytics.get("candidates")).hasSize(1);
    assertThat(analytics.get("feasible").asInt()).isEqualTo(3);
    assertThat(analytics.get("candidates").get(0).get("node").asText())
        .isEqualTo(analytics.get("node").asText());
    for (String bad : new String[] {"0", "101", "all"}) {
      HttpResponse<String> refused = api.postYaml("/api/v1/apps?dryRun=true&candidates=" + bad,
          api.admin, ApiFixture.demoApp("dry-f"));
      assertThat(refused.statusCode()).isEqualTo(400);
      assertThat(json(refused).get("detail").asText()).startsWith("candidates must be a whole"
          + " number from 1 to 100");
    }
  }

  @Test
  void dryRunOfAnUnplaceableComponentExplainsItPerConstraint() {
    allNodesHealthy();
    HttpResponse<String> r = api.postYaml("/api/v1/apps?dryRun=true", api.admin,
        NEEDS_A_MISSING_CAMERA.replace("NAME", "dry-b"));

    JsonNode c = json(r).get("components").get(0);
    assertThat(json(r).get("placeable").asBoolean()).isFalse();
    assertThat(c.get("cluster").asText()).isEmpty();
    assertThat(c.get("unschedulable").asText())
        .isEqualTo("0/8 nodes: 5 wrong continuum_layer, 3 missing sensor camera/imx477");
    assertThat(api.postYaml("/api/v1/apps?dryRun=maybe", api.admin,
        NEEDS_A_MISSING_CAMERA.replace("NAME", "dry-c")).statusCode()).isEqualTo(400);
  }

  @Test
  void theDryRunOfAnAppThatIsDeployedSaysADeployWouldBeRefused() {
    allNodesHealthy();
    String yaml = ApiFixture.demoApp("dry-twice");
    assertThat(api.postYaml("/api/v1/apps", api.admin, yaml).statusCode()).isEqualTo(201);
    HttpResponse<String> r = api.postYaml("/api/v1/apps?dryRun=true", api.admin, yaml);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode w = json(r).get("warnings").get(0);
    assertThat(w.get("path").asText()).isEqualTo("name");
    assertThat(w.get("message").asText()).startsWith("an app named \"dry-twice\" already exists:"
        + " deploying this would be refused (409)");
    assertThat(json(r).get("components")).isNotEmpty();
    assertThat(api.postYaml("/api/v1/apps", api.admin, yaml).statusCode()).isEqualTo(409);
    api.delete("/api/v1/apps/dry-twice", api.admin);
  }

  @Test
  void referenceDeployTakesDryRunToo() {
    allNodesHealthy();
    String body = "{\"yaml\": " + Json.write(ApiFixture.demoApp("dry-ref")) + "}";
    HttpResponse<String> r = api.postJson("/apps/deploy?dry_run=true", api.admin, body);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json(r).get("dry_run").asBoolean()).isTrue();
    assertThat(json(r).get("components")).hasSize(3);
    assertThat(api.get("/apps/status/dry-ref").statusCode()).isEqualTo(404);
  }

  @Test
  void anUnschedulableComponentSaysWhyInStatusDetailsAndHistory() {
    HttpResponse<String> r = api.postYaml("/api/v1/apps", api.admin,
        NEEDS_A_MISSING_CAMERA.replace("NAME", "stuck"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    String why = "0/8 nodes: 5 wrong continuum_layer, 3 missing sensor camera/imx477";

    await().atMost(20, TimeUnit.SECONDS).until(() -> json(api.get("/api/v1/apps/stuck"))
        .get("components").get(0).get("unschedulable").asText().equals(why));
    JsonNode status = json(api.get("/apps/status/stuck"));
    assertThat(status.get("unschedulable").get("spotter").asText()).isEqualTo(why);
    assertThat(json(api.get("/apps/apps/details/stuck")).get("components").get(0)
        .get("details").get("unschedulable").asText()).isEqualTo(why);
    await().atMost(10, TimeUnit.SECONDS).until(() -> json(api.get("/api/v1/apps/stuck"))
        .get("history").toString().contains("stuck/spotter unschedulable: no cluster can take it: "
            + why));
  }

  @Test
  void explainSaysWhyThereAndWhyNotAnotherNode() {
    api.postYaml("/api/v1/apps", api.admin, ApiFixture.demoApp("why-a"));
    await().atMost(30, TimeUnit.SECONDS).until(() -> api.phase("why-a").equals("Running"));

    JsonNode e = json(api.get("/api/v1/apps/why-a/components/camera-ingest/placement"
        + "?node=edge-2"));
    assertThat(e.get("cluster").asText()).isEqualTo("edge");
    assertThat(e.get("current_nodes").findValuesAsText("")).isEmpty();
    assertThat(e.get("current_nodes").get(0).asText()).isEqualTo("edge-1");
    assertThat(e.get("best").asText()).isEqualTo("edge-1");
    assertThat(e.get("rejected").get("edge-2").asText()).isEqualTo("missing sensor camera/d455");
    JsonNode n = e.get("node");
    assertThat(n.get("feasible").asBoolean()).isFalse();
    assertThat(n.get("failed").get(0).asText()).isEqualTo("missing sensor camera/d455");
    assertThat(n.get("verdict").asText()).isEqualTo("edge-2 fails missing sensor camera/d455");

    JsonNode cloud = json(api.get("/api/v1/apps/why-a/components/camera-ingest/placement"
        + "?node=cloud-1")).get("node");
    assertThat(cloud.get("cluster").asText()).isEqualTo("cloud");
    assertThat(cloud.get("failed").findValuesAsText("")).isEmpty();
    List<String> failed = List.of(Json.MAPPER.convertValue(cloud.get("failed"), String[].class));
    assertThat(failed).contains("wrong continuum_layer", "missing sensor camera/d455");

    JsonNode feasible = json(api.get("/api/v1/apps/why-a/components/analytics/placement"
        + "?node=cloud-3")).get("node");
    assertThat(feasible.get("feasible").asBoolean()).isTrue();
    assertThat(feasible.get("scores").has("least_allocated")).isTrue();
    assertThat(feasible.get("verdict").asText()).startsWith("cloud-3 ");

    assertThat(api.get("/api/v1/apps/why-a/components/nope/placement").statusCode())
        .isEqualTo(404);
    assertThat(api.get("/api/v1/apps/nope/components/x/placement").statusCode()).isEqualTo(404);
  }
}
