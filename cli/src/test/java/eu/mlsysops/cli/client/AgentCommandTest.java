package eu.mlsysops.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentCommandTest extends ApiTestSupport {
  @TempDir Path dir;

  @Test
  void setPolicyPutsTheSourceUnderItsFileName() throws Exception {
    Path f = dir.resolve("policy-mine.groovy");
    Files.writeString(f, "class Mine implements eu.mlsysops.agent.Policy {}\n");
    api.on("PUT /api/v1/policies/cluster/policy-mine.groovy", 201,
        "{\"tier\": \"cluster\", \"file\": \"policy-mine.groovy\", \"loaded\": [\"mine\"]}");

    ClientRun r = mls("agent", "set-policy", "--agent", "cluster", "--file", f.toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    FakeApi.Request req = api.only();
    assertThat(req.method()).isEqualTo("PUT");
    assertThat(req.header("Content-Type")).startsWith("text/plain");
    assertThat(req.body()).isEqualTo(Files.readString(f));
    assertThat(r.out()).isEqualTo("policy-mine.groovy on cluster agents: loaded mine\n");
  }

  @Test
  void setPolicyThatDoesNotCompileShowsTheCompileError() throws Exception {
    Path f = dir.resolve("policy-bad.groovy");
    Files.writeString(f, "class {");
    api.on("PUT /api/v1/policies/node/policy-bad.groovy", 400, "{\"title\": \"Bad Request\","
        + " \"status\": 400, \"detail\": \"policy-bad.groovy: line 1: unexpected token: {\"}");
    ClientRun r = mls("agent", "set-policy", "--agent", "node", "--file", f.toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("mls: policy-bad.groovy: line 1: unexpected token: {\n");
  }

  @Test
  void setPolicyNeedsAKnownTier() {
    ClientRun r = mls("agent", "set-policy", "--agent", "galaxy", "--file", "x.groovy");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("continuum, cluster, node");
  }

  @Test
  void deletePolicyByOptionOrArgument() {
    api.on("DELETE /api/v1/policies/continuum/policy-x.groovy", 204, "");
    ClientRun a = mls("agent", "delete-policy", "--agent", "continuum", "--name",
        "policy-x.groovy");
    ClientRun b = mls("agent", "delete-policy", "--agent", "continuum", "policy-x.groovy");
    assertThat(a.exitCode()).as(a.err()).isZero();
    assertThat(b.exitCode()).isZero();
    assertThat(a.out()).isEqualTo("deleted policy-x.groovy from continuum agents\n");
    assertThat(api.requests()).hasSize(2).allMatch(q -> q.method().equals("DELETE"));
    assertThat(mls("agent", "delete-policy", "--agent", "node").exitCode()).isEqualTo(2);
  }

  @Test
  void listPoliciesShowsEveryTierAndBrokenFiles() {
    api.on("GET /api/v1/policies", Canned.POLICIES);

    ClientRun r = mls("agent", "list-policies");

    assertThat(r.exitCode()).isZero();
    assertThat(r.out())
        .containsPattern("continuum +cluster-placement +enabled +built-in +app +yes +1 +12 +1 +0")
        .containsPattern("cluster +my-policy +disabled +policy-good.groovy +cluster +no +2 +40 +3 +1"
            + " +division by zero")
        .containsPattern("node +ml-cpu-frequency +paused \\(mode heuristic\\) +built-in +global"
            + " +no +8 +0 +0 +0")
        .contains("files that did not load:")
        .containsPattern("cluster +policy-bad.groovy +line 3: unexpected token: }");
  }

  @Test
  void setConfigPutsTheDocumentAndShowsTheResult() throws Exception {
    Path f = dir.resolve("node.yaml");
    Files.writeString(f, "disabled_policies: [cpu-frequency]\n");
    api.on("PUT /api/v1/agents/node/config", 200, "{\"tier\": \"node\","
        + " \"disabled_policies\": [\"cpu-frequency\"], \"warnings\": [\"w1\"]}");

    ClientRun r = mls("agent", "set-config", "--agent", "node", "--file", f.toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    FakeApi.Request req = api.only();
    assertThat(req.header("Content-Type")).startsWith("application/yaml");
    assertThat(req.body()).isEqualTo("disabled_policies: [cpu-frequency]\n");
    assertThat(r.out()).isEqualTo("warning: w1\nnode agents: disabled policies cpu-frequency\n");
  }

  @Test
  void setConfigShowsTheServersFieldProblems() throws Exception {
    Path f = dir.resolve("bad.json");
    Files.writeString(f, "{\"colour\": 1}");
    api.on("PUT /api/v1/agents/cluster/config", 400, "{\"title\": \"Bad Request\","
        + " \"status\": 400, \"detail\": \"the configuration has 1 problem(s)\","
        + " \"errors\": [{\"path\": \"colour\", \"message\": \"unknown configuration key\","
        + " \"severity\": \"error\"}]}");
    ClientRun r = mls("agent", "set-config", "--agent", "cluster", "--file", f.toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(api.only().header("Content-Type")).startsWith("application/json");
    assertThat(r.err()).contains("colour: unknown configuration key");
  }

  @Test
  void deleteConfigResetsTheTierAndRefusesUnknownKeys() {
    api.on("DELETE /api/v1/agents/continuum/config", 204, "");
    ClientRun ok = mls("agent", "delete-config", "--agent", "continuum");
    assertThat(ok.exitCode()).as(ok.err()).isZero();
    assertThat(ok.out()).isEqualTo("continuum agents: configuration reset to the defaults\n");

    ClientRun bad = mls("agent", "delete-config", "--agent", "node", "colour");
    assertThat(bad.exitCode()).isEqualTo(1);
    assertThat(bad.err()).contains("\"colour\" is not a configuration key");
    assertThat(api.requests()).hasSize(1);
  }
}
