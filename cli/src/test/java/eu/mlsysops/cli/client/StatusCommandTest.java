package eu.mlsysops.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusCommandTest extends ApiTestSupport {
  @Test
  void treeWithBoxDrawing() throws Exception {
    String tree = ContinuumTree.render(new ObjectMapper().readTree(Canned.CONTINUUM),
        ContinuumTree.Glyphs.UNICODE);
    assertThat(tree).isEqualTo("""
        continuum  (mode heuristic)
        ├── cloud  (2 nodes)
        │   ├── cloud-1  cloud  healthy
        │   │   └── smart-camera/analytics  RUNNING
        │   └── cloud-2  cloud  healthy  trust 0.97 high
        └── edge  (1 node)
            └── edge-1  edge  unreachable  trust 0.42 low: 3 failed instances in the last 10 min; memory reported 2 GiB vs declared 8 GiB
                ├── smart-camera/camera-ingest  RUNNING
                └── smart-camera/detector  STARTING
        """);
  }

  @Test
  void treeInAscii() throws Exception {
    String tree = ContinuumTree.render(new ObjectMapper().readTree(Canned.CONTINUUM),
        ContinuumTree.Glyphs.ASCII);
    assertThat(tree).contains("|-- cloud  (2 nodes)\n|   |-- cloud-1  cloud  healthy\n")
        .contains("`-- edge  (1 node)\n    `-- edge-1  edge  unreachable  trust 0.42 low: ")
        .doesNotContain("├");
  }

  @Test
  void unicodeOnlyWhenTheLocaleSaysUtf8() {
    assertThat(ContinuumTree.unicode(Map.of("LANG", "en_US.UTF-8"))).isTrue();
    assertThat(ContinuumTree.unicode(Map.of("LANG", "C.utf8"))).isTrue();
    assertThat(ContinuumTree.unicode(Map.of("LANG", "C"))).isFalse();
    assertThat(ContinuumTree.unicode(Map.of())).isFalse();
    assertThat(ContinuumTree.unicode(Map.of("LC_ALL", "C", "LANG", "en_US.UTF-8"))).isFalse();
  }

  @Test
  void statusFetchesTheContinuum() {
    api.on("GET /api/v1/continuum", Canned.CONTINUUM);
    ClientRun r = mls("status");
    assertThat(r.exitCode()).isZero();
    assertThat(api.only().path()).isEqualTo("/api/v1/continuum");
    assertThat(r.out()).startsWith("continuum  (mode heuristic)\n")
        .contains("smart-camera/detector  STARTING");
  }

  @Test
  void statusAsJson() throws Exception {
    api.on("GET /api/v1/continuum", Canned.CONTINUUM);
    ClientRun r = mls("status", "-o", "json");
    assertThat(new ObjectMapper().readTree(r.out()))
        .isEqualTo(new ObjectMapper().readTree(Canned.CONTINUUM));
  }
}
