package eu.mlsysops.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeploymentCommandsTest extends ApiTestSupport {
  @Test
  void deploySendsTheReferenceBodyAndSaysWhereItAnswers() {
    api.on("POST /deployment/add", 201, """
        {"modelid": "m-1", "ownerid": "ops", "placement": {"clusterID": "edge", "node": null,
         "continuum": false}, "deployment_id": "d-1", "status": "Pending",
         "reason": "model m-1 has no serving version yet", "endpoint": "/deployment/d-1/prediction"}
        """);

    ClientRun r = mls("ml", "deploy", "m-1", "--owner", "ops", "--cluster", "edge", "--id", "d-1");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(api.only().body()).contains("\"modelid\":\"m-1\"").contains("\"ownerid\":\"ops\"")
        .contains("\"deployment_id\":\"d-1\"").contains("\"inference_data\":0")
        .contains("\"placement\":{\"clusterID\":\"edge\",\"continuum\":false}");
    assertThat(r.out()).isEqualTo("deployment d-1 of model m-1: Pending (model m-1 has no serving"
        + " version yet)\npredictions: POST /deployment/d-1/prediction\n");
  }

  @Test
  void deploymentsAreATableAndUndeployRemovesOne() {
    api.on("GET /deployment/all", """
        [{"modelid": "m-1", "ownerid": "ops", "placement": {"clusterID": "edge", "node": "*",
          "continuum": false}, "deployment_id": "d-1", "status": "Running", "reason": ""},
         {"modelid": "m-2", "ownerid": "k", "placement": {"clusterID": null, "node": null,
          "continuum": true}, "deployment_id": "d-2", "status": "Failed",
          "reason": "placement.node: no node x in the continuum"}]
        """);
    ClientRun r = mls("ml", "deployments");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).containsPattern("ID +MODEL +OWNER +PLACEMENT +STATUS +REASON")
        .containsPattern("d-1 +m-1 +ops +edge/\\* +Running +-")
        .containsPattern("d-2 +m-2 +k +continuum +Failed +placement.node: no node x");

    api.on("DELETE /deployment/d-1", "{\"message\": \"Deployment was deleted successfully\"}");
    assertThat(mls("ml", "undeploy", "d-1").out()).isEqualTo("deployment d-1 removed\n");
    assertThat(mls("ml", "deploy", "m-1").exitCode()).as("--owner is required").isEqualTo(2);
  }
}
