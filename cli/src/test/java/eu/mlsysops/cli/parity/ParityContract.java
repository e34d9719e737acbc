package eu.mlsysops.cli.parity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import eu.mlsysops.model.Descriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.ParseOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One scenario, driven only through the northbound API, with the same expectations whether the
 * agents run in one process ({@code mls up}) or each in its own ({@code mls up --processes}):
 * deploy an app, switch to ML mode, upload a node policy, see its plans come from the node agents,
 * disable it, kill a node agent, and read plans and events.
 */
abstract class ParityContract {
  static final String TOPOLOGY =
      """
      MLSysOpsContinuum: {name: parity, continuum_id: parity, clusters: [pc]}
      ---
      MLSysOpsCluster: {name: pc, cluster_id: pc, nodes: [pn-1, pn-2]}
      ---
      MLSysOpsNode:
        name: pn-1
        cluster_id: pc
        continuum_layer: edge
        environment: {node_type: native, os: ubuntu, container_runtime: [containerd]}
        hardware: {cpu: {architecture: amd64, cores: 4, frequency: [1.0, 2.0]}, memory: 4}
      ---
      MLSysOpsNode:
        name: pn-2
        cluster_id: pc
        continuum_layer: edge
        environment: {node_type: native, os: ubuntu, container_runtime: [containerd]}
        hardware: {cpu: {architecture: amd64, cores: 4, frequency: [1.0, 2.0]}, memory: 4}
      """;

  static final String APP =
      """
      MLSysOpsApp:
        name: twin
        components:
          - metadata: {name: web}
            containers:
              - image: web:1
                platform_requirements:
                  cpu: {requests: "250m"}
                  memory: {requests: "64Mi"}
      """;

  static final String PROBE =
      """
      import eu.mlsysops.agent.*
      import java.time.Duration

      class ParityProbePolicy implements Policy<Boolean> {
        PolicyContext initialize() {
          PolicyContext.builder("parity-probe").analyzeInterval(Duration.ofSeconds(1))
              .mode(PolicyContext.Mode.ML).build()
        }
        Optional<Boolean> analyze(PolicyView view) {
          // The model the test trained: its answer goes into the plan's inputs (ml.<model>).
          view.ml().predict("MODEL_ID", ["x": 2.0d])
          Optional.of(true)
        }
        Plan plan(PolicyView view, Boolean probe) {
          Plan.of(Command.of("cpu_frequency", "set", "ghz", "2.0"), "probing", ["probe": "1"])
        }
      }
      """;

  static List<Descriptor> topology() {
    return Descriptors.parse(TOPOLOGY, "parity-topology", ParseOptions.DEFAULT).descriptors();
  }

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The continuum's northbound API, e.g. {@code http://127.0.0.1:8080}. */
  abstract String api();

  abstract String token();

  /** Kills a node agent without a word, as a crashed host. */
  abstract void killNode(String name) throws Exception;

  /**
   * Whether the cluster and node agents keep their telemetry in other processes: a killed node's
   * store is then gone, and queries of its tier say so in their warnings.
   */
  boolean storesElsewhere() {
    return false;
  }

  String send(String method, String path, String type, String body) {
    return send(token(), method, path, type, body);
  }

