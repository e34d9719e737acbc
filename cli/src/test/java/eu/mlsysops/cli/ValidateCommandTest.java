package eu.mlsysops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {
  @TempDir Path dir;

  private Path file(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  @Test
  void validDescriptorExitsZeroAndSaysWhatItHolds() {
    CliRun r = CliRun.of("validate", "../examples/demo-app.yaml");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("ok (MLSysOpsApp smart-camera)");
  }

  @Test
  void errorsArePrintedWithTheirPathAndExitOne() throws Exception {
    Path bad = file("bad.yaml", """
        MLSysOpsApp:
          name: shop
          components:
            - metadata: {name: web}
              restart_policy: Sometimes
              containers:
                - image: web:1
                  platform_requirements:
                    cpu: {requests: "250x"}
        """);
    CliRun r = CliRun.of("validate", bad.toString());

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out())
        .contains("components[0].containers[0].platform_requirements.cpu.requests")
        .contains("\"250x\" is not a CPU quantity")
        .contains("components[0].restart_policy")
        .containsPattern("2 error\\(s\\)");
    assertThat(r.err()).doesNotContain("Exception");
  }

  @Test
  void unknownFieldIsAWarningUnlessStrict() throws Exception {
    Path f = file("extra.yaml", """
        MLSysOpsCluster:
          cluster_id: c1
          nodes: [n1]
          colour: blue
        """);
    assertThat(CliRun.of("validate", f.toString()).exitCode()).isZero();
    CliRun strict = CliRun.of("validate", "--strict", f.toString());
    assertThat(strict.exitCode()).isEqualTo(1);
    assertThat(strict.out()).contains("colour");
  }

  @Test
  void jsonOutputIsMachineReadable() throws Exception {
    Path bad = file("bad.json", "{\"MLSysOpsCluster\": {\"nodes\": [\"n1\"]}}");
    CliRun r = CliRun.of("validate", "-o", "json", bad.toString(), "../examples/demo-app.yaml");

    assertThat(r.exitCode()).isEqualTo(1);
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.get(0).get("valid").asBoolean()).isFalse();
    assertThat(json.get(0).get("problems").get(0).get("path").asText()).isEqualTo("cluster_id");
    assertThat(json.get(0).get("problems").get(0).get("severity").asText()).isEqualTo("error");
    assertThat(json.get(1).get("valid").asBoolean()).isTrue();
  }

  @Test
  void missingFileIsAnErrorNotAStackTrace() {
    CliRun r = CliRun.of("validate", dir.resolve("nope.yaml").toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out() + r.err()).contains("nope.yaml").doesNotContain("at eu.mlsysops");
  }

  @Test
  void badOutputFormatIsAUsageError() {
    CliRun r = CliRun.of("validate", "-o", "xml", "../examples/demo-app.yaml");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--output: \"xml\" is not one of text, json");
  }
}
