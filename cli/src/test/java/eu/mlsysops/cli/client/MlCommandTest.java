package eu.mlsysops.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class MlCommandTest extends ApiTestSupport {
  @Test
  void deployMlPostsToTheMlRoute() throws Exception {
    api.on("POST /ml/deploy_ml", "{\"deployment_id\": \"smart-camera\", \"status\": \"Queued\"}");

    ClientRun r = mls("ml", "deploy-ml", "--path", "../examples/demo-app.yaml");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(new ObjectMapper().readTree(api.only().body()).get("yaml").asText())
        .contains("MLSysOpsApp");
    assertThat(r.out()).isEqualTo("deployment smart-camera: Queued\n");
  }

  @Test
  void listAllRendersTheSystemStatusMap() {
    api.on("GET /ml/list_all/", "{\"System_status\": {\"m1\": \"Running\", \"m2\": \"Queued\"}}");
    ClientRun r = mls("ml", "list-all");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).containsPattern("DEPLOYMENT +STATUS").containsPattern("m1 +Running")
        .containsPattern("m2 +Queued");
  }

  @Test
  void listAllWithNothingSaysWhatTheServerSaid() {
    api.on("GET /ml/list_all/", "{\"status\": \"No data in the system.\"}");
    assertThat(mls("ml", "list-all").out()).isEqualTo("No data in the system.\n");
  }

  @Test
  void getStatusAndRemove() {
    api.on("GET /ml/status/m1", "{\"deployment_id\": \"m1\", \"status\": \"Running\"}");
    api.on("DELETE /ml/remove/m1", "{\"deployment_id\": \"m1\", \"message\": \"removed\"}");
    assertThat(mls("ml", "get-status", "m1").out()).isEqualTo("m1: Running\n");
    assertThat(mls("ml", "remove", "m1").out()).isEqualTo("m1: removed\n");
  }

  @Test
  void getStatusShowsWhereTheDeploymentAnswers() {
    api.on("GET /ml/status/m2", """
        {"deployment_id": "m2", "status": "Running", "endpoints": [
          {"component": "serve", "instance": "m2/serve/0", "node": "edge-1",
           "ports": ["8080/TCP", "9090/UDP"]}]}
        """);
    ClientRun r = mls("ml", "get-status", "m2");
    assertThat(r.out()).startsWith("m2: Running\n")
        .containsPattern("COMPONENT +INSTANCE +NODE +PORTS")
        .containsPattern("serve +m2/serve/0 +edge-1 +8080/TCP,9090/UDP");
  }

  @Test
  void unknownDeploymentIsExitOneWithTheDetail() {
    api.on("GET /ml/status/zz", 404, "{\"detail\": \"Deployment zz not found\"}");
    ClientRun r = mls("ml", "get-status", "zz");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("mls: Deployment zz not found\n");
  }
}
