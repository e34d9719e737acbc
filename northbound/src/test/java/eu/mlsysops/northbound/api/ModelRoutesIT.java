package eu.mlsysops.northbound.api;

import static eu.mlsysops.northbound.api.ApiFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ML Connector over HTTP: a model registered with the reference's body, its data uploaded as
 * the reference uploads files (multipart {@code file} and {@code file_kind}), trained, asked and
 * explained; developers see and change only their own apps' models.
 */
class ModelRoutesIT {
  @TempDir Path dir;

  static final String REFERENCE_BODY = """
      {"modelname": "detector-latency", "modelkind": "regression",
       "hyperparameter": [{"parameter": "epochs", "value": 100}],
       "modelperformance": [{"metric": "rmse"}],
       "trainingresource": [], "runresource": [],
       "featurelist": [
         {"feature_name": "cpu", "type": "cont", "kind": 0, "units": "%"},
         {"feature_name": "fps", "type": "cont", "kind": 0, "units": "1/s"},
         {"feature_name": "latency_ms", "type": "cont", "kind": 1, "units": "ms"}],
       "inference": [], "modeltags": ["qos", "detector"], "drift_detection": []}
      """;

  /** latency = 20 + 100 cpu + 0.5 fps. */
  static String csv() {
    StringBuilder b = new StringBuilder("fps,cpu,latency_ms,ignored\n");
    Random r = new Random(1);
    for (int i = 0; i < 300; i++) {
      double cpu = r.nextDouble();
      double fps = 10 + 20 * r.nextDouble();
      b.append(fps).append(',').append(cpu).append(',').append(20 + 100 * cpu + 0.5 * fps)
          .append(",x\n");
    }
    return b.toString();
  }

