package eu.mlsysops.northbound.api;

import static eu.mlsysops.northbound.api.ApiFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokens and roles: 401 without a good token, 403 for the wrong role, developers' own apps. */
class AuthIT {
  @TempDir static Path dir;
  static ApiFixture api;

  @BeforeAll
  static void start() {
    api = ApiFixture.start(dir);
  }

  @AfterAll
  static void stop() {
    assertThat(api.server.internalErrors()).isZero();
    api.close();
  }

  @Test
  void missingOrBadTokenIs401() {
    for (String path : List.of("/api/v1/apps", "/apps/list_all/", "/infra/list/", "/api/v1/plans",
        "/api/v1/events")) {
      HttpResponse<String> none = api.get(path, null);
      assertThat(none.statusCode()).as(path).isEqualTo(401);
      assertThat(none.headers().firstValue("Content-Type")).contains("application/problem+json");
      assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
          v -> assertThat(v).startsWith("Bearer"));
      assertThat(json(none).get("title").asText()).isEqualTo("Unauthorized");
      assertThat(api.get(path, "not-a-token").statusCode()).as(path).isEqualTo(401);
    }
    assertThat(api.send("GET", "/api/v1/apps", null, null, null).statusCode()).isEqualTo(401);
    assertThat(api.send("POST", "/api/v1/apps", null, "application/yaml",
        ApiFixture.demoApp("anon")).statusCode()).isEqualTo(401);
    // Basic auth is not a bearer token.
    assertThat(api.send(java.net.http.HttpRequest.newBuilder(api.uri("/api/v1/apps"))
        .header("Authorization", "Basic YWRtaW46YWRtaW4=").build()).statusCode()).isEqualTo(401);
  }

  @Test
  void headFollowsGetsAuthorization() {
    for (String path : List.of("/api/v1/apps", "/api/v1/plans", "/infra/list/",
        "/api/v1/telemetry/query?query=up", "/api/v1/events")) {
      HttpResponse<String> none = api.send("HEAD", path, null, null, null);
      assertThat(none.statusCode()).as("HEAD " + path + " without a token").isEqualTo(401);
    }
    String viewer = api.token(Role.VIEWER, "head-viewer");
    assertThat(api.send("HEAD", "/api/v1/apps", viewer, null, null).statusCode()).isEqualTo(200);
    assertThat(api.send("HEAD", "/api/v1/tokens", viewer, null, null).statusCode())
        .isIn(403, 404, 405);
    assertThat(api.send("HEAD", "/manage/ping", null, null, null).statusCode()).isEqualTo(200);
  }

  @Test
  void theDashboardAndTheApiSendSecurityHeaders() {
    for (String path : List.of("/", "/app.js", "/manage/ping", "/api/v1/apps")) {
      HttpResponse<String> r = api.get(path, api.admin);
      assertThat(r.statusCode()).as(path).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Security-Policy")).as(path)
          .hasValueSatisfying(v -> assertThat(v).contains("script-src 'self'")
              .contains("frame-ancestors 'none'").doesNotContain("unsafe-eval"));
      assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
      assertThat(r.headers().firstValue("Referrer-Policy")).contains("no-referrer");
    }
  }

  @Test
  void queryTokenIsOnlyForTheEventStream() {
    assertThat(api.get("/api/v1/apps?token=" + api.admin, null).statusCode()).isEqualTo(401);
  }

  @Test
  void publicRoutesNeedNoToken() {
    assertThat(api.get("/manage/ping", null).statusCode()).isEqualTo(200);
    assertThat(api.get("/api/v1/openapi.json", null).statusCode()).isEqualTo(200);
    assertThat(api.get("/", null).statusCode()).isEqualTo(200);
  }

  @Test
  void viewerReadsButCannotChangeAnything() {
    String viewer = api.token(Role.VIEWER, "vic");
    assertThat(api.get("/api/v1/apps", viewer).statusCode()).isEqualTo(200);
    assertThat(api.get("/api/v1/nodes", viewer).statusCode()).isEqualTo(200);

    HttpResponse<String> deploy = api.postYaml("/api/v1/apps", viewer, ApiFixture.demoApp("by-viewer"));
    assertThat(deploy.statusCode()).isEqualTo(403);
    assertThat(json(deploy).get("title").asText()).isEqualTo("Forbidden");
    assertThat(json(deploy).get("detail").asText()).contains("developer");
    assertThat(api.postJson("/apps/deploy", viewer, "{\"yaml\": {}}").statusCode()).isEqualTo(403);
    assertThat(api.postJson("/ml/deploy_ml", viewer, "{\"yaml\": {}}").statusCode()).isEqualTo(403);
    assertThat(api.put("/api/v1/mode/ml", viewer, null, null).statusCode()).isEqualTo(403);
    assertThat(api.put("/manage/mode/1", viewer, null, null).statusCode()).isEqualTo(403);
    assertThat(api.postJson("/api/v1/tokens", viewer, "{\"role\":\"admin\",\"name\":\"x\"}")
        .statusCode()).isEqualTo(403);
    assertThat(api.delete("/infra/unregister/edge-1", viewer).statusCode()).isEqualTo(403);
    assertThat(api.get("/api/v1/apps/by-viewer").statusCode()).isEqualTo(404);
  }

  @Test
  void developersSeeAndRemoveOnlyTheirOwnApps() {
    String alice = api.token(Role.DEVELOPER, "alice");
    String bob = api.token(Role.DEVELOPER, "bob");
    String viewer = api.token(Role.VIEWER, "auditor");
    assertThat(api.postYaml("/api/v1/apps", alice, ApiFixture.demoApp("alices")).statusCode())
        .isEqualTo(201);

    // Someone else's app does not exist for a developer: 404, not 403, so names do not leak.
    for (String path : List.of("/api/v1/apps/alices", "/api/v1/apps/alices/descriptor",
        "/apps/status/alices", "/apps/apps/details/alices", "/apps/performance/alices")) {
      assertThat(api.get(path, bob).statusCode()).as(path).isEqualTo(404);
      assertThat(api.get(path, alice).statusCode()).as(path).isEqualTo(200);
    }
    assertThat(json(api.get("/api/v1/apps", bob)).get("total").asInt()).isZero();
    assertThat(json(api.get("/apps/list_all/", bob)).has("System_status")).isFalse();
    assertThat(api.delete("/api/v1/apps/alices", bob).statusCode()).isEqualTo(404);
    assertThat(api.delete("/apps/remove/alices", bob).statusCode()).isEqualTo(404);
    // A name taken by someone else is still taken.
    assertThat(api.postYaml("/api/v1/apps", bob, ApiFixture.demoApp("alices")).statusCode())
        .isEqualTo(409);

    // Viewers and admins see everyone's apps, with the owner.
    JsonNode seen = json(api.get("/api/v1/apps/alices", viewer));
    assertThat(seen.get("owner").asText()).isEqualTo("alice");
    assertThat(json(api.get("/api/v1/apps/alices")).get("owner").asText()).isEqualTo("alice");
    // Developers still read the infrastructure and plans.
    assertThat(api.get("/api/v1/nodes", bob).statusCode()).isEqualTo(200);
    assertThat(api.get("/api/v1/plans", bob).statusCode()).isEqualTo(200);
    assertThat(api.get("/infra/list/", bob).statusCode()).isEqualTo(200);
    // But not administer.
    assertThat(api.put("/api/v1/policies/node/x.groovy", bob, "text/plain", "class X {}")
        .statusCode()).isEqualTo(403);
    assertThat(api.postJson("/infra/register", bob, "{\"yaml\": {}}").statusCode()).isEqualTo(403);

    assertThat(api.delete("/api/v1/apps/alices", alice).statusCode()).isEqualTo(204);
  }

  @Test
  void tokenCreationValidatesItsInput() {
    HttpResponse<String> ok = api.postJson("/api/v1/tokens", api.admin,
        "{\"role\": \"viewer\", \"name\": \"carol\"}");
    assertThat(ok.statusCode()).isEqualTo(201);
    JsonNode t = json(ok);
    assertThat(t.get("role").asText()).isEqualTo("viewer");
    assertThat(t.get("name").asText()).isEqualTo("carol");
    assertThat(t.get("token").asText()).matches("[A-Za-z0-9_-]{43}");
    assertThat(api.get("/api/v1/apps", t.get("token").asText()).statusCode()).isEqualTo(200);

    assertThat(api.postJson("/api/v1/tokens", api.admin, "{\"role\": \"viewer\", \"name\": \"carol\"}")
        .statusCode()).isEqualTo(409);
    HttpResponse<String> badRole = api.postJson("/api/v1/tokens", api.admin,
        "{\"role\": \"root\", \"name\": \"dave\"}");
    assertThat(badRole.statusCode()).isEqualTo(400);
    assertThat(json(badRole).get("errors").get(0).get("path").asText()).isEqualTo("role");
    assertThat(api.postJson("/api/v1/tokens", api.admin, "{\"role\": \"viewer\"}").statusCode())
        .isEqualTo(400);
    assertThat(api.postJson("/api/v1/tokens", api.admin,
        "{\"role\": \"viewer\", \"name\": \"../etc\"}").statusCode()).isEqualTo(400);
    assertThat(api.postJson("/api/v1/tokens", api.admin, "nope").statusCode()).isEqualTo(400);
    assertThat(api.send("POST", "/api/v1/tokens", api.admin, "text/plain", "{}").statusCode())
        .isEqualTo(415);
  }

  @Test
  void tokensAreListedWithoutSecretsExpireAndAreRevoked() throws Exception {
    HttpResponse<String> created = api.postJson("/api/v1/tokens", api.admin,
        "{\"role\": \"viewer\", \"name\": \"contractor\", \"ttl\": \"24h\"}");
    assertThat(created.statusCode()).isEqualTo(201);
    String token = json(created).get("token").asText();
    assertThat(json(created).get("expires").asText()).endsWith("Z");
    assertThat(api.postJson("/api/v1/tokens", api.admin,
        "{\"role\": \"viewer\", \"name\": \"x\", \"ttl\": \"soon\"}").statusCode())
        .isEqualTo(400);

    JsonNode listed = json(api.get("/api/v1/tokens"));
    assertThat(listed.toString()).doesNotContain(token).doesNotContain(api.admin)
        .doesNotContain("sha256");
    assertThat(listed.get("items").findValuesAsText("name")).contains("admin", "contractor");
    assertThat(api.get("/api/v1/tokens", token).statusCode()).isEqualTo(403);

    // An open event stream of the token ends when it is revoked.
    try (ApiFixture.EventLines stream = api.events(token)) {
      assertThat(stream.status).isEqualTo(200);
      assertThat(api.get("/api/v1/apps", token).statusCode()).isEqualTo(200);
      assertThat(api.delete("/api/v1/tokens/contractor", api.admin).statusCode()).isEqualTo(200);
      assertThat(api.get("/api/v1/apps", token).statusCode()).isEqualTo(401);
      await().atMost(30, TimeUnit.SECONDS).until(stream::ended);
    }
    assertThat(api.delete("/api/v1/tokens/contractor", api.admin).statusCode()).isEqualTo(404);
    // The last admin token stays.
    assertThat(api.delete("/api/v1/tokens/admin", api.admin).statusCode()).isEqualTo(409);
  }

  @Test
  void aDeveloperOverTheQuotaIsRefusedNamingIt() {
    String dev = api.token(Role.DEVELOPER, "greedy");
    String yaml = "MLSysOpsApp:\n  name: greedy-app\n  cluster_placement: {cluster_id: [cloud]}\n"
        + "  components:\n    - metadata: {name: w}\n"
        + "      node_placement: {scaling: {scaling_mode: manual, instances: 2}}\n"
        + "      containers:\n        - image: registry.local/w:1\n"
        + "          platform_requirements: {cpu: {requests: \"40\", limits: \"40\"}}\n";
    HttpResponse<String> r = api.postYaml("/api/v1/apps", dev, yaml);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
    assertThat(json(r).get("detail").asText())
        .startsWith("quota cpu: greedy's apps would request 80000m CPU; the quota is 64000m");
    assertThat(json(r).get("errors").get(0).get("path").asText()).isEqualTo("quota.cpu");
    assertThat(api.get("/api/v1/apps/greedy-app").statusCode()).isEqualTo(404);
  }
}
