package eu.mlsysops.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TopCommandTest extends ApiTestSupport {
  @Test
  void printsTheNodesOnceWhenNotATerminal() {
    api.on("GET /api/v1/nodes", Canned.NODES_PAGE);

    ClientRun r = mls("top");

    assertThat(r.exitCode()).isZero();
    assertThat(api.requests()).hasSize(1);
    assertThat(r.out()).doesNotContain("\033[")
        .containsPattern("NODE +CLUSTER +LAYER +HEALTH +CPU% +FREQ_GHZ +POWER_W +INSTANCES")
        .containsPattern("cloud-1 +cloud +cloud +healthy +50.0 +2.40 +175.0 +2")
        .containsPattern("edge-1 +edge +edge +unreachable +- +- +- +0");
  }

  @Test
  void onceWithJson() {
    api.on("GET /api/v1/nodes", Canned.NODES_PAGE);
    ClientRun r = mls("top", "--once", "-o", "json");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("\"name\" : \"cloud-1\"");
  }

  @Test
  void badIntervalIsAUsageError() {
    ClientRun r = mls("top", "--interval", "soon");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--interval: \"soon\" is not a duration");
    assertThat(mls("top", "--interval", "1ms").exitCode()).isEqualTo(2);
  }
}
