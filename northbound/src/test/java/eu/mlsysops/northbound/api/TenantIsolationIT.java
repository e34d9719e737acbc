package eu.mlsysops.northbound.api;

import static eu.mlsysops.northbound.api.ApiFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two developers on one continuum: every GET route of the OpenAPI document, walked as one of
 * them, answers nothing of the other's app (plans, events, instances, telemetry, metrics), while
 * it shows their own.
 */
class TenantIsolationIT {
  private static final String ALICES = "alices-secret-app";
  private static final String BOBS = "bobs-app";
  @TempDir static Path dir;
  static ApiFixture api;
  static String alice;
  static String bob;

  @BeforeAll
  static void start() {
    api = ApiFixture.start(dir);
    alice = api.token(Role.DEVELOPER, "alice");
    bob = api.token(Role.DEVELOPER, "bob");
  }

  @AfterAll
  static void stop() {
    assertThat(api.server.internalErrors()).isZero();
    api.close();
  }

  private static boolean running(String app) {
    HttpResponse<String> r = api.get("/api/v1/apps/" + app);
    return r.statusCode() == 200 && json(r).get("phase").asText().equals("Running");
  }

  private static String query(String promql) {
    return URLEncoder.encode(promql, StandardCharsets.UTF_8);
  }

  /** The value each path parameter takes when bob walks a route. */
  /**
   * Alice's training job (its error names her model) and model deployment (its owner is her app's
   * name), for the walk; their ids do not name her app, as a 404 echoes the id asked for.
   */
  private static String alicesJob;
  private static final String ALICES_DEPLOYMENT = "d-7f3a";

  private static String fill(String path, String alicesPlan, String alicesModel) {
    String p = path.replace("{name}", BOBS).replace("{app_id}", BOBS).replace("{id}", "x")
        .replace("{component}", "detector").replace("{tier}", "node")
        .replace("{kind}", "regression");
    if (path.startsWith("/api/v1/plans/")) {
      return "/api/v1/plans/" + alicesPlan;
    }
    if (path.startsWith("/api/v1/models/") || path.startsWith("/model/")) {
      return path.replace("{id}", alicesModel).replace("{kind}", "regression")
          .replace("{job}", alicesJob);
    }
    if (path.startsWith("/deployment/")) {
      return path.replace("{id}", ALICES_DEPLOYMENT);
    }
    if (path.startsWith("/api/v1/clusters/") || path.startsWith("/infra/cluster/")) {
      return path.substring(0, path.indexOf('{')) + "edge";
    }
    if (path.startsWith("/api/v1/nodes/") || path.startsWith("/infra/node/")) {
      return path.substring(0, path.indexOf('{')) + "edge-1";
    }
    if (path.contains("/query_range")) {
      long now = System.currentTimeMillis() / 1000;
      return p + "?query=" + query("component_cpu_utilization") + "&level=node&start="
          + (now - 60) + "&end=" + now + "&step=5";
    }
    if (path.contains("/query")) {
      return p + "?query=" + query("component_cpu_utilization") + "&level=node";
    }
    if (path.equals("/api/v1/telemetry")) {
      return p + "?level=node&metric=component_cpu_utilization";
    }
    if (path.equals("/metrics")) {
      return p + "?level=node";
    }
    return p;
  }

  @Test
  void aDeveloperWalkingEveryRouteSeesNothingOfAnotherTenant() {
    assertThat(api.postYaml("/api/v1/apps", alice, ApiFixture.demoApp(ALICES)).statusCode())
        .isEqualTo(201);
    assertThat(api.postYaml("/api/v1/apps", bob, ApiFixture.demoApp(BOBS)).statusCode())
        .isEqualTo(201);
    await().atMost(60, TimeUnit.SECONDS).until(() -> running(ALICES) && running(BOBS));
    // Alice's instances report telemetry and have plans, as an admin sees.
    await().atMost(60, TimeUnit.SECONDS).until(() -> api.get("/api/v1/telemetry/query?level=node"
        + "&query=" + query("component_cpu_utilization{app=\"" + ALICES + "\"}")).body()
        .contains(ALICES));
    JsonNode plans = json(api.get("/api/v1/plans?app=" + ALICES));
    assertThat(plans.get("total").asInt()).isPositive();
    String alicesPlan = plans.get("items").get(0).get("id").asText();
    // And a model of her app, trained, with her app's name in it.
    HttpResponse<String> model = api.postJson("/model/add", alice, ModelRoutesIT.REFERENCE_BODY
        .replace("{\"modelname\"", "{\"app\": \"" + ALICES + "\", \"modelname\"")
        .replace("detector-latency", ALICES + "-latency"));
    assertThat(model.statusCode()).as(model.body()).isEqualTo(201);
    String alicesModel = json(model).get("modelid").asText();
    // A training job of hers (it fails for want of data, saying so with her model's name) and a
    // deployment of her model.
    HttpResponse<String> job = api.postJson("/api/v1/models/" + alicesModel + "/train?async=true",
        alice, "{}");
    assertThat(job.statusCode()).as(job.body()).isEqualTo(202);
    alicesJob = json(job).get("job").asText();
    HttpResponse<String> deployed = api.postJson("/deployment/add", alice, "{\"deployment_id\": \""
        + ALICES_DEPLOYMENT + "\", \"modelid\": \"" + alicesModel + "\", \"ownerid\": \""
        + ALICES + "\","
        + " \"placement\": {\"continuum\": true}, \"inference_data\": 0}");
    assertThat(deployed.statusCode()).as(deployed.body()).isEqualTo(201);

    JsonNode doc = json(api.get("/api/v1/openapi.json"));
    List<String> walked = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = doc.get("paths").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> route = it.next();
      if (!route.getValue().has("get") || route.getKey().equals("/api/v1/events")) {
        continue; // the event stream is walked below
      }
      String path = fill(route.getKey(), alicesPlan, alicesModel);
      HttpResponse<String> r = api.get(path, bob);
      assertThat(r.statusCode()).as(path).isLessThan(500);
      assertThat(r.body()).as(path).doesNotContain(ALICES);
      walked.add(path);
    }
    assertThat(walked).hasSizeGreaterThan(25);

