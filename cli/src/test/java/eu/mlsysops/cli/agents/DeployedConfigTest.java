package eu.mlsysops.cli.agents;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import eu.mlsysops.cli.agents.AgentFileConfig.Tier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent configurations shipped in deploy/kubernetes load as `mls agent` reads them. */
class DeployedConfigTest {
  @TempDir Path dir;

  @Test
  void everyTiersConfigMapEntryIsAValidAgentConfiguration() throws Exception {
    String manifest = Files.readString(Path.of("../deploy/kubernetes/03-config.yaml"));
    JsonNode data = new ObjectMapper(new YAMLFactory())
        .readTree(manifest.split("(?m)^---$")[0]).path("data");
    Map<Tier, String> files = Map.of(Tier.CONTINUUM, "continuum.yaml", Tier.CLUSTER,
        "cluster.yaml", Tier.NODE, "node.yaml");
    for (Map.Entry<Tier, String> e : files.entrySet()) {
      Path f = dir.resolve(e.getValue());
      Files.writeString(f, data.path(e.getValue()).asText());
      // The DaemonSet names each node agent after its node through MLS_NAME.
      AgentFileConfig c = AgentFileConfig.load(e.getKey(), f,
          e.getKey() == Tier.NODE ? Map.of("MLS_NAME", "worker-1") : Map.of());
      assertThat(c.tier()).isEqualTo(e.getKey());
      if (e.getKey() == Tier.CONTINUUM) {
        assertThat(c.kubernetes()).isTrue();
      }
      if (e.getKey() == Tier.NODE) {
        assertThat(c.name()).isEqualTo("worker-1");
        assertThat(c.runtime()).isEqualTo("kubernetes");
        assertThat(c.otlpGrpcPort()).isEqualTo(4317);
        assertThat(c.bind()).isEqualTo("0.0.0.0");
      }
    }
  }
}