  /** A request with {@code bearer} as the token: {@code STATUS BODY}. */
  String send(String bearer, String method, String path, String type, String body) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api() + path))
          .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + bearer);
      if (type != null) {
        b.header("Content-Type", type);
      }
      HttpResponse<String> r = HTTP.send(
          b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() + " " + r.body();
    } catch (Exception e) {
      return "000 " + e;
    }
  }

  JsonNode get(String path) throws Exception {
    String r = send("GET", path, null, null);
    assertThat(r).as(path).startsWith("200");
    return JSON.readTree(r.substring(4));
  }

  private List<String> healthyNodes() throws Exception {
    List<String> out = new ArrayList<>();
    get("/api/v1/nodes").path("items").forEach(n -> {
      if (n.path("healthy").asBoolean()) {
        out.add(n.path("name").asText());
      }
    });
    out.sort(null);
    return out;
  }

  private List<String> runningOn() throws Exception {
    List<String> out = new ArrayList<>();
    get("/api/v1/apps/twin").path("components").path(0).path("instances").forEach(i -> {
      if ("RUNNING".equals(i.path("state").asText())) {
        out.add(i.path("node").asText());
      }
    });
    return out;
  }

  /** The nodes a tier's telemetry has CPU utilisation of, and the query's warnings. */
  private List<String> telemetryNodes(String level, List<String> warnings) throws Exception {
    JsonNode body = get("/api/v1/telemetry/query?level=" + level + "&query="
        + java.net.URLEncoder.encode("count by (node) (node_cpu_utilization)",
            java.nio.charset.StandardCharsets.UTF_8));
    body.path("warnings").forEach(w -> warnings.add(w.asText()));
    List<String> out = new ArrayList<>();
    body.path("data").path("result").forEach(r -> out.add(r.path("metric").path("node").asText()));
    out.sort(null);
    return out;
  }

  /** Registers a linear model, uploads y = 3x + 1 and trains it; its id. */
  private String trainedModel() throws Exception {
    String created = send("POST", "/api/v1/models", "application/json", """
        {"name": "parity-line", "kind": "regression", "algorithm": "linear",
         "features": [{"name": "x", "type": "cont", "kind": "input"},
                      {"name": "y", "type": "cont", "kind": "target"}]}
        """);
    assertThat(created).startsWith("201");
    String id = JSON.readTree(created.substring(4)).path("id").asText();
    StringBuilder csv = new StringBuilder("x,y\n");
    for (int i = 0; i < 50; i++) {
      csv.append(i).append(',').append(3 * i + 1).append('\n');
    }
    assertThat(send("POST", "/api/v1/models/" + id + "/upload?file_kind=data&filename=line.csv",
        "text/csv", csv.toString())).startsWith("201");
    assertThat(send("POST", "/api/v1/models/" + id + "/train", "application/json", "{}"))
        .startsWith("201");
    return id;
  }

  private int probePlans() throws Exception {
    return get("/api/v1/plans?policy=parity-probe&limit=1000").path("total").asInt();
  }

  /**
   * Two developers: what one deploys, the other does not see in apps, plans or the topology
   * (its instances there are anonymous usage), however the agents run.
   */
  private void assertTenantsSeeOnlyTheirOwn() throws Exception {
    String alice = developer("alice");
    String bob = developer("bob");
    // Bob's event stream, open before alice deploys: it must never carry her app.
    List<String> bobsStream = new CopyOnWriteArrayList<>();
    var stream = HTTP.sendAsync(HttpRequest.newBuilder(URI.create(api() + "/api/v1/events"))
        .header("Authorization", "Bearer " + bob).header("Accept", "text/event-stream")
        .build(), HttpResponse.BodyHandlers.ofLines());
    stream.thenAccept(r -> r.body().forEach(bobsStream::add));
    try {
      assertThat(send(alice, "POST", "/api/v1/apps", "application/yaml",
          APP.replace("name: twin", "name: alices-app"))).startsWith("201");
      await("alice's app placed").atMost(60, TimeUnit.SECONDS).ignoreExceptions()
          .pollInterval(Duration.ofMillis(300))
          .until(() -> send("GET", "/api/v1/plans?app=alices-app&tier=cluster&limit=100", null,
              null).contains("\"Completed\""));
      // Her instance reports telemetry, as an admin sees at the node tier.
      String byApp = "/api/v1/telemetry/query?level=node&query="
          + java.net.URLEncoder.encode("count by (app) (component_cpu_utilization)",
              java.nio.charset.StandardCharsets.UTF_8);
      await("alice's telemetry").atMost(60, TimeUnit.SECONDS).ignoreExceptions()
          .pollInterval(Duration.ofMillis(500))
          .until(() -> send("GET", byApp, null, null).contains("alices-app"));
      assertThat(send(alice, "GET", "/api/v1/apps", null, null)).contains("alices-app");
      for (String path : List.of("/api/v1/apps", "/api/v1/plans?limit=1000", "/api/v1/nodes",
          "/api/v1/continuum", "/apps/list_all/", byApp, "/metrics?level=node",
          "/metrics?level=cluster")) {
        String seen = send(bob, "GET", path, null, null);
        assertThat(seen).as(path).startsWith("200").doesNotContain("alices-app");
      }
      // His stream is live (his own app's events come) and has nothing of hers.
      assertThat(send(bob, "POST", "/api/v1/apps", "application/yaml",
          APP.replace("name: twin", "name: bobs-app"))).startsWith("201");
      await("bob's own events on his stream").atMost(60, TimeUnit.SECONDS)
          .until(() -> bobsStream.stream().anyMatch(l -> l.contains("bobs-app")));
      assertThat(bobsStream).noneMatch(l -> l.contains("alices-app"));
      assertThat(send(bob, "DELETE", "/api/v1/apps/bobs-app", null, null)).startsWith("204");
    } finally {
      stream.cancel(true);
    }
    assertThat(send(bob, "GET", "/api/v1/apps/alices-app", null, null)).startsWith("404");
    assertThat(send(bob, "DELETE", "/api/v1/apps/alices-app", null, null)).startsWith("404");
    assertThat(send(alice, "DELETE", "/api/v1/apps/alices-app", null, null)).startsWith("204");
  }

  private String developer(String name) throws Exception {
    String r = send("POST", "/api/v1/tokens", "application/json",
        "{\"role\": \"developer\", \"name\": \"" + name + "\"}");
    assertThat(r).startsWith("201");
    return JSON.readTree(r.substring(4)).get("token").asText();
  }

  /** Path parameters of the read routes, as the scenario has them. */
  private static final java.util.Map<String, String> PARAMS = java.util.Map.ofEntries(
      java.util.Map.entry("/api/v1/apps/{name}", "twin"),
      java.util.Map.entry("/api/v1/nodes/{name}", "pn-1"),
      java.util.Map.entry("/api/v1/clusters/{id}", "pc"),
      java.util.Map.entry("/infra/node/{id}", "pn-1"),
      java.util.Map.entry("/infra/cluster/{id}", "pc"),
      java.util.Map.entry("{app_id}", "twin"),
      java.util.Map.entry("{component}", "web"),
      java.util.Map.entry("{tier}", "node"));

  /**
   * Every read route of the OpenAPI document, answered with the same status and the same fields
   * (top level, and of the first item of a list) as {@code route-shapes.txt} holds, whichever way
   * the agents run. The stream ({@code /api/v1/events}) is checked by the scenario instead.
   */
  private void assertRoutesAnswerAsExpected() throws Exception {
    JsonNode doc = JSON.readTree(send("GET", "/api/v1/openapi.json", null, null).substring(4));
    String planId = get("/api/v1/plans?limit=1").path("items").path(0).path("id").asText();
    // A model in the ML Connector's registry (kept by the continuum, wherever the agents run).
    String model = send("POST", "/model/add", "application/json", """
        {"modelname": "parity", "modelkind": "regression", "modeltags": ["parity"],
         "featurelist": [{"feature_name": "x", "type": "cont", "kind": 0},
                         {"feature_name": "y", "type": "cont", "kind": 1}]}
        """);
    assertThat(model).startsWith("201");
    String modelId = JSON.readTree(model.substring(4)).path("modelid").asText();
    List<String> actual = new ArrayList<>();
    doc.path("paths").fields().forEachRemaining(e -> {
      String route = e.getKey();
      if (!e.getValue().has("get") || route.equals("/api/v1/events")) {
        return;
      }
      String path = route.replace("{id}", route.startsWith("/api/v1/plans") ? planId
          : route.startsWith("/api/v1/models/") || route.startsWith("/model/") ? modelId
          : route.startsWith("/infra/datacenter") || route.startsWith("/ml/")
              || route.startsWith("/deployment/") ? "none" : "{id}")
          .replace("{kind}", "regression").replace("{job}", "none");
      for (var p : PARAMS.entrySet()) {
        path = p.getKey().startsWith("/") ? path.replace(p.getKey(), p.getKey().replaceAll(
            "\\{[^}]+}$", p.getValue())) : path.replace(p.getKey(), p.getValue());
      }
      actual.add("GET " + route + " " + shape(send("GET", path, null, null)));
    });
    List<String> expected;
    try (var in = ParityContract.class.getResourceAsStream("route-shapes.txt")) {
      expected = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines()
          .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    }
    assertThat(String.join("\n", actual)).as("the read routes (update route-shapes.txt when a"
        + " route changes on purpose)").isEqualTo(String.join("\n", expected));
  }

  /** {@code STATUS {fields}} of an answer; for a list, the fields of its first item too. */
  private static String shape(String answer) {
    String status = answer.substring(0, 3);
    JsonNode n;
    try {
      n = JSON.readTree(answer.substring(4));
    } catch (Exception e) {
      return status + " text";
    }
    JsonNode first = n.isArray() ? n.path(0) : n.path("items").path(0);
    return status + " " + fields(n) + (first.isObject() ? " item " + fields(first) : "");
  }

  private static String fields(JsonNode n) {
    if (!n.isObject()) {
      return n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }
    List<String> names = new ArrayList<>();
    n.fieldNames().forEachRemaining(names::add);
    names.sort(null);
    return "{" + String.join(",", names) + "}";
  }

  @Test
  void theScenarioLooksTheSameWhereverTheAgentsRun() throws Exception {
    List<String> sse = new CopyOnWriteArrayList<>();
    var stream = HTTP.sendAsync(HttpRequest.newBuilder(URI.create(api() + "/api/v1/events"))
        .header("Authorization", "Bearer " + token()).header("Accept", "text/event-stream")
        .build(), HttpResponse.BodyHandlers.ofLines());
    stream.thenAccept(r -> r.body().forEach(sse::add));
    try {
      await("both nodes healthy").atMost(60, TimeUnit.SECONDS).ignoreExceptions()
          .pollInterval(Duration.ofMillis(300))
          .until(() -> healthyNodes().equals(List.of("pn-1", "pn-2")));

      assertThat(send("POST", "/api/v1/apps", "application/yaml", APP)).startsWith("201");
      await("twin running").atMost(60, TimeUnit.SECONDS).ignoreExceptions()
          .pollInterval(Duration.ofMillis(300)).until(() -> runningOn().size() == 1);
      // Placement was decided by the cluster agent, wherever it runs.
      await("the cluster's placement plan").atMost(30, TimeUnit.SECONDS).ignoreExceptions()
          .until(() -> get("/api/v1/plans?app=twin&tier=cluster&status=Completed")
              .path("items").findValuesAsText("agent").contains("pc"));

      // A model of the ML Connector, which the probe asks: y = 3x + 1, learned from a CSV.
      String model = trainedModel();

      // The probe runs only in ML mode: its plans prove the mode and the file reached the nodes.
      assertThat(send("PUT", "/api/v1/mode/ml", "text/plain", "")).startsWith("200");
      assertThat(send("PUT", "/api/v1/policies/node/policy-parity-probe.groovy", "text/x-groovy",
          PROBE.replace("MODEL_ID", model))).startsWith("201");
      await("probe plans from both node agents").atMost(60, TimeUnit.SECONDS)
          .ignoreExceptions().pollInterval(Duration.ofMillis(500))
          .until(() -> get("/api/v1/plans?policy=parity-probe&tier=node&limit=1000")
              .path("items").findValuesAsText("agent").containsAll(List.of("pn-1", "pn-2")));
      // ... and view.ml() answered on both nodes, wherever they run: the prediction is recorded
      // with the plans (the model's files went down the agent links where they are separate).
      await("the model's answer in both nodes' plans").atMost(60, TimeUnit.SECONDS)
          .ignoreExceptions().pollInterval(Duration.ofMillis(500)).until(() -> {
            java.util.Set<String> answered = new java.util.TreeSet<>();
            for (JsonNode p : get("/api/v1/plans?policy=parity-probe&tier=node&limit=1000")
                .path("items")) {
              String said = p.path("inputs").path("ml." + model).asText("");
              if (said.startsWith("v1 → ")
                  && Math.abs(Double.parseDouble(said.substring(5)) - 7) < 0.05) {
                answered.add(p.path("agent").asText());
              }
            }
            return answered.equals(java.util.Set.of("pn-1", "pn-2"));
          });

      // Policies and mechanisms of the node agents are listed as well, wherever they run.
      await("the node tier's policy counters").atMost(30, TimeUnit.SECONDS).ignoreExceptions()
          .pollInterval(Duration.ofMillis(500)).until(() -> {
            for (JsonNode p : get("/api/v1/policies").path("tiers").path("node")
                .path("policies")) {
              if (p.path("name").asText().equals("parity-probe")) {
                return p.path("analyses").asLong() > 0 && p.path("instances").asLong() == 2;
              }
            }
            return false;
          });
      await("pn-1's mechanisms").atMost(30, TimeUnit.SECONDS).ignoreExceptions()
          .pollInterval(Duration.ofMillis(500))
          .until(() -> get("/api/v1/mechanisms?agent=pn-1").path("items")
              .findValuesAsText("name").containsAll(List.of("cpu_frequency", "placement")));

      // Every tier's telemetry answers for every node, wherever the agents keep it.
      for (String level : List.of("node", "cluster")) {
        await(level + " tier telemetry of both nodes").atMost(30, TimeUnit.SECONDS)
            .ignoreExceptions().pollInterval(Duration.ofMillis(500))
            .until(() -> telemetryNodes(level, new ArrayList<>())
                .equals(List.of("pn-1", "pn-2")));
      }
      assertThat(send("GET", "/metrics?level=node", null, null))
          .startsWith("200").contains("node=\"pn-1\"").contains("node=\"pn-2\"");

      assertRoutesAnswerAsExpected();
      assertTenantsSeeOnlyTheirOwn();

      assertThat(send("PUT", "/api/v1/agents/node/config", "application/json",
          "{\"disabled_policies\": [\"parity-probe\"]}")).startsWith("200");
      // Disabled everywhere: the count stops growing (plans already under way may still end).
      await("no new probe plans").atMost(60, TimeUnit.SECONDS).ignoreExceptions()
          .pollInterval(Duration.ofMillis(500)).until(() -> {
            int before = probePlans();
            Thread.sleep(3000);
            return probePlans() == before;
          });

      String victim = runningOn().get(0);
      String other = victim.equals("pn-1") ? "pn-2" : "pn-1";
      killNode(victim);
      await("twin running on " + other).atMost(60, TimeUnit.SECONDS).ignoreExceptions()
          .pollInterval(Duration.ofMillis(300)).until(() -> runningOn().equals(List.of(other)));
      await("the event stream said so").atMost(30, TimeUnit.SECONDS).until(() ->
          sse.stream().anyMatch(l -> l.contains("node " + victim + " is unreachable")));
      // The node tier still answers for the node that is left; where the victim's store went
      // with it, the answer says what is missing.
      List<String> warnings = new ArrayList<>();
      assertThat(telemetryNodes("node", warnings)).contains(other);
      if (storesElsewhere()) {
        assertThat(warnings).anyMatch(w -> w.startsWith(victim + " "));
      }
    } finally {
      stream.cancel(true);
    }
  }
}
