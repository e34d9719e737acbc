package eu.mlsysops.northbound.api;

import static eu.mlsysops.northbound.api.ApiFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import eu.mlsysops.protocol.tls.AgentCredentials;
import eu.mlsysops.protocol.tls.CertificateAuthority;
import eu.mlsysops.protocol.tls.JoinRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes joining a continuum whose clusters run as processes: tokens for admins only, one join per
 * token, the key kept by the node, errors naming the field; and a continuum that runs its clusters
 * inside it saying why it takes no joins.
 */
class JoinRoutesIT {
  @TempDir static Path dir;
  static ApiFixture api;
  static CertificateAuthority ca;

  @BeforeAll
  static void start() throws Exception {
    ca = CertificateAuthority.init(dir.resolve("certs"));
    api = ApiFixture.startAcceptingJoins(dir.resolve("data"),
        new JoinSettings(ca, Map.of("edge", "127.0.0.1:7401")));
  }

  @AfterAll
  static void stop() {
    assertThat(api.server.internalErrors()).isZero();
    api.close();
  }

  private static JsonNode token(String bodyJson) {
    HttpResponse<String> r = api.postJson("/api/v1/infra/join-tokens", api.admin, bodyJson);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return json(r);
  }

  private static HttpResponse<String> join(String token, String node, String csr) {
    return api.postJson("/api/v1/infra/join", null, JsonNodeFactory.instance.objectNode()
        .put("token", token).put("node", node).put("csr", csr).toString());
  }

  @Test
  void aNodeJoinsOnceWithItsOwnKeyAndLearnsWhereItsClusterListens() throws Exception {
    JsonNode t = token("{\"cluster\": \"edge\"}");
    assertThat(t.get("parent").asText()).isEqualTo("127.0.0.1:7401");
    assertThat(t.get("ca_hash").asText()).isEqualTo(JoinRequest.caHash(ca.certificate()));
    assertThat(t.get("command").asText()).isEqualTo("mls agent node --join "
        + api.uri("").toString().replaceAll("/$", "") + " --token " + t.get("token").asText()
        + " --ca-hash " + t.get("ca_hash").asText());

    JoinRequest request = JoinRequest.create("far-1");
    HttpResponse<String> r = join(t.get("token").asText(), "far-1", request.csrPem());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode j = json(r);
    assertThat(j.get("cluster").asText()).isEqualTo("edge");
    assertThat(j.get("parent_name").asText()).isEqualTo("edge");
    AgentCredentials creds = request.save(dir.resolve("far-1"), j.get("certificate").asText(),
        j.get("ca").asText(), t.get("ca_hash").asText());
    assertThat(AgentCredentials.joinedCluster(creds.certificate())).isEqualTo("edge");

    HttpResponse<String> again = join(t.get("token").asText(), "far-2",
        JoinRequest.create("far-2").csrPem());
    assertThat(again.statusCode()).isEqualTo(401);
    assertThat(json(again).get("detail").asText()).startsWith("token: ");

    JsonNode second = token("{\"cluster\": \"edge\"}");
    HttpResponse<String> taken = join(second.get("token").asText(), "far-1",
        JoinRequest.create("far-1").csrPem());
    assertThat(taken.statusCode()).as("a name is certified once").isEqualTo(409);
    assertThat(join(second.get("token").asText(), "far-3", JoinRequest.create("far-3").csrPem())
        .statusCode()).as("a refused join leaves the token usable").isEqualTo(200);
  }

