package eu.mlsysops.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCommandsTest extends ApiTestSupport {
  @TempDir Path dir;

  @Test
  void modelsAreATableWithTheirServingVersion() {
    api.on("GET /api/v1/models", """
        {"items": [{"id": "m-1", "name": "latency", "kind": "regression", "algorithm": "linear",
                    "app": "cam", "serving_version": 2, "tags": ["qos", "detector"]},
                   {"id": "m-2", "name": "fresh", "kind": "classification", "algorithm": "tree",
                    "app": null, "serving_version": null, "tags": []}],
         "total": 2, "limit": 50, "offset": 0}
        """);

    ClientRun r = mls("ml", "models");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).containsPattern("ID +NAME +KIND +ALGORITHM +APP +SERVING +TAGS")
        .containsPattern("m-1 +latency +regression +linear +cam +v2 +qos,detector")
        .containsPattern("m-2 +fresh +classification +tree +- +- +-");
  }

  @Test
  void addSendsTheFeaturesInOrderWithTheTargetLast() {
    api.on("POST /api/v1/models", 201, "{\"id\": \"m-9\"}");

    ClientRun r = mls("ml", "add", "--name", "lat", "--kind", "regression", "--input", "cpu",
        "--input", "fps", "--target", "latency_ms", "--app", "cam", "--param", "alpha=0.01");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(api.only().body()).contains("\"features\":[{\"name\":\"cpu\",\"kind\":\"input\"},"
        + "{\"name\":\"fps\",\"kind\":\"input\"},{\"name\":\"latency_ms\",\"kind\":\"target\"}]")
        .contains("\"app\":\"cam\"").contains("\"hyperparameters\":{\"alpha\":0.01}");
    assertThat(r.out()).isEqualTo("model m-9 registered\n");
  }

  @Test
  void uploadSendsTheFileAsItIsWithItsKind() throws Exception {
    Path csv = Files.writeString(dir.resolve("train.csv"), "cpu,latency_ms\n0.5,70\n");
    api.on("POST /api/v1/models/m-1/upload", 201, "{\"sha256\": \"ab12\", \"size\": 22}");

    ClientRun r = mls("ml", "upload", "m-1", csv.toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(api.only().query()).contains("file_kind=data").contains("filename=train.csv");
    assertThat(api.only().body()).isEqualTo("cpu,latency_ms\n0.5,70\n");
    assertThat(r.out()).isEqualTo("data ab12 (22 bytes) kept for model m-1\n");
  }

  @Test
  void explainShowsTheBaseAndTheContributionsLargestFirst() {
    api.on("POST /api/v1/models/m-1/explain", """
        {"model": "m-1", "version": 1, "value": 104.5, "base_value": 80.25,
         "contributions": {"fps": -1.25, "cpu": 25.5}, "method": "linear", "samples": 0}
        """);

    ClientRun r = mls("ml", "explain", "m-1", "cpu=0.9", "fps=12");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(api.only().body()).isEqualTo("{\"features\":{\"cpu\":0.9,\"fps\":12.0}}");
    assertThat(r.out()).startsWith("value 104.5 = base 80.25 + contributions (linear, v1)\n")
        .containsPattern("cpu +\\+25.5\\s+fps +-1.25");
  }

  @Test
  void aClassifiersPredictionShowsItsLabelAndProbabilities() {
    api.on("POST /api/v1/models/m-2/predict", """
        {"model": "m-2", "version": 3, "value": 1, "label": "violated",
         "probabilities": {"met": 0.125, "violated": 0.875}}
        """);

    ClientRun r = mls("ml", "predict", "m-2", "load=0.95");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("violated (v3)\n").containsPattern("violated +0.875");
  }

  @Test
  void trainOnTelemetrySendsTheExpressionsAndShowsTheMetrics() {
    api.on("POST /api/v1/models/m-1/train", 202, """
        {"job": "j-1", "model": "m-1", "state": "running", "phase": "queued", "done": 0}
        """);
    api.on("GET /api/v1/models/m-1/jobs/j-1", """
        {"job": "j-1", "model": "m-1", "state": "done", "phase": "done", "done": 1,
         "version": 2}
        """);
    api.on("GET /api/v1/models/m-1/versions", """
        {"items": [{"version": 1, "stage": "serving", "metrics": {"rmse": 0.5}},
                   {"version": 2, "stage": "candidate", "metrics": {"rmse": 0.41, "rows": 96}}],
         "total": 2, "limit": 50, "offset": 0}
        """);

    ClientRun r = mls("ml", "train", "m-1", "--feature", "ghz=max(probe_ghz)", "--target",
        "max(probe_latency_ms)", "--window", "2m", "--step", "1s");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(api.requests().get(0).query()).isEqualTo("async=true");
    assertThat(api.requests().get(0).body()).isEqualTo("{\"telemetry\":{\"level\":\"node\","
        + "\"window\":\"2m\",\"step\":\"1s\",\"features\":{\"ghz\":\"max(probe_ghz)\"},"
        + "\"target\":\"max(probe_latency_ms)\"}}");
    assertThat(r.out()).isEqualTo("version 2 (candidate): rmse=0.41 rows=96\n");
  }

  @Test
  void aTrainingJobThatFailsSaysWhyAndExitsOne() {
    api.on("POST /api/v1/models/m-1/train", 202, """
        {"job": "j-2", "model": "m-1", "state": "running", "phase": "queued", "done": 0}
        """);
    api.on("GET /api/v1/models/m-1/jobs/j-2", """
        {"job": "j-2", "model": "m-1", "state": "failed", "phase": "checking the data",
         "done": 0.1, "error": "data: 4 rows; at least 10 are needed"}
        """);
    ClientRun r = mls("ml", "train", "m-1");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).isEqualTo("training failed: data: 4 rows; at least 10 are needed\n");
  }

  @Test
  void aFeatureWithoutAValueIsAUsageError() {
    ClientRun r = mls("ml", "predict", "m-1", "cpu", "fps=2");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("feature \"cpu\": expected NAME=NUMBER");
    assertThat(api.requests()).isEmpty();
  }
}
