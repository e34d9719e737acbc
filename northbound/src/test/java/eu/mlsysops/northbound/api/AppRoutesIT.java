package eu.mlsysops.northbound.api;

import static eu.mlsysops.northbound.api.ApiFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Apps through /api/v1, the reference's /apps routes and /ml, with good and bad input. */
class AppRoutesIT {
  @TempDir static Path dir;
  static ApiFixture api;

  @BeforeAll
  static void start() {
    api = ApiFixture.start(dir);
  }

  @AfterAll
  static void stop() {
    // Bad input is answered with 4xx; nothing in this class may reach the catch-all handler.
    assertThat(api.server.internalErrors()).isZero();
    api.close();
  }

  @Test
  void deploysYamlThenListsDescribesAndRunsIt() {
    HttpResponse<String> r = api.postYaml("/api/v1/apps", api.admin, ApiFixture.demoApp("cam-a"));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    assertThat(r.headers().firstValue("Location")).contains("/api/v1/apps/cam-a");
    JsonNode created = json(r);
    assertThat(created.get("name").asText()).isEqualTo("cam-a");
    assertThat(created.get("owner").asText()).isEqualTo("admin");
    assertThat(created.get("components")).hasSize(3);

    await().atMost(30, TimeUnit.SECONDS).untilAsserted(() -> assertThat(api.phase("cam-a"))
        .as(() -> api.get("/api/v1/apps/cam-a").body() + " nodes: " + api.get("/api/v1/nodes")
            .body())
        .isEqualTo("Running"));
    JsonNode detail = json(api.get("/api/v1/apps/cam-a"));
    JsonNode detector = detail.get("components").get(1);
    assertThat(detector.get("name").asText()).isEqualTo("detector");
    assertThat(detector.get("cluster").asText()).isEqualTo("edge");
    assertThat(detector.get("instances").get(0).get("state").asText()).isEqualTo("RUNNING");
    assertThat(detector.get("qos").get(0).get("metric").asText()).isEqualTo("detector_latency_ms");
    assertThat(detector.get("qos").get(0).get("relation").asText()).isEqualTo("lower_or_equal");
    assertThat(detail.get("history").toString()).contains("app cam-a accepted");
    assertThat(detail.get("qos_warmup").asText()).isEqualTo("10s"); // no qos_warmup: the default

    JsonNode list = json(api.get("/api/v1/apps?limit=500"));
    assertThat(list.get("items").findValuesAsText("name")).contains("cam-a");
    JsonNode summary = list.get("items").findParents("name").stream()
        .filter(n -> n.get("name").asText().equals("cam-a")).findFirst().orElseThrow();
    assertThat(summary.get("desired").asInt()).isEqualTo(4);
    assertThat(summary.get("running").asInt()).isEqualTo(4);
    assertThat(summary.get("submitted").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");

    HttpResponse<String> asJson = api.get("/api/v1/apps/cam-a/descriptor");
    assertThat(asJson.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    assertThat(json(asJson).get("MLSysOpsApp").get("name").asText()).isEqualTo("cam-a");
    HttpResponse<String> asYaml = api.get("/api/v1/apps/cam-a/descriptor?format=yaml");
    assertThat(asYaml.body()).startsWith("MLSysOpsApp:").contains("name: \"cam-a\"");
    assertThat(api.get("/api/v1/apps/cam-a/descriptor?format=xml").statusCode()).isEqualTo(400);
  }

  @Test
  void acceptsJsonInCustomResourceForm() throws Exception {
    JsonNode top = new YAMLMapper().readTree(ApiFixture.demoApp("cam-cr"));
    JsonNode spec = top.get("MLSysOpsApp");
    ObjectMapper m = new ObjectMapper();
    var cr = m.createObjectNode().put("apiVersion", "mlsysops.eu/v1").put("kind", "MLSysOpsApp");
    cr.putObject("metadata").put("name", "cam-cr");
    cr.set("spec", spec);

    HttpResponse<String> r = api.postJson("/api/v1/apps", api.admin, m.writeValueAsString(cr));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    assertThat(json(r).get("name").asText()).isEqualTo("cam-cr");
  }

  @Test
  void aComponentNamingAnUnknownNodeIsAcceptedWithAWarning() throws Exception {
    String yaml = java.nio.file.Files.readString(java.nio.file.Path.of(
        "../examples/noisy-batch.yaml")).replace("name: noisy-batch", "name: batch-typo");
    HttpResponse<String> r = api.postYaml("/api/v1/apps", api.admin, yaml);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonNode w = json(r).get("warnings").get(0);
    assertThat(w.get("path").asText()).isEqualTo("components[0].node_placement.node");
    assertThat(w.get("message").asText())
        .isEqualTo("no node \"NODE\" is in the continuum now; the component stays Pending until"
            + " it joins");
    // A node that exists draws no warning.
    HttpResponse<String> ok = api.postYaml("/api/v1/apps", api.admin,
        yaml.replace("name: batch-typo", "name: batch-ok").replace("node: NODE", "node: edge-1"));
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
    assertThat(json(ok).has("warnings")).isFalse();
    api.delete("/api/v1/apps/batch-typo", api.admin);
    api.delete("/api/v1/apps/batch-ok", api.admin);
  }

  @Test
  void duplicateNameIsAConflict() {
    assertThat(api.postYaml("/api/v1/apps", api.admin, ApiFixture.demoApp("cam-dup")).statusCode())
        .isEqualTo(201);

    HttpResponse<String> again = api.postYaml("/api/v1/apps", api.admin, ApiFixture.demoApp("cam-dup"));
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(again.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(json(again).get("detail").asText()).contains("cam-dup");

    HttpResponse<String> ref = api.postJson("/apps/deploy", api.admin,
        "{\"yaml\": " + quote(ApiFixture.demoApp("cam-dup")) + "}");
    assertThat(ref.statusCode()).isEqualTo(409);
  }

  @Test
  void putUpdatesAnAppInPlaceAndRollsTheChangedComponent() {
    String dev = api.token(Role.DEVELOPER, "upd-dev");
    assertThat(api.postYaml("/api/v1/apps", dev, ApiFixture.demoApp("cam-upd")).statusCode())
        .isEqualTo(201);
    await().atMost(30, TimeUnit.SECONDS).until(() -> api.phase("cam-upd").equals("Running"));
    String before = instanceOf("cam-upd", "detector");
    String changed = ApiFixture.demoApp("cam-upd")
        .replace("registry.local/demo/detector:1.0", "registry.local/demo/detector:2.0");

    HttpResponse<String> r = api.put("/api/v1/apps/cam-upd", dev, "application/yaml", changed);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json(r).get("updated").asBoolean()).isTrue();
    await().atMost(30, TimeUnit.SECONDS).until(() -> api.phase("cam-upd").equals("Running")
        && !instanceOf("cam-upd", "detector").equals(before));
    assertThat(instanceOf("cam-upd", "detector")).startsWith("cam-upd/detector/0.");
    assertThat(api.get("/api/v1/apps/cam-upd/descriptor?format=yaml").body())
        .contains("registry.local/demo/detector:2.0");
    assertThat(json(api.get("/api/v1/apps/cam-upd")).get("history").toString())
        .contains("app cam-upd updated");

    HttpResponse<String> same = api.put("/api/v1/apps/cam-upd", dev, "application/yaml", changed);
    assertThat(same.statusCode()).isEqualTo(200);
    assertThat(json(same).get("updated").asBoolean()).isFalse();
  }

  @Test
  void putRefusesAnotherNameAnUnknownAppBadInputAndSomeoneElsesApp() {
    String dev = api.token(Role.DEVELOPER, "upd-dev2");
    assertThat(api.postYaml("/api/v1/apps", dev, ApiFixture.demoApp("cam-upd2")).statusCode())
        .isEqualTo(201);

    HttpResponse<String> renamed = api.put("/api/v1/apps/cam-upd2", dev, "application/yaml",
        ApiFixture.demoApp("cam-other"));
    assertThat(renamed.statusCode()).isEqualTo(400);
    assertThat(json(renamed).get("detail").asText())
        .contains("name: \"cam-other\" does not match the app being updated (\"cam-upd2\")");
    assertThat(api.put("/api/v1/apps/nope", dev, "application/yaml", ApiFixture.demoApp("nope"))
        .statusCode()).isEqualTo(404);
    HttpResponse<String> bad = api.put("/api/v1/apps/cam-upd2", dev, "application/yaml",
        ApiFixture.demoApp("cam-upd2").replaceFirst("restart_policy: OnFailure",
            "restart_policy: Sometimes"));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("restart_policy");
    String stranger = api.token(Role.DEVELOPER, "upd-stranger");
    assertThat(api.put("/api/v1/apps/cam-upd2", stranger, "application/yaml",
        ApiFixture.demoApp("cam-upd2")).statusCode()).isEqualTo(404);
    HttpResponse<String> dup = api.postYaml("/api/v1/apps", dev, ApiFixture.demoApp("cam-upd2"));
    assertThat(json(dup).get("detail").asText()).contains("PUT /api/v1/apps/cam-upd2");
  }

  private static String instanceOf(String app, String component) {
    for (JsonNode c : json(api.get("/api/v1/apps/" + app)).get("components")) {
      if (c.get("name").asText().equals(component)) {
        for (JsonNode i : c.get("instances")) {
          if (i.get("state").asText().equals("RUNNING")) {
            return i.get("id").asText();
          }
        }
      }
    }
    return "";
  }

  @Test
  void invalidDescriptorIsA400ListingFieldPaths() {
    String bad = ApiFixture.demoApp("cam-bad").replaceFirst("restart_policy: OnFailure",
        "restart_policy: Sometimes");

    HttpResponse<String> r = api.postYaml("/api/v1/apps", api.admin, bad);

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
    JsonNode p = json(r);
    assertThat(p.get("type").asText()).isEqualTo("about:blank");
    assertThat(p.get("title").asText()).isEqualTo("Bad Request");
    assertThat(p.get("status").asInt()).isEqualTo(400);
    JsonNode error = p.get("errors").get(0);
    assertThat(error.get("path").asText()).isEqualTo("components[0].restart_policy");
    assertThat(error.get("message").asText()).contains("Sometimes");
    assertThat(error.get("severity").asText()).isEqualTo("error");
    assertThat(api.get("/api/v1/apps/cam-bad").statusCode()).isEqualTo(404);
  }

  @Test
  void malformedBodiesAreBadRequests() {
    assertThat(api.postYaml("/api/v1/apps", api.admin, "MLSysOpsApp: [unclosed").statusCode())
        .isEqualTo(400);
    assertThat(api.postJson("/api/v1/apps", api.admin, "{\"MLSysOpsApp\": ").statusCode())
        .isEqualTo(400);
    assertThat(api.postYaml("/api/v1/apps", api.admin, "").statusCode()).isEqualTo(400);
    assertThat(api.postYaml("/api/v1/apps", api.admin, "just a string").statusCode()).isEqualTo(400);
    // Another kind where an app is expected.
    HttpResponse<String> node = api.postYaml("/api/v1/apps", api.admin,
        "MLSysOpsCluster: {cluster_id: c9, nodes: []}\n");
    assertThat(node.statusCode()).isEqualTo(400);
    assertThat(json(node).get("detail").asText()).contains("MLSysOpsApp");

    assertThat(api.postJson("/apps/deploy", api.admin, "{not json").statusCode()).isEqualTo(400);
    assertThat(api.postJson("/apps/deploy", api.admin, "[1, 2]").statusCode()).isEqualTo(400);
    assertThat(api.postJson("/apps/deploy", api.admin, "{}").statusCode()).isEqualTo(400);
    assertThat(api.postJson("/apps/deploy", api.admin, "{\"yaml\": 42}").statusCode()).isEqualTo(400);
    assertThat(api.postJson("/apps/deploy", api.admin, "{\"uri\": \"file:///etc/passwd\"}")
        .statusCode()).isEqualTo(400);
    assertThat(api.postJson("/apps/deploy", api.admin, "{\"uri\": \"http://127.0.0.1:1/x\"}")
        .statusCode()).isEqualTo(400);
    HttpResponse<String> invalid = api.postJson("/apps/deploy", api.admin,
        "{\"yaml\": {\"MLSysOpsApp\": {\"name\": \"x\", \"components\": [{\"metadata\": {\"name\": \"c\"},"
            + " \"restart_policy\": \"Sometimes\", \"containers\": [{\"image\": \"i\"}]}]}}}");
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(json(invalid).get("errors").toString()).contains("components[0].restart_policy");
    // Not UTF-8.
    HttpResponse<String> latin1 = api.send(HttpRequest.newBuilder(api.uri("/api/v1/apps"))
        .header("Authorization", "Bearer " + api.admin).header("Content-Type", "application/yaml")
        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {'a', ':', ' ', (byte) 0xE9}))
        .build());
    assertThat(latin1.statusCode()).isEqualTo(400);
  }