    // What is bob's he sees; Alice's plan is not found for him.
    assertThat(api.get("/api/v1/plans", bob).body()).contains(BOBS);
    assertThat(api.get("/api/v1/plans/" + alicesPlan, bob).statusCode()).isEqualTo(404);
    assertThat(api.get("/api/v1/models/" + alicesModel, bob).statusCode()).isEqualTo(404);
    assertThat(api.get("/api/v1/models/" + alicesModel, alice).body()).contains(ALICES);
    assertThat(api.get("/api/v1/telemetry/query?level=node&query="
        + query("component_cpu_utilization"), bob).body()).contains(BOBS);
    assertThat(api.get("/metrics?level=node", bob).body()).contains(BOBS);
    // Her instances are still there as usage, without names.
    assertThat(api.get("/api/v1/nodes", bob).body()).contains(Visibility.HIDDEN);
    // A sum over everything is a sum over what he may see.
    String sum = query("count(component_cpu_utilization)");
    double forBob = json(api.get("/api/v1/telemetry/query?level=node&query=" + sum, bob))
        .get("data").get("result").get(0).get("value").get(1).asDouble();
    double forAdmin = json(api.get("/api/v1/telemetry/query?level=node&query=" + sum))
        .get("data").get("result").get(0).get("value").get(1).asDouble();
    assertThat(forBob).isLessThan(forAdmin);
    // Admins and viewers see everyone.
    String viewer = api.token(Role.VIEWER, "auditor");
    assertThat(api.get("/api/v1/plans?app=" + ALICES, viewer).body()).contains(ALICES);
  }

  @Test
  void aDeveloperSendingEveryWriteRouteAtAnotherTenantsAppAndModelChangesNothingOfThem() {
    String app = "alices-guarded-app";
    assertThat(api.postYaml("/api/v1/apps", alice, ApiFixture.demoApp(app)).statusCode())
        .isEqualTo(201);
    HttpResponse<String> model = api.postJson("/model/add", alice, ModelRoutesIT.REFERENCE_BODY
        .replace("{\"modelname\"", "{\"app\": \"" + app + "\", \"modelname\"")
        .replace("detector-latency", app + "-model"));
    assertThat(model.statusCode()).as(model.body()).isEqualTo(201);
    String alicesModel = json(model).get("modelid").asText();
    String alicesDescriptor = api.get("/api/v1/apps/" + app + "/descriptor", alice).body();

    JsonNode doc = json(api.get("/api/v1/openapi.json"));
    List<String> sent = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = doc.get("paths").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> route = it.next();
      String template = route.getKey();
      if (!template.contains("{")) {
        continue; // nothing of anyone's named: bob acts on his own
      }
      String path = fillFor(template, app, alicesModel);
      // What bob gets for hers must be what he gets for names nobody has: he cannot even tell
      // that they exist.
      String ghostPath = fillFor(template, "ghost-app", "999999");
      for (String method : List.of("post", "put", "patch", "delete")) {
        if (!route.getValue().has(method)) {
          continue;
        }
        String m = method.toUpperCase(java.util.Locale.ROOT);
        HttpResponse<String> r = api.send(m, path, bob, "application/json", "{}");
        HttpResponse<String> ghost = api.send(m, ghostPath, bob, "application/json", "{}");
        assertThat(r.statusCode()).as(m + " " + path + ": " + r.body()).isBetween(400, 499)
            .isEqualTo(ghost.statusCode());
        assertThat(r.body().replace(app, "ghost-app").replace(alicesModel, "999999"))
            .as(m + " " + path).isEqualTo(ghost.body());
        sent.add(m + " " + path);
      }
    }
    assertThat(sent).hasSizeGreaterThan(10);
    // Hers, as they were.
    assertThat(api.get("/api/v1/apps/" + app + "/descriptor", alice).body())
        .isEqualTo(alicesDescriptor);
    assertThat(api.get("/api/v1/models/" + alicesModel, alice).statusCode()).isEqualTo(200);
  }

  private static String fillFor(String template, String app, String model) {
    return template.replace("{name}", app).replace("{app_id}", app)
        .replace("{id}", model).replace("{component}", "detector")
        .replace("{tier}", "node").replace("{kind}", "regression").replace("{file}", "x.groovy")
        .replaceAll("\\{[a-zA-Z_]+}", "edge-1");
  }

  @Test
  void theEventStreamCarriesOnlyTheDevelopersOwnApps() throws Exception {
    try (ApiFixture.EventLines stream = api.events(bob)) {
      assertThat(stream.status).isEqualTo(200);
      await().atMost(10, TimeUnit.SECONDS).until(() -> api.events.subscriberCount() >= 1);

      api.postYaml("/api/v1/apps", alice, ApiFixture.demoApp("alices-streamed"));
      api.postYaml("/api/v1/apps", bob, ApiFixture.demoApp("bobs-streamed"));
      await().atMost(30, TimeUnit.SECONDS).until(() -> stream.lines.stream()
          .anyMatch(l -> l.contains("bobs-streamed/") && l.contains("running")));
      await().atMost(30, TimeUnit.SECONDS).until(() -> running("alices-streamed"));
      assertThat(stream.lines).noneMatch(l -> l.contains("alices-streamed"));
      assertThat(stream.lines)
          .noneMatch(l -> l.startsWith("event: node") || l.startsWith("event: trust"));
    }
  }
}