  /** A multipart/form-data body with {@code file} and {@code file_kind}, as curl -F sends it. */
  static HttpRequest.BodyPublisher multipart(String boundary, String kind, String content) {
    String body = "--" + boundary + "\r\n"
        + "Content-Disposition: form-data; name=\"file_kind\"\r\n\r\n" + kind + "\r\n"
        + "--" + boundary + "\r\n"
        + "Content-Disposition: form-data; name=\"file\"; filename=\"train.csv\"\r\n"
        + "Content-Type: text/csv\r\n\r\n" + content + "\r\n"
        + "--" + boundary + "--\r\n";
    return HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8);
  }

  static HttpResponse<String> upload(ApiFixture api, String path, String token, String kind,
      String content) {
    String boundary = "mls" + System.nanoTime();
    return api.send(HttpRequest.newBuilder(api.uri(path))
        .header("Authorization", "Bearer " + token)
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(multipart(boundary, kind, content)).build());
  }

  @Test
  void aModelRegisteredAsTheReferenceDoesIsTrainedAskedAndExplained() {
    try (ApiFixture api = ApiFixture.start(dir.resolve("data"))) {
      HttpResponse<String> added = api.postJson("/model/add", api.admin, REFERENCE_BODY);
      assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
      String id = json(added).get("modelid").asText();
      assertThat(json(added).get("modeltags").toString()).isEqualTo("[\"qos\",\"detector\"]");

      HttpResponse<String> up = upload(api, "/model/" + id + "/upload", api.admin, "data", csv());
      assertThat(up.statusCode()).as(up.body()).isEqualTo(201);
      assertThat(json(up).get("sha256").asText()).hasSize(64);

      HttpResponse<String> trained = api.postJson("/api/v1/models/" + id + "/train", api.admin,
          "{}");
      assertThat(trained.statusCode()).as(trained.body()).isEqualTo(201);
      assertThat(json(trained).get("stage").asText()).isEqualTo("serving");
      assertThat(json(trained).get("metrics").get("rmse").asDouble()).isLessThan(2.0);

      JsonNode p = json(api.postJson("/api/v1/models/" + id + "/predict", api.admin,
          "{\"features\": {\"cpu\": 0.5, \"fps\": 20}}"));
      assertThat(p.get("version").asInt()).isEqualTo(1);
      assertThat(p.get("value").asDouble()).isCloseTo(20 + 50 + 10, within(2.0));
      // The reference model server's body.
      JsonNode ref = json(api.postJson("/api/v1/models/" + id + "/predict", api.admin,
          "{\"data\": {\"cpu\": 0.5, \"fps\": 20}, \"explanation\": false}"));
      assertThat(ref.get("inference").asDouble()).isEqualTo(p.get("value").asDouble());
      assertThat(ref.has("explanation")).isFalse();
      JsonNode explained = json(api.postJson("/api/v1/models/" + id + "/predict", api.admin,
          "{\"data\": {\"cpu\": 0.5, \"fps\": 20}, \"explanation\": true}"));
      assertThat(explained.get("explanation").get("contributions").has("cpu")).isTrue();

      JsonNode e = json(api.postJson("/api/v1/models/" + id + "/explain", api.admin,
          "{\"features\": {\"cpu\": 0.9, \"fps\": 12}}"));
      double sum = e.get("contributions").get("cpu").asDouble()
          + e.get("contributions").get("fps").asDouble();
      assertThat(e.get("base_value").asDouble() + sum).isCloseTo(e.get("value").asDouble(),
          within(1e-9));
      assertThat(e.get("method").asText()).isEqualTo("linear");

      assertThat(json(api.get("/model/search?tags=qos&tags=detector")).size()).isEqualTo(1);
      assertThat(json(api.get("/model/search?tags=other")).size()).isZero();
      assertThat(json(api.get("/model/getkind/regression")).get(0).get("modelid").asText())
          .isEqualTo(id);
      JsonNode detail = json(api.get("/api/v1/models/" + id));
      assertThat(detail.get("serving_version").asInt()).isEqualTo(1);
      assertThat(detail.get("uploads").get(0).get("file_kind").asText()).isEqualTo("data");
    }
  }

  @Test
  void badRequestsNameTheFieldOrFeature() {
    try (ApiFixture api = ApiFixture.start(dir.resolve("data"))) {
      String id = json(api.postJson("/model/add", api.admin, REFERENCE_BODY)).get("modelid")
          .asText();
      upload(api, "/model/" + id + "/upload", api.admin, "data", csv());
      api.postJson("/api/v1/models/" + id + "/train", api.admin, "{}");

      HttpResponse<String> missing = api.postJson("/api/v1/models/" + id + "/predict", api.admin,
          "{\"features\": {\"cpu\": 0.5}}");
      assertThat(missing.statusCode()).isEqualTo(400);
      assertThat(json(missing).get("detail").asText()).startsWith("features: \"fps\" is missing");
      HttpResponse<String> text = api.postJson("/api/v1/models/" + id + "/predict", api.admin,
          "{\"features\": {\"cpu\": 0.5, \"fps\": \"fast\"}}");
      assertThat(json(text).get("detail").asText()).startsWith("features: \"fps\" is not a number");

      HttpResponse<String> noTarget = api.postJson("/model/add", api.admin, REFERENCE_BODY
          .replace("\"kind\": 1", "\"kind\": 0"));
      assertThat(noTarget.statusCode()).isEqualTo(400);
      assertThat(json(noTarget).get("detail").asText())
          .startsWith("featurelist: needs exactly one target");
      HttpResponse<String> kind = api.postJson("/model/add", api.admin, REFERENCE_BODY
          .replace("\"regression\"", "\"astrology\""));
      assertThat(json(kind).get("detail").asText()).startsWith("modelkind: ");
      HttpResponse<String> fileKind = upload(api, "/model/" + id + "/upload", api.admin,
          "weights", "x");
      assertThat(fileKind.statusCode()).isEqualTo(400);
      assertThat(json(fileKind).get("detail").asText()).startsWith("file_kind: ");
      HttpResponse<String> corrupt = upload(api, "/model/" + id + "/upload", api.admin,
          "model", "not a model");
      assertThat(json(corrupt).get("detail").asText()).startsWith("file: not a Tribuo model");
      assertThat(api.get("/api/v1/models/nope").statusCode()).isEqualTo(404);

      // This API's own field names, and what training here would ignore, refused.
      HttpResponse<String> kindOfFeature = api.postJson("/api/v1/models", api.admin, """
          {"name": "x", "kind": "regression", "features": [{"name": "a", "kind": "inp"}]}""");
      assertThat(json(kindOfFeature).get("detail").asText())
          .isEqualTo("features[0].kind: \"inp\" is not input or target");
      HttpResponse<String> noTarget2 = api.postJson("/api/v1/models", api.admin, """
          {"name": "x", "kind": "regression", "features": [{"name": "a"}]}""");
      assertThat(json(noTarget2).get("detail").asText())
          .startsWith("features: needs exactly one target");
      HttpResponse<String> param = api.postJson("/api/v1/models", api.admin, """
          {"name": "x", "kind": "regression", "hyperparameters": {"depth": 3},
           "features": [{"name": "a"}, {"name": "y", "kind": "target"}]}""");
      assertThat(json(param).get("detail").asText())
          .startsWith("hyperparameters.depth: not a hyperparameter here");
      HttpResponse<String> app = api.postJson("/api/v1/models", api.admin, """
          {"name": "x", "kind": "regression", "app": "nosuchapp",
           "features": [{"name": "a"}, {"name": "y", "kind": "target"}]}""");
      assertThat(json(app).get("detail").asText())
          .isEqualTo("app: there is no app named \"nosuchapp\"");
      String boundary = "b" + System.nanoTime();
      HttpResponse<String> noKind = api.send(HttpRequest.newBuilder(api.uri("/model/" + id
              + "/upload"))
          .header("Authorization", "Bearer " + api.admin)
          .header("Content-Type", "multipart/form-data; boundary=" + boundary)
          .POST(HttpRequest.BodyPublishers.ofString("--" + boundary + "\r\n"
              + "Content-Disposition: form-data; name=\"file\"; filename=\"c.csv\"\r\n\r\n"
              + "a,y\r\n--" + boundary + "--\r\n")).build());
      assertThat(json(noKind).get("detail").asText()).startsWith("file_kind: required");
    }
  }

  @Test
  void developersSeeAndChangeOnlyTheirOwnAppsModels() {
    try (ApiFixture api = ApiFixture.start(dir.resolve("data"))) {
      String alice = api.token(Role.DEVELOPER, "alice");
      String bob = api.token(Role.DEVELOPER, "bob");
      assertThat(api.postYaml("/api/v1/apps", alice, ApiFixture.demoApp("cam")).statusCode())
          .isEqualTo(201);

      HttpResponse<String> framework = api.postJson("/model/add", alice, REFERENCE_BODY);
      assertThat(framework.statusCode()).isEqualTo(403);
      assertThat(json(framework).get("detail").asText()).contains("framework model");
      HttpResponse<String> notHers = api.postJson("/model/add", bob,
          REFERENCE_BODY.replace("{\"modelname\"", "{\"app\": \"cam\", \"modelname\""));
      assertThat(notHers.statusCode()).isEqualTo(403);

      HttpResponse<String> mine = api.postJson("/model/add", alice,
          REFERENCE_BODY.replace("{\"modelname\"", "{\"app\": \"cam\", \"modelname\""));
      assertThat(mine.statusCode()).as(mine.body()).isEqualTo(201);
      String id = json(mine).get("modelid").asText();

      assertThat(api.get("/api/v1/models/" + id, alice).statusCode()).isEqualTo(200);
      assertThat(api.get("/api/v1/models/" + id, bob).statusCode()).isEqualTo(404);
      assertThat(json(api.get("/model/all", bob)).size()).isZero();
      assertThat(json(api.get("/model/all", alice)).size()).isEqualTo(1);
      assertThat(api.delete("/model/" + id, bob).statusCode()).isEqualTo(404);
      assertThat(upload(api, "/model/" + id + "/upload", alice, "data", csv()).statusCode())
          .isEqualTo(201);

      String admin = json(api.postJson("/model/add", api.admin, REFERENCE_BODY)).get("modelid")
          .asText();
      assertThat(api.get("/api/v1/models/" + admin, alice).statusCode())
          .as("framework models are not developers' to see").isEqualTo(404);
      String viewer = api.token(Role.VIEWER, "grafana");
      assertThat(json(api.get("/api/v1/models", viewer)).get("total").asInt()).isEqualTo(2);
    }
  }

  @Test
  void aModelIsTrainedFromTelemetryQueriesOfATier() {
    try (ApiFixture api = ApiFixture.start(dir.resolve("data"))) {
      // A detector on edge-1 whose latency follows its node's frequency, as the node agent holds it.
      var node = api.continuum.nodes().get("edge-1");
      long now = api.continuum.clock().millis();
      for (int i = 0; i < 60; i++) {
        long t = now - 59_000 + i * 1000L;
        double ghz = 1.0 + (i % 5) * 0.25;
        node.ingest(new eu.mlsysops.telemetry.Sample("probe_ghz",
            eu.mlsysops.telemetry.Labels.of("node", "edge-1"), t, ghz));
        node.ingest(new eu.mlsysops.telemetry.Sample("probe_latency_ms",
            eu.mlsysops.telemetry.Labels.of("node", "edge-1"), t, 200 / ghz));
      }
      String id = json(api.postJson("/api/v1/models", api.admin, """
          {"name": "probe", "kind": "regression", "algorithm": "tree",
           "features": [{"name": "ghz"}, {"name": "latency_ms", "kind": "target"}]}
          """)).get("id").asText();

      HttpResponse<String> trained = api.postJson("/api/v1/models/" + id + "/train", api.admin, """
          {"telemetry": {"level": "node", "window": "2m", "step": "1s",
                         "features": {"ghz": "max(probe_ghz)"}, "target": "max(probe_latency_ms)"}}
          """);
      assertThat(trained.statusCode()).as(trained.body()).isEqualTo(201);
      assertThat(json(trained).get("metrics").get("rmse").asDouble()).isLessThan(1.0);
      assertThat(json(api.postJson("/api/v1/models/" + id + "/predict", api.admin,
          "{\"features\": {\"ghz\": 2.0}}")).get("value").asDouble())
          .isCloseTo(100, within(1.0));
      JsonNode drift = json(api.get("/api/v1/models/" + id + "/drift"));
      assertThat(drift.get("checked").asBoolean()).as("one input is no window yet").isFalse();
      assertThat(drift.get("drifted")).isEmpty();

      HttpResponse<String> two = api.postJson("/api/v1/models/" + id + "/train", api.admin, """
          {"telemetry": {"level": "node", "window": "2m", "step": "1s",
                         "features": {"ghz": "node_cpu_scaling_frequency_hertz"},
                         "target": "max(probe_latency_ms)"}}
          """);
      assertThat(two.statusCode()).isEqualTo(400);
      assertThat(json(two).get("detail").asText())
          .startsWith("telemetry.features.ghz: \"node_cpu_scaling_frequency_hertz\" gives 8"
              + " series").endsWith("(e.g. avg(…))"); // UTF-8, as JSON is
      HttpResponse<String> step = api.postJson("/api/v1/models/" + id + "/train", api.admin,
          "{\"telemetry\": {\"step\": \"often\", \"features\": {\"ghz\": \"x\"},"
              + " \"target\": \"y\"}}");
      assertThat(json(step).get("detail").asText()).startsWith("telemetry.step: ");
    }
  }

  @Test
  void trainingAsAJobAnswersAtOnceAndSaysHowItEnded() {
    try (ApiFixture api = ApiFixture.start(dir.resolve("data"))) {
      String id = json(api.postJson("/model/add", api.admin, REFERENCE_BODY)).get("modelid")
          .asText();
      upload(api, "/model/" + id + "/upload", api.admin, "data", csv());

      HttpResponse<String> started = api.postJson("/api/v1/models/" + id + "/train?async=true",
          api.admin, "{}");
      assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
      String job = json(started).get("job").asText();
      assertThat(started.headers().firstValue("Location")).contains(
          "/api/v1/models/" + id + "/jobs/" + job);
      org.awaitility.Awaitility.await().atMost(60, java.util.concurrent.TimeUnit.SECONDS)
          .until(() -> json(api.get("/api/v1/models/" + id + "/jobs/" + job, api.admin))
              .get("state").asText().equals("done"));
      JsonNode done = json(api.get("/api/v1/models/" + id + "/jobs/" + job, api.admin));
      assertThat(done.get("version").asInt()).isEqualTo(1);
      assertThat(done.get("done").asDouble()).isEqualTo(1.0);
      assertThat(json(api.get("/api/v1/models/" + id + "/versions", api.admin)).get("total")
          .asInt()).isEqualTo(1);

      assertThat(api.get("/api/v1/models/" + id + "/jobs/nope", api.admin).statusCode())
          .isEqualTo(404);
      assertThat(api.postJson("/api/v1/models/" + id + "/train?async=maybe", api.admin, "{}")
          .statusCode()).isEqualTo(400);
      String bob = api.token(Role.DEVELOPER, "bob");
      assertThat(api.delete("/api/v1/models/" + id + "/jobs/" + job, bob).statusCode())
          .as("a framework model's job is not a developer's to see").isEqualTo(404);
    }
  }

  @Test
  void whatActuallyHappenedIsTheServingVersionsError() {
    try (ApiFixture api = ApiFixture.start(dir.resolve("data"))) {
      String id = json(api.postJson("/model/add", api.admin, REFERENCE_BODY)).get("modelid")
          .asText();
      upload(api, "/model/" + id + "/upload", api.admin, "data", csv());
      api.postJson("/api/v1/models/" + id + "/train", api.admin, "{}");

      // latency = 20 + 100 cpu + 0.5 fps: 80 ms at cpu 0.5, fps 20; it took 95.
      HttpResponse<String> r = api.postJson("/api/v1/models/" + id + "/observe", api.admin,
          "{\"features\": {\"cpu\": 0.5, \"fps\": 20}, \"actual\": 95}");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(json(r).get("error").asDouble()).isCloseTo(15, within(0.5));
      HttpResponse<String> bad = api.postJson("/api/v1/models/" + id + "/observe", api.admin,
          "{\"features\": {\"cpu\": 0.5, \"fps\": 20}, \"actual\": \"slow\"}");
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(json(bad).get("detail").asText()).isEqualTo("actual: \"slow\" is not a number");
      HttpResponse<String> none = api.postJson("/api/v1/models/" + id + "/observe", api.admin,
          "{\"features\": {\"cpu\": 0.5, \"fps\": 20}}");
      assertThat(json(none).get("detail").asText()).startsWith("actual: required");
      String viewer = api.token(Role.VIEWER, "grafana");
      assertThat(api.postJson("/api/v1/models/" + id + "/observe", viewer,
          "{\"features\": {\"cpu\": 0.5, \"fps\": 20}, \"actual\": 95}").statusCode())
          .as("outcomes change what is learnt: not a viewer's to give").isEqualTo(403);
    }
  }
}