  @Test
  void badRequestsAreRefusedNamingTheField() {
    JsonNode t = token("{\"cluster\": \"edge\", \"node\": \"bound-1\", \"ttl\": \"5m\"}");
    String tok = t.get("token").asText();
    assertThat(t.get("command").asText()).endsWith("--name bound-1");
    HttpResponse<String> wrongName = join(tok, "other", JoinRequest.create("other").csrPem());
    assertThat(wrongName.statusCode()).isEqualTo(400);
    assertThat(json(wrongName).get("detail").asText()).isEqualTo(
        "node: this token is for node bound-1");
    HttpResponse<String> badCsr = join(tok, "bound-1", "-----BEGIN NONSENSE-----");
    assertThat(badCsr.statusCode()).isEqualTo(400);
    assertThat(json(badCsr).get("errors").get(0).get("path").asText()).isEqualTo("csr");
    HttpResponse<String> missing = api.postJson("/api/v1/infra/join", null, "{\"token\": \""
        + tok + "\"}");
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(json(missing).get("detail").asText()).isEqualTo("node: required");

    JsonNode open = token("{\"cluster\": \"edge\"}");
    for (String reserved : java.util.List.of("edge", "it-continuum")) {
      HttpResponse<String> r = join(open.get("token").asText(), reserved,
          JoinRequest.create(reserved).csrPem());
      assertThat(r.statusCode()).as(reserved + " is a cluster's or the continuum's name")
          .isEqualTo(409);
    }

    HttpResponse<String> noCluster = api.postJson("/api/v1/infra/join-tokens", api.admin,
        "{\"cluster\": \"mars\"}");
    assertThat(noCluster.statusCode()).isEqualTo(404);
    HttpResponse<String> badTtl = api.postJson("/api/v1/infra/join-tokens", api.admin,
        "{\"cluster\": \"edge\", \"ttl\": \"3d\"}");
    assertThat(badTtl.statusCode()).isEqualTo(400);
    assertThat(json(badTtl).get("detail").asText()).startsWith("ttl: ");
    HttpResponse<String> badParent = api.postJson("/api/v1/infra/join-tokens", api.admin,
        "{\"cluster\": \"edge\", \"parent\": \"no port\"}");
    assertThat(badParent.statusCode()).isEqualTo(400);
    assertThat(json(badParent).get("detail").asText()).startsWith("parent: ");
  }

  @Test
  void onlyAdminsGetTokensAndTheListShowsNoSecrets() {
    String dev = api.token(Role.DEVELOPER, "dora");
    assertThat(api.postJson("/api/v1/infra/join-tokens", dev, "{\"cluster\": \"edge\"}")
        .statusCode()).isEqualTo(403);
    assertThat(api.postJson("/api/v1/infra/join-tokens", null, "{\"cluster\": \"edge\"}")
        .statusCode()).isEqualTo(401);
    token("{\"cluster\": \"edge\", \"node\": \"listed-1\"}");
    HttpResponse<String> list = api.get("/api/v1/infra/join-tokens");
    assertThat(list.statusCode()).isEqualTo(200);
    JsonNode listed = null;
    for (JsonNode t : json(list).get("items")) {
      if (t.path("node").asText().equals("listed-1")) {
        listed = t;
      }
    }
    assertThat(listed).isNotNull();
    java.util.List<String> fields = new java.util.ArrayList<>();
    listed.fieldNames().forEachRemaining(fields::add);
    assertThat(fields).containsExactly("cluster", "node", "parent", "expires");
  }

  @Test
  void aNodeRegisteredThroughTheApiIsToldToJoinAndGetsItsDescriptorWhenItDoes()
      throws Exception {
    String yaml = """
        MLSysOpsNode:
          name: far-9
          cluster_id: edge
          continuum_layer: far_edge
          environment: {node_type: native, os: ubuntu, container_runtime: [containerd]}
          hardware: {cpu: {architecture: arm64, cores: 2}, memory: 1}
        """;
    HttpResponse<String> r = api.postJson("/infra/register", api.admin,
        JsonNodeFactory.instance.objectNode().put("yaml", yaml).toString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode reg = json(r);
    assertThat(reg.get("status").asText()).isEqualTo("AwaitingJoin");
    JsonNode t = reg.get("join");
    assertThat(t.get("node").asText()).isEqualTo("far-9");
    HttpResponse<String> joined = join(t.get("token").asText(), "far-9",
        JoinRequest.create("far-9").csrPem());
    assertThat(joined.statusCode()).as(joined.body()).isEqualTo(200);
    JsonNode d = json(joined).get("descriptor");
    assertThat(d.toString()).contains("far-9").contains("arm64");
  }

  @Test
  void aContinuumRunningItsClustersInsideItSaysWhyItTakesNoJoins() {
    try (ApiFixture embedded = ApiFixture.start(dir.resolve("embedded"))) {
      HttpResponse<String> r = embedded.postJson("/api/v1/infra/join-tokens", embedded.admin,
          "{\"cluster\": \"edge\"}");
      assertThat(r.statusCode()).isEqualTo(409);
      assertThat(json(r).get("detail").asText())
          .contains("nodes join clusters that run as processes");
    }
  }
}