  @Test
  void unsupportedContentTypeIs415() {
    assertThat(api.send("POST", "/api/v1/apps", api.admin, "text/plain",
        ApiFixture.demoApp("cam-415")).statusCode()).isEqualTo(415);
    HttpResponse<String> r = api.send("POST", "/apps/deploy", api.admin, "application/yaml",
        ApiFixture.demoApp("cam-415"));
    assertThat(r.statusCode()).isEqualTo(415);
    assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(api.send("POST", "/ml/deploy_ml", api.admin, "application/xml", "<x/>").statusCode())
        .isEqualTo(415);
  }

  @Test
  void bodiesOverOneMebibyteAre413() throws Exception {
    String big = "# " + "x".repeat(RequestBodies.MAX_BYTES) + "\n" + ApiFixture.demoApp("cam-big");
    HttpResponse<String> declared = api.postYaml("/api/v1/apps", api.admin, big);
    assertThat(declared.statusCode()).isEqualTo(413);
    assertThat(json(declared).get("title").asText()).isEqualTo("Content Too Large");

    // Chunked, without Content-Length: the server stops reading at the cap.
    HttpResponse<String> chunked = api.send(HttpRequest.newBuilder(api.uri("/apps/deploy"))
        .header("Authorization", "Bearer " + api.admin).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(
            ("{\"yaml\": \"" + "y".repeat(RequestBodies.MAX_BYTES + 10) + "\"}")
                .getBytes(StandardCharsets.UTF_8))))
        .build());
    assertThat(chunked.statusCode()).isEqualTo(413);

    // A client that waits for 100 Continue (curl does, for big bodies) never sends the body.
    // (java.net.http on JDK 17 hangs on a final answer to Expect, hence a raw socket.)
    try (Socket s = new Socket("127.0.0.1", api.server.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("POST /api/v1/apps HTTP/1.1\r\nHost: localhost\r\n"
          + "Authorization: Bearer " + api.admin + "\r\nContent-Type: application/yaml\r\n"
          + "Content-Length: 50000000\r\nExpect: 100-continue\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      String status = new BufferedReader(new InputStreamReader(s.getInputStream(),
          StandardCharsets.US_ASCII)).readLine();
      assertThat(status).startsWith("HTTP/1.1 413 ");
    }
    assertThat(api.get("/api/v1/apps/cam-big").statusCode()).isEqualTo(404);
  }

  @Test
  void unknownAppsAre404Everywhere() {
    for (String path : List.of("/api/v1/apps/nope", "/api/v1/apps/nope/descriptor",
        "/apps/status/nope", "/apps/apps/details/nope", "/apps/performance/nope",
        "/ml/status/nope")) {
      HttpResponse<String> r = api.get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(404);
      assertThat(json(r).get("detail").asText()).as(path).contains("nope");
    }
    for (String path : List.of("/api/v1/apps/nope", "/apps/remove/nope", "/ml/remove/nope")) {
      assertThat(api.delete(path, api.admin).statusCode()).as(path).isEqualTo(404);
    }
  }

  @Test
  void referenceRoutesDeployReportAndRemove() throws Exception {
    String dev = api.token(Role.DEVELOPER, "ref-dev");
    assertThat(json(api.get("/apps/list_all/", dev)).get("status").asText())
        .isEqualTo("No data in the system.");

    // yaml as a string
    HttpResponse<String> r = api.postJson("/apps/deploy", dev,
        "{\"yaml\": " + quote(ApiFixture.demoApp("ref-a")) + "}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json(r).get("app_id").asText()).isEqualTo("ref-a");
    assertThat(json(r).get("status").asText()).isEqualTo("Queued");
    // yaml as an object
    JsonNode obj = new YAMLMapper().readTree(ApiFixture.demoApp("ref-b"));
    assertThat(api.postJson("/apps/deploy", dev, "{\"yaml\": " + obj + "}").statusCode())
        .isEqualTo(200);
    // uri
    HttpServer files = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    files.createContext("/ref-c.yaml", ex -> {
      byte[] b = ApiFixture.demoApp("ref-c").getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, b.length);
      try (OutputStream o = ex.getResponseBody()) {
        o.write(b);
      }
    });
    files.start();
    try {
      String uri = "http://127.0.0.1:" + files.getAddress().getPort();
      // Only admins may have the server fetch (unless mls up --descriptor-hosts opens a host).
      HttpResponse<String> refused = api.postJson("/apps/deploy", dev,
          "{\"uri\": \"" + uri + "/ref-c.yaml\"}");
      assertThat(refused.statusCode()).isEqualTo(403);
      assertThat(json(refused).get("detail").asText()).contains("only admins");
      assertThat(api.postJson("/apps/deploy", api.admin,
          "{\"uri\": \"" + uri + "/ref-c.yaml\"}").statusCode()).isEqualTo(200);
      HttpResponse<String> missing = api.postJson("/apps/deploy", api.admin,
          "{\"uri\": \"" + uri + "/missing.yaml\"}");
      assertThat(missing.statusCode()).isEqualTo(400);
      assertThat(json(missing).get("detail").asText()).contains("404");
    } finally {
      files.stop(0);
    }

    JsonNode all = json(api.get("/apps/list_all/", dev)).get("System_status");
    assertThat(all.fieldNames()).toIterable().containsExactly("ref-a", "ref-b"); // ref-c: admin's
    // The same list without the trailing slash (phases may move on between the two calls).
    assertThat(json(api.get("/apps/list_all", dev)).get("System_status").fieldNames())
        .toIterable().containsExactly("ref-a", "ref-b");
    assertThat(json(api.get("/apps/list_all/", api.admin)).get("System_status").fieldNames())
        .toIterable().contains("ref-a", "ref-b", "ref-c");

    await().atMost(30, TimeUnit.SECONDS).until(
        () -> json(api.get("/apps/status/ref-a", dev)).get("status").asText().equals("Running"));
    JsonNode status = json(api.get("/apps/status/ref-a", dev));
    assertThat(status.get("app_id").asText()).isEqualTo("ref-a");

    JsonNode details = json(api.get("/apps/apps/details/ref-a", dev));
    assertThat(details.get("state").asText()).isEqualTo("Running");
    JsonNode analytics = details.get("components").get(2);
    assertThat(analytics.get("name").asText()).isEqualTo("analytics");
    JsonNode pods = analytics.get("details").get("pods");
    assertThat(pods).hasSize(2);
    assertThat(pods.get(0).get("pod_status").asText()).isEqualTo("RUNNING");
    assertThat(pods.get(0).get("cluster_name").asText()).isEqualTo("cloud");
    assertThat(pods.get(0).get("node_name").asText()).startsWith("cloud-");
    assertThat(pods.get(0).get("pod_name").asText()).startsWith("ref-a/analytics/");

    JsonNode perf = json(api.get("/apps/performance/ref-a", dev));
    assertThat(perf.get("metrics").get(0).get("component").asText()).isEqualTo("detector");
    assertThat(perf.get("metrics").get(0).get("target").asDouble()).isEqualTo(100);
    await().atMost(20, TimeUnit.SECONDS).until(() -> !json(api.get("/apps/performance/ref-a", dev))
        .get("metrics").get(0).get("current").isNull());

    HttpResponse<String> removed = api.delete("/apps/remove/ref-a", dev);
    assertThat(removed.statusCode()).isEqualTo(200);
    assertThat(json(removed).get("message").asText())
        .isEqualTo("Application status updated to 'To_be_removed'.");
    assertThat(api.get("/apps/status/ref-a", dev).statusCode()).isEqualTo(404);
  }

  @Test
  void mlDeploymentsAreListedApartFromOtherApps() {
    String dev = api.token(Role.DEVELOPER, "ml-dev");
    assertThat(json(api.get("/ml/list_all/", dev)).get("status").asText())
        .isEqualTo("No data in the system.");
    HttpResponse<String> r = api.postJson("/ml/deploy_ml", dev,
        "{\"yaml\": " + quote(ApiFixture.demoApp("model-a")) + "}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json(r).get("deployment_id").asText()).isEqualTo("model-a");
    assertThat(json(r).get("status").asText()).isEqualTo("Queued");
    // The reference's body form: the descriptor itself.
    assertThat(api.postJson("/ml/deploy_ml", dev, "{\"MLSysOpsApp\": {\"name\": \"model-b\","
        + " \"components\": [{\"metadata\": {\"name\": \"serve\"}, \"containers\": [{\"image\":"
        + " \"r/serve:1\", \"ports\": [{\"container_port\": 8080}], \"platform_requirements\":"
        + " {\"cpu\": {\"requests\": \"10m\"}}}]}]}}").statusCode()).isEqualTo(200);
    api.postJson("/apps/deploy", dev, "{\"yaml\": " + quote(ApiFixture.demoApp("plain-a")) + "}");

    JsonNode ml = json(api.get("/ml/list_all/", dev)).get("System_status");
    assertThat(ml.fieldNames()).toIterable().containsExactly("model-a", "model-b");
    assertThat(json(api.get("/apps/list_all/", dev)).get("System_status").fieldNames()).toIterable()
        .containsExactly("model-a", "model-b", "plain-a");
    assertThat(json(api.get("/ml/status/model-a", dev)).get("deployment_id").asText())
        .isEqualTo("model-a");
    assertThat(api.get("/ml/status/plain-a", dev).statusCode()).isEqualTo(404);
    // Where it answers: each running instance's node and the ports it declares.
    org.awaitility.Awaitility.await().atMost(60, java.util.concurrent.TimeUnit.SECONDS)
        .until(() -> json(api.get("/ml/status/model-b", dev)).get("endpoints").size() == 1);
    JsonNode endpoint = json(api.get("/ml/status/model-b", dev)).get("endpoints").get(0);
    assertThat(endpoint.get("component").asText()).isEqualTo("serve");
    assertThat(endpoint.get("instance").asText()).isEqualTo("model-b/serve/0");
    assertThat(endpoint.get("node").asText()).isNotEmpty();
    assertThat(endpoint.get("ports").toString()).isEqualTo("[\"8080/TCP\"]");
    assertThat(api.delete("/ml/remove/plain-a", dev).statusCode()).isEqualTo(404);

    HttpResponse<String> removed = api.delete("/ml/remove/model-a", dev);
    assertThat(removed.statusCode()).isEqualTo(200);
    assertThat(json(removed).get("deployment_id").asText()).isEqualTo("model-a");
    assertThat(json(api.get("/ml/list_all/", dev)).get("System_status").fieldNames()).toIterable()
        .containsExactly("model-b");
    assertThat(api.postJson("/ml/deploy_ml", dev, "{\"yaml\": \"MLSysOpsApp: {name: x}\"}")
        .statusCode()).isEqualTo(400);
  }

  @Test
  void v1DeleteRemovesTheApp() {
    api.postYaml("/api/v1/apps", api.admin, ApiFixture.demoApp("cam-del"));
    HttpResponse<String> r = api.delete("/api/v1/apps/cam-del", api.admin);
    assertThat(r.statusCode()).isEqualTo(204);
    assertThat(r.body()).isEmpty();
    assertThat(api.get("/api/v1/apps/cam-del").statusCode()).isEqualTo(404);
    assertThat(api.delete("/api/v1/apps/cam-del", api.admin).statusCode()).isEqualTo(404);
    // The name is free again.
    assertThat(api.postYaml("/api/v1/apps", api.admin, ApiFixture.demoApp("cam-del")).statusCode())
        .isEqualTo(201);
  }

  @Test
  void listsArePaginated() {
    String dev = api.token(Role.DEVELOPER, "pager");
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      names.add("page-" + i);
      api.postYaml("/api/v1/apps", dev, ApiFixture.demoApp("page-" + i));
    }
    JsonNode p = json(api.get("/api/v1/apps?limit=2&offset=1", dev));
    assertThat(p.get("total").asInt()).isEqualTo(3);
    assertThat(p.get("limit").asInt()).isEqualTo(2);
    assertThat(p.get("offset").asInt()).isEqualTo(1);
    assertThat(p.get("items").findValuesAsText("name")).containsExactly("page-1", "page-2");
    assertThat(json(api.get("/api/v1/apps", dev)).get("limit").asInt()).isEqualTo(50);
    assertThat(api.get("/api/v1/apps?limit=0", dev).statusCode()).isEqualTo(400);
    assertThat(api.get("/api/v1/apps?limit=many", dev).statusCode()).isEqualTo(400);
    assertThat(api.get("/api/v1/apps?offset=-1", dev).statusCode()).isEqualTo(400);
  }

  static String quote(String s) {
    try {
      return new ObjectMapper().writeValueAsString(s);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Duration seconds(int s) {
    return Duration.ofSeconds(s);
  }
}
