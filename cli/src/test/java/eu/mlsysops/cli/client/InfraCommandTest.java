package eu.mlsysops.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InfraCommandTest extends ApiTestSupport {
  @TempDir Path dir;

  @Test
  void registerSendsTheDescriptorTextAsYamlField() throws Exception {
    Path f = dir.resolve("node.yaml");
    String text = "MLSysOpsNode:\n  name: edge-9\n  cluster_id: edge\n";
    Files.writeString(f, text);
    api.on("POST /infra/register",
        "{\"id\": \"edge-9\", \"kind\": \"MLSysOpsNode\", \"status\": \"Registered\"}");

    ClientRun r = mls("infra", "register", "--path", f.toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    FakeApi.Request req = api.only();
    assertThat(req.header("Content-Type")).isEqualTo("application/json");
    assertThat(new ObjectMapper().readTree(req.body()).get("yaml").asText()).isEqualTo(text);
    assertThat(r.out()).isEqualTo("MLSysOpsNode edge-9: Registered\n");
  }

  @Test
  void listInfraShowsEveryKindAndFiltersByType() {
    api.on("GET /infra/list/", Canned.INFRA_LIST);

    ClientRun all = mls("infra", "list-infra");
    assertThat(all.exitCode()).isZero();
    assertThat(all.out()).containsPattern("node +edge-1 +edge +healthy")
        .containsPattern("node +edge-2 +edge +unreachable")
        .containsPattern("cluster +edge +- +- +Ready")
        .containsPattern("datacenter +dc-athens");

    ClientRun clusters = mls("infra", "list-infra", "--type", "Cluster");
    assertThat(clusters.out()).contains("cluster").doesNotContain("edge-1")
        .doesNotContain("dc-athens");
    assertThat(mls("infra", "list-infra", "--type", "Planet").exitCode()).isEqualTo(2);
  }

  @Test
  void getNodeShowsHardwareTelemetryAndInstances() {
    api.on("GET /api/v1/nodes/edge-1", Canned.NODE);

    ClientRun r = mls("infra", "get-node", "edge-1");

    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).containsPattern("cpu +4 cores arm64 0.60-1.80 GHz")
        .containsPattern("memory +4.0 GiB").containsPattern("sensors +camera/d455")
        .containsPattern("cpu use +37.5 %").containsPattern("frequency +1.80 GHz")
        .containsPattern("power +5.3 W").containsPattern("detector#0 +smart-camera +detector");
  }

  @Test
  void getClusterListsItsNodes() {
    api.on("GET /api/v1/clusters/cloud", "{\"id\": \"cloud\", \"nodes\": "
        + Canned.NODES_PAGE.substring(Canned.NODES_PAGE.indexOf('['),
            Canned.NODES_PAGE.lastIndexOf(']') + 1) + "}");

    ClientRun r = mls("infra", "get-cluster", "cloud");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("cluster cloud: 2 node(s)\n")
        .containsPattern("cloud-1 +cloud +cloud +healthy +50.0 +2.40 +175.0 +2");
  }

  @Test
  void getDatacenterPrintsTheDescriptorAsYaml() {
    api.on("GET /infra/datacenter/dc-athens",
        "{\"datacenter_id\": \"dc-athens\", \"cluster_id\": \"cloud\", \"healthy\": true}");
    ClientRun r = mls("infra", "get-datacenter", "dc-athens");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("datacenter_id: dc-athens").contains("healthy: true");
  }

  @Test
  void unregisterDeletes() {
    api.on("DELETE /infra/unregister/edge-9", "{\"id\": \"edge-9\", \"status\": \"Unregistered\"}");
    ClientRun r = mls("infra", "unregister", "edge-9");
    assertThat(r.exitCode()).isZero();
    assertThat(api.only().method()).isEqualTo("DELETE");
    assertThat(r.out()).isEqualTo("edge-9: Unregistered\n");
  }

  @Test
  void unknownNodeExitsOne() {
    ClientRun r = mls("infra", "get-node", "ghost");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).startsWith("mls: ");
  }
}
