package eu.mlsysops.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppsCommandTest extends ApiTestSupport {
  static final String DEMO_APP = "../examples/demo-app.yaml";
  @TempDir Path dir;

  @Test
  void deployAppPostsTheYamlFileWithTheBearerToken() throws Exception {
    api.on("POST /api/v1/apps", 201, Canned.APP_DETAIL);

    ClientRun r = mls("apps", "deploy-app", "--path", DEMO_APP);

    assertThat(r.exitCode()).as(r.err()).isZero();
    FakeApi.Request req = api.only();
    assertThat(req.method()).isEqualTo("POST");
    assertThat(req.path()).isEqualTo("/api/v1/apps");
    assertThat(req.header("Content-Type")).isEqualTo("application/yaml");
    assertThat(req.header("Authorization")).isEqualTo("Bearer " + FakeApi.TOKEN);
    assertThat(req.body()).isEqualTo(Files.readString(Path.of(DEMO_APP)));
    assertThat(r.out()).contains("deployed smart-camera: phase Running, 3 component(s)")
        .contains("mls apps get-app-status smart-camera");
  }

  @Test
  void deployAppTakesTheFileAsAnArgumentTooButNotWithPath() throws Exception {
    api.on("POST /api/v1/apps", 201, Canned.APP_DETAIL);
    ClientRun r = mls("apps", "deploy-app", DEMO_APP);
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(api.only().body()).isEqualTo(Files.readString(Path.of(DEMO_APP)));

    ClientRun both = mls("apps", "deploy-app", DEMO_APP, "--path", DEMO_APP);
    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.err()).contains("mutually exclusive");
  }

  @Test
  void updateAppOfAnInvalidFileSaysWhatIsWrongAndSendsNothing() throws Exception {
    Path f = dir.resolve("bad.yaml");
    Files.writeString(f, Files.readString(Path.of(DEMO_APP))
        .replaceFirst("requests: \"[^\"]+\"", "requests: \"250x\""));

    ClientRun r = mls("apps", "update-app", "--path", f.toString());

    assertThat(r.exitCode()).isNotZero();
    assertThat(r.err()).contains("holds no valid MLSysOpsApp descriptor; nothing sent")
        .contains("\"250x\" is not a");
    assertThat(api.requests()).isEmpty();
  }

  @Test
  void deployAppShowsTheServersWarnings() {
    api.on("POST /api/v1/apps", 201, Canned.APP_DETAIL.replaceFirst("\\{", "{\"warnings\": ["
        + "{\"path\": \"components[0].mobility\", \"message\": \"use mobile\","
        + " \"severity\": \"warning\"}], "));
    ClientRun r = mls("apps", "deploy-app", "--path", DEMO_APP);
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("warning: components[0].mobility: use mobile\n");
  }

  @Test
  void deployAppSendsJsonFilesAsJson() throws Exception {
    Path f = dir.resolve("app.json");
    Files.writeString(f, "{\"MLSysOpsApp\": {\"name\": \"x\"}}");
    api.on("POST /api/v1/apps", 201, Canned.APP_DETAIL);

    assertThat(mls("apps", "deploy", "--path", f.toString()).exitCode()).isZero();
    assertThat(api.only().header("Content-Type")).isEqualTo("application/json");
  }

  @Test
  void deployAppFromUriFetchesTheDescriptorThenPostsIt() throws Exception {
    String yaml = Files.readString(Path.of(DEMO_APP));
    api.on("GET /files/app.yaml", new FakeApi.Answer(200, "text/plain", yaml));
    api.on("POST /api/v1/apps", 201, Canned.APP_DETAIL);

    ClientRun r = mls("apps", "deploy-app", "--uri", api.url() + "/files/app.yaml");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(api.requests()).extracting(FakeApi.Request::method, FakeApi.Request::path)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("GET", "/files/app.yaml"),
            org.assertj.core.groups.Tuple.tuple("POST", "/api/v1/apps"));
    assertThat(api.requests().get(0).header("Authorization")).isNull();
    assertThat(api.requests().get(1).body()).isEqualTo(yaml);
  }

  @Test
  void deployAppNeedsExactlyOneOfPathAndUri() {
    ClientRun none = mls("apps", "deploy-app");
    assertThat(none.exitCode()).isEqualTo(2);
    assertThat(none.err()).contains("--path").contains("--uri");
    ClientRun both = mls("apps", "deploy-app", "--path", DEMO_APP, "--uri", "http://x/a.yaml");
    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(api.requests()).isEmpty();
  }

  @Test
  void deployAppOfAMissingFileSaysSoAndExitsOne() {
    ClientRun r = mls("apps", "deploy-app", "--path", dir.resolve("nope.yaml").toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("nope.yaml: no such file").doesNotContain("Exception");
    assertThat(api.requests()).isEmpty();
  }

  @Test
  void dryRunValidatesLocallyAndSendsNothing() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, """
        MLSysOpsApp:
          name: shop
          components:
            - metadata: {name: web}
              containers:
                - image: web:1
            - metadata: {name: db}
              containers:
                - image: db:1
                  platform_requirements:
                    cpu: {requests: "250x"}
        """);
    ClientRun r = mls("apps", "deploy-app", "--path", bad.toString(), "--dry-run");

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).contains("components[1].containers[0].platform_requirements.cpu.requests")
        .contains("\"250x\" is not a CPU quantity").contains("nothing sent");
    assertThat(api.requests()).isEmpty();

    ClientRun ok = mls("apps", "deploy-app", "--path", DEMO_APP, "--validate-only");
    assertThat(ok.exitCode()).isZero();
    assertThat(ok.out()).contains("ok (MLSysOpsApp smart-camera); nothing sent (--validate-only)");
    assertThat(api.requests()).isEmpty();
  }

  static final String DRY_RUN = """
      {"name": "smart-camera", "dry_run": true, "placeable": false, "components": [
        {"name": "camera-ingest", "cluster": "edge", "unschedulable": "", "instances": [
          {"slot": 0, "node": "edge-1", "score": 0.81234, "explanation": "1/5 nodes: placed",
           "candidates": [{"node": "edge-1", "cluster": "edge", "score": 0.81234,
                           "scores": {"least_allocated": 0.9, "low_utilization": 1.0}}],
           "rejected": {"missing sensor camera/d455": 4}}]},
        {"name": "spotter", "cluster": "", "instances": [],
         "unschedulable": "0/8 nodes: 5 wrong continuum_layer, 3 missing sensor camera/imx477"}],
       "warnings": [{"path": "name", "severity": "WARNING",
                     "message": "an app named \\"smart-camera\\" already exists"}]}
      """;

  @Test
  void dryRunAsksTheServerWhereEachComponentWouldGoAndShowsEveryScore() {
    api.on("POST /api/v1/apps", 200, DRY_RUN);

    ClientRun r = mls("apps", "deploy-app", "--path", DEMO_APP, "--dry-run");

    assertThat(r.exitCode()).as(r.err()).isZero();
    FakeApi.Request req = api.only();
    assertThat(req.query()).isEqualTo("dryRun=true");
    assertThat(r.out())
        .startsWith("smart-camera: dry run, nothing deployed; some components cannot be placed\n")
        .containsPattern("camera-ingest +0 +edge +edge-1 +0\\.812")
        .containsPattern("spotter +- +- +- +-")
        .contains("spotter cannot be placed: 0/8 nodes: 5 wrong continuum_layer,"
            + " 3 missing sensor camera/imx477")
        .contains("camera-ingest#0 → edge-1 (rejected: 4 missing sensor camera/d455)")
        .containsPattern("\\* +edge-1 +edge +0\\.812 +least_allocated 0\\.900, low_utilization"
            + " 1\\.000")
        .contains("warning: name: an app named \"smart-camera\"");

    ClientRun json = mls("apps", "deploy-app", "--path", DEMO_APP, "--dry-run", "-o", "json");
    assertThat(json.out()).contains("\"dry_run\" : true");
  }

  @Test
  void statusShowsWhyAComponentCannotBePlaced() {
    api.on("GET /api/v1/apps/vision", """
        {"name": "vision", "phase": "Pending", "components": [
          {"name": "spotter", "cluster": "", "desired": 1, "running": 0, "instances": [],
           "unschedulable": "0/12 nodes: 7 wrong continuum_layer, 3 insufficient cpu (need 500m), 2 missing sensor camera/d455"}]}
        """);
    ClientRun r = mls("apps", "get-app-status", "vision");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("spotter cannot be placed: 0/12 nodes: 7 wrong continuum_layer,"
        + " 3 insufficient cpu (need 500m), 2 missing sensor camera/d455\n");
  }

  @Test
  void explainPlacementShowsCandidatesRejectionsAndTheNodeAskedAbout() {
    api.on("GET /api/v1/apps/cam/components/analytics/placement", """
        {"app": "cam", "component": "analytics", "cluster": "cloud",
         "current_nodes": ["cloud-3", "cloud-1"], "best": "cloud-3",
         "summary": "3/3 nodes: none rejected",
         "candidates": [
           {"node": "cloud-3", "cluster": "cloud", "score": 0.9, "scores": {"least_allocated": 0.9}},
           {"node": "cloud-2", "cluster": "cloud", "score": 0.7, "scores": {"least_allocated": 0.7}}],
         "rejected": {"edge-1": "wrong continuum_layer"},
         "node": {"name": "cloud-2", "known": true, "cluster": "cloud", "feasible": true,
                  "failed": [], "score": 0.7, "scores": {"least_allocated": 0.7},
                  "verdict": "cloud-2 is feasible but scores 0.700 against 0.900 for cloud-3"}}
        """);

    ClientRun r = mls("explain", "placement", "cam", "analytics", "--node", "cloud-2");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(api.only().query()).isEqualTo("node=cloud-2");
    assertThat(r.out())
        .startsWith("analytics of cam: cluster cloud, running on cloud-3, cloud-1\n"
            + "one more instance now: 3/3 nodes: none rejected; best node cloud-3\n")
        .containsPattern("\\* +cloud-3 +cloud +0\\.900")
        .containsPattern("edge-1 +wrong continuum_layer")
        .contains("why not cloud-2: cloud-2 is feasible but scores 0.700 against 0.900 for"
            + " cloud-3\n")
        .contains("  cloud-2 scores 0.700: least_allocated 0.700");
    assertThat(mls("explain", "placement", "cam").exitCode()).isEqualTo(2);
  }

  @Test
  void dryRunOfANonAppDescriptorFails() throws Exception {
    Path node = dir.resolve("cluster.yaml");
    Files.writeString(node, "MLSysOpsCluster:\n  cluster_id: c1\n  nodes: [n1]\n");
    ClientRun r = mls("apps", "deploy-app", "--path", node.toString(), "--dry-run", "-o", "json");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).contains("\"valid\" : false").contains("holds no MLSysOpsApp");
  }

  @Test
  void problemDetailsAreShownWithTheirFieldPaths() {
    api.on("POST /api/v1/apps", 400, Canned.PROBLEM_400);

    ClientRun r = mls("apps", "deploy-app", "--path", DEMO_APP);

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("mls: the descriptor has 2 errors\n")
        .contains("  components[1].containers[0].platform_requirements.cpu.requests:"
            + " \"250x\" is not a CPU quantity\n")
        .contains("  components[0].restart_policy: \"Sometimes\" is not one of Always,"
            + " OnFailure, Never")
        .doesNotContain("Exception");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void duplicateAppNameIsARefusal() {
    api.on("POST /api/v1/apps", 409, "{\"title\": \"Conflict\", \"status\": 409,"
        + " \"detail\": \"an app named smart-camera exists\"}");
    ClientRun r = mls("apps", "deploy-app", "--path", DEMO_APP);
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("mls: an app named smart-camera exists\n");
  }

  @Test
  void listAllShowsATable() {
    api.on("GET /api/v1/apps", Canned.APPS_PAGE);

    ClientRun r = mls("apps", "list-all");

    assertThat(r.exitCode()).isZero();
    assertThat(api.only().path()).isEqualTo("/api/v1/apps");
    assertThat(r.out().lines().toList().get(0))
        .matches("NAME +PHASE +RUNNING +COMPONENTS +OWNER +SUBMITTED");
    assertThat(r.out()).containsPattern("smart-camera +Running +3/4 +3 +admin +2025-05-0")
        .containsPattern("noisy-batch +Pending +0/1 +1 +alice");
  }

  @Test
  void listAllFollowsPages() {
    api.on("GET /api/v1/apps", """
        {"items": [{"name": "a", "phase": "Running"}], "total": 2, "limit": 1, "offset": 0}""");
    api.on("GET /api/v1/apps?offset=1", """
        {"items": [{"name": "b", "phase": "Pending"}], "total": 2, "limit": 1, "offset": 1}""");

    ClientRun r = mls("apps", "list-all", "-o", "json");

    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("\"a\"").contains("\"b\"").contains("\"total\" : 2");
  }

  @Test
  void listAllWithNoAppsSaysSo() {
    api.on("GET /api/v1/apps", Canned.EMPTY_PAGE);
    assertThat(mls("apps", "list-all").out()).isEqualTo("no applications\n");
  }

  @Test
  void jsonOutputIsTheServersJsonPretty() throws Exception {
    api.on("GET /api/v1/apps/smart-camera", Canned.APP_DETAIL);

    ClientRun r = mls("apps", "get-app-status", "smart-camera", "-o", "json");

    assertThat(r.exitCode()).isZero();
    ObjectMapper m = new ObjectMapper();
    assertThat(m.readTree(r.out())).isEqualTo(m.readTree(Canned.APP_DETAIL));
    assertThat(r.out()).contains("\n  \"name\" : \"smart-camera\"");
  }

  @Test
  void yamlOutputIsTheServersJsonAsYaml() throws Exception {
    api.on("GET /api/v1/apps/smart-camera", Canned.APP_DETAIL);

    ClientRun r = mls("apps", "get-app-details", "smart-camera", "--output", "yaml");

    assertThat(r.exitCode()).isZero();
    JsonNode back = new YAMLMapper().readTree(r.out());
    assertThat(back).isEqualTo(new ObjectMapper().readTree(Canned.APP_DETAIL));
    assertThat(r.out()).startsWith("name: smart-camera\n");
  }

  @Test
  void unknownOutputFormatIsAUsageError() {
    ClientRun r = mls("apps", "list-all", "-o", "xml");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("\"xml\" is not one of table, json, yaml");
    assertThat(api.requests()).isEmpty();
  }

  @Test
  void getAppStatusSummarisesComponents() {
    api.on("GET /api/v1/apps/smart-camera", Canned.APP_DETAIL);

    ClientRun r = mls("apps", "get-app-status", "smart-camera");

    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).startsWith("smart-camera: Running (3/4 instances running)\n")
        .containsPattern("analytics +cloud +1/2");
  }

  @Test
  void unknownAppIsNotFoundExitOne() {
    api.on("GET /api/v1/apps/nope", 404,
        "{\"title\": \"Not Found\", \"status\": 404, \"detail\": \"no app named nope\"}");
    ClientRun r = mls("apps", "get-app-status", "nope");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("mls: no app named nope\n");
  }

  @Test
  void getAppDetailsShowsInstancesQosAndHistory() {
    api.on("GET /api/v1/apps/smart-camera", Canned.APP_DETAIL);

    ClientRun r = mls("apps", "get-app-details", "smart-camera");

    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("phase:      Running").contains("qos warm-up: 30s")
        .containsPattern("detector +edge +detector#0 +edge-2 +RUNNING")
        .containsPattern("analytics +cloud +analytics#1 +- +PENDING +.* +no node has 8 free cores")
        .containsPattern("detector +detector_latency_ms +<= 100 +42.46 +yes")
        .contains("placed on edge, cloud");
  }

  @Test
  void getAppPerformanceUsesTheReferenceRoute() {
    api.on("GET /apps/performance/smart-camera", Canned.PERFORMANCE);

    ClientRun r = mls("apps", "get-app-performance", "smart-camera");

    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).containsPattern("detector +detector_latency_ms +<= 100 +142 +no")
        .containsPattern("analytics +throughput +>= 10 +- +-");
  }

  @Test
  void removeAppDeletesThroughTheReferenceRoute() {
    api.on("DELETE /apps/remove/smart-camera", "{\"app_id\": \"smart-camera\", \"message\":"
        + " \"Application status updated to 'To_be_removed'.\"}");

    ClientRun r = mls("apps", "remove-app", "smart-camera");

    assertThat(r.exitCode()).isZero();
    assertThat(api.only().method()).isEqualTo("DELETE");
    assertThat(r.out()).isEqualTo(
        "smart-camera: Application status updated to 'To_be_removed'.\n");
  }

  @Test
  void appNamesAreEncodedInPaths() {
    api.on("GET /api/v1/apps/a%20b", Canned.APP_DETAIL);
    assertThat(mls("apps", "get-app-status", "a b").exitCode()).isZero();
    assertThat(api.only().path()).isEqualTo("/api/v1/apps/a%20b");
  }
}
