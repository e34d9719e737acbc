package eu.mlsysops.northbound.api;

import static eu.mlsysops.northbound.api.ApiFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reference ML Connector's deployment routes, with its bodies. */
class DeploymentRoutesIT {
  @TempDir Path dir;

  private static String deployment(String model, String placement) {
    return "{\"modelid\": \"" + model + "\", \"ownerid\": \"continuum-agent\", \"placement\": "
        + placement + ", \"inference_data\": 0}";
  }

  @Test
  void aDeployedModelAnswersAtItsEndpointAndSaysWhetherItCanServe() {
    try (ApiFixture api = ApiFixture.start(dir.resolve("data"))) {
      String id = json(api.postJson("/model/add", api.admin, ModelRoutesIT.REFERENCE_BODY))
          .get("modelid").asText();

      HttpResponse<String> added = api.postJson("/deployment/add", api.admin,
          deployment(id, "{\"clusterID\": \"edge\", \"node\": \"*\", \"continuum\": false}"));
      assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
      JsonNode d = json(added);
      String dep = d.get("deployment_id").asText();
      assertThat(d.get("modelid").asText()).isEqualTo(id);
      assertThat(d.get("ownerid").asText()).isEqualTo("continuum-agent");
      assertThat(d.get("placement").get("clusterID").asText()).isEqualTo("edge");
      assertThat(d.get("status").asText()).as("no serving version yet").isEqualTo("Pending");
      assertThat(d.get("endpoint").asText()).isEqualTo("/deployment/" + dep + "/prediction");
      assertThat(api.postJson("/deployment/" + dep + "/prediction", api.admin,
          "{\"data\": {\"cpu\": 0.5, \"fps\": 20}}").statusCode()).isEqualTo(404);

      ModelRoutesIT.upload(api, "/model/" + id + "/upload", api.admin, "data",
          ModelRoutesIT.csv());
      assertThat(api.postJson("/api/v1/models/" + id + "/train", api.admin, "{}").statusCode())
          .isEqualTo(201);
      JsonNode status = json(api.get("/deployment/get/status/" + dep, api.admin));
      assertThat(status.get("response").asText()).isEqualTo("Running");

      JsonNode p = json(api.postJson("/deployment/" + dep + "/prediction", api.admin,
          "{\"data\": {\"cpu\": 0.5, \"fps\": 20}, \"explanation\": true}"));
      assertThat(p.get("inference").asDouble()).isCloseTo(20 + 50 + 10, within(1.0));
      JsonNode e = p.get("explanation");
      double sum = e.get("base_value").asDouble() + e.get("contributions").get("cpu").asDouble()
          + e.get("contributions").get("fps").asDouble();
      assertThat(sum).isCloseTo(p.get("inference").asDouble(), within(1e-9));

      // Named placements that the continuum does not have cannot serve, and say why.
      HttpResponse<String> nowhere = api.postJson("/deployment/add", api.admin,
          deployment(id, "{\"clusterID\": \"mars\"}").replace("{\"modelid\"",
              "{\"deployment_id\": \"on-mars\", \"modelid\""));
      assertThat(json(nowhere).get("status").asText()).isEqualTo("Failed");
      assertThat(json(nowhere).get("reason").asText())
          .isEqualTo("placement.clusterID: no cluster mars in the continuum");
      assertThat(json(api.get("/deployment/all", api.admin)).findValuesAsText("deployment_id"))
          .containsExactly(dep, "on-mars");

      assertThat(json(api.delete("/deployment/on-mars", api.admin)).get("message").asText())
          .isEqualTo("Deployment was deleted successfully");
      assertThat(api.get("/deployment/get/status/on-mars", api.admin).statusCode())
          .isEqualTo(404);
      // Deleting the model deletes its deployments.
      assertThat(api.delete("/model/" + id, api.admin).statusCode()).isEqualTo(200);
      assertThat(json(api.get("/deployment/all", api.admin)).size()).isZero();
    }
  }

  @Test
  void badBodiesNameTheFieldAndOtherTenantsDeploymentsDoNotExist() {
    try (ApiFixture api = ApiFixture.start(dir.resolve("data"))) {
      String id = json(api.postJson("/model/add", api.admin, ModelRoutesIT.REFERENCE_BODY))
          .get("modelid").asText();
      HttpResponse<String> link = api.postJson("/deployment/add", api.admin,
          deployment(id, "{\"continuum\": true}").replace("\"inference_data\": 0",
              "\"inference_data\": 1"));
      assertThat(link.statusCode()).isEqualTo(400);
      assertThat(json(link).get("detail").asText()).startsWith("inference_data: 1 is not supported");
      HttpResponse<String> noPlace = api.postJson("/deployment/add", api.admin,
          deployment(id, "{}"));
      assertThat(json(noPlace).get("detail").asText()).startsWith("placement: name a clusterID");
      HttpResponse<String> noModel = api.postJson("/deployment/add", api.admin,
          deployment("nope", "{\"continuum\": true}"));
      assertThat(noModel.statusCode()).isEqualTo(404);
      HttpResponse<String> badId = api.postJson("/deployment/add", api.admin,
          deployment(id, "{\"continuum\": true}").replace("{\"modelid\"",
              "{\"deployment_id\": \"a b\", \"modelid\""));
      assertThat(json(badId).get("detail").asText()).startsWith("deployment_id: \"a b\"");
      String ok = deployment(id, "{\"continuum\": true}").replace("{\"modelid\"",
          "{\"deployment_id\": \"d1\", \"modelid\"");
      assertThat(api.postJson("/deployment/add", api.admin, ok).statusCode()).isEqualTo(201);
      HttpResponse<String> again = api.postJson("/deployment/add", api.admin, ok);
      assertThat(again.statusCode()).isEqualTo(400);
      assertThat(json(again).get("detail").asText()).isEqualTo("deployment_id: \"d1\" exists"
          + " already");

      // A framework model's deployment is not a developer's to see, use or delete.
      String bob = api.token(Role.DEVELOPER, "bob");
      assertThat(json(api.get("/deployment/all", bob)).size()).isZero();
      assertThat(api.get("/deployment/get/status/d1", bob).statusCode()).isEqualTo(404);
      assertThat(api.postJson("/deployment/d1/prediction", bob, "{\"data\": {}}").statusCode())
          .isEqualTo(404);
      assertThat(api.delete("/deployment/d1", bob).statusCode()).isEqualTo(404);
      assertThat(api.postJson("/deployment/add", bob, ok.replace("d1", "d2")).statusCode())
          .isEqualTo(404);
    }
  }
}
