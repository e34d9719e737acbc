package eu.mlsysops.northbound.api;

import static eu.mlsysops.northbound.api.ApiFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fifty developers' deploys at once: all accepted, all placed, and all still there (with their
 * owners and ML flags) after the continuum and the server restart on the same data directory.
 */
class ConcurrentDeployIT {
  static final int APPS = 50;

  @TempDir Path dir;

  @Test
  void fiftyConcurrentDeploysAreAcceptedPlacedAndPersisted() {
    Set<String> names = IntStream.range(0, APPS).mapToObj(i -> "par-" + i)
        .collect(Collectors.toSet());
    String dev;
    try (ApiFixture api = ApiFixture.start(dir)) {
      dev = api.token(Role.DEVELOPER, "dev-par");
      List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
      for (String name : names) {
        // Half through /api/v1, half through the reference route, a few as ML deployments.
        int i = Integer.parseInt(name.substring(4));
        HttpRequest.Builder b = HttpRequest.newBuilder(api.uri(i % 2 == 0 ? "/api/v1/apps"
                : i % 5 == 0 ? "/ml/deploy_ml" : "/apps/deploy"))
            .header("Authorization", "Bearer " + dev).timeout(Duration.ofSeconds(60));
        if (i % 2 == 0) {
          b.header("Content-Type", "application/yaml")
              .POST(HttpRequest.BodyPublishers.ofString(ApiFixture.demoApp(name)));
        } else {
          b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
              "{\"yaml\": " + AppRoutesIT.quote(ApiFixture.demoApp(name)) + "}"));
        }
        calls.add(api.http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()));
      }
      for (CompletableFuture<HttpResponse<String>> c : calls) {
        HttpResponse<String> r = c.join();
        assertThat(r.statusCode()).as(r.body())
            .isEqualTo(r.request().uri().getPath().equals("/api/v1/apps") ? 201 : 200);
      }

      await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(250))
          .until(() -> runningApps(api, dev).containsAll(names));
      assertThat(api.server.internalErrors()).isZero();
    }

    // Everything the API promised survives a restart of the whole continuum.
    try (ApiFixture again = ApiFixture.start(dir)) {
      JsonNode page = json(again.get("/api/v1/apps?limit=100", dev));
      assertThat(page.get("total").asInt()).isEqualTo(APPS);
      assertThat(page.get("items").findValuesAsText("name")).containsExactlyInAnyOrderElementsOf(names);
      assertThat(page.get("items").findValuesAsText("owner")).containsOnly("dev-par");
      assertThat(json(again.get("/ml/list_all/", dev)).get("System_status").size()).isEqualTo(5);
      await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(250))
          .until(() -> runningApps(again, dev).containsAll(names));
    }
  }

  @Test
  void deploysAndDeletesOfOneNameAtOnceNeverFailAndNeverLeaveAnAppWithoutItsOwner() {
    try (ApiFixture api = ApiFixture.start(dir)) {
      String dev = api.token(Role.DEVELOPER, "racer");
      List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        HttpRequest.Builder b = HttpRequest.newBuilder(api.uri(i % 2 == 0 ? "/api/v1/apps"
                : "/api/v1/apps/contested"))
            .header("Authorization", "Bearer " + dev).timeout(Duration.ofSeconds(60));
        if (i % 2 == 0) {
          b.header("Content-Type", "application/yaml")
              .POST(HttpRequest.BodyPublishers.ofString(ApiFixture.demoApp("contested")));
        } else {
          b.DELETE();
        }
        calls.add(api.http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()));
      }

      for (CompletableFuture<HttpResponse<String>> c : calls) {
        HttpResponse<String> r = c.join();
        assertThat(r.statusCode()).as(r.body()).isIn(201, 204, 404, 409);
      }
      assertThat(api.server.internalErrors()).isZero();
      // Whatever won, an app that exists is its developer's: visible and removable by them.
      if (api.get("/api/v1/apps/contested", api.admin).statusCode() == 200) {
        assertThat(api.get("/api/v1/apps/contested", dev).statusCode()).isEqualTo(200);
        assertThat(api.delete("/api/v1/apps/contested", dev).statusCode()).isEqualTo(204);
      }
    }
  }

  @Test
  void registrationsSurviveARestart() {
    try (ApiFixture api = ApiFixture.start(dir)) {
      assertThat(api.postJson("/infra/register", api.admin, "{\"yaml\": " + AppRoutesIT.quote(
          SystemRoutesIT.NODE.formatted("edge-9", "edge")) + "}").statusCode()).isEqualTo(200);
      assertThat(api.postJson("/infra/register", api.admin, "{\"yaml\": " + AppRoutesIT.quote(
          SystemRoutesIT.DATACENTER) + "}").statusCode()).isEqualTo(200);
      assertThat(api.postJson("/infra/register", api.admin,
          "{\"yaml\": {\"MLSysOpsCluster\": {\"cluster_id\": \"lab\", \"nodes\": []}}}")
          .statusCode()).isEqualTo(200);
    }
    try (ApiFixture again = ApiFixture.start(dir)) {
      JsonNode list = json(again.get("/infra/list/"));
      assertThat(list.get("nodes").findValuesAsText("id")).contains("edge-9");
      assertThat(list.get("clusters").findValuesAsText("id")).contains("lab");
      assertThat(list.get("datacenters").findValuesAsText("id")).containsExactly("dc-1");
      await().atMost(10, TimeUnit.SECONDS).until(
          () -> json(again.get("/infra/node/edge-9")).get("healthy").asBoolean());
    }
  }

  private static Set<String> runningApps(ApiFixture api, String token) {
    JsonNode page = json(api.get("/api/v1/apps?limit=100", token));
    Set<String> running = new java.util.HashSet<>();
    for (JsonNode a : page.get("items")) {
      if (a.get("phase").asText().equals("Running")) {
        running.add(a.get("name").asText());
      }
    }
    return running;
  }
}
