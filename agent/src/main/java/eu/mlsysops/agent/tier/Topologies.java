package eu.mlsysops.agent.tier;

import eu.mlsysops.model.Descriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.model.ParseResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/** Ready-made topologies for {@link EmbeddedContinuum}: the built-in one, and generated ones. */
public final class Topologies {
  private Topologies() {}

  /** The built-in topology: a continuum, a cloud and an edge cluster, eight nodes. */
  public static List<Descriptor> defaultTopology() {
    try (InputStream in = Topologies.class.getResourceAsStream("default-topology.yaml")) {
      String text = new String(Objects.requireNonNull(in).readAllBytes(), StandardCharsets.UTF_8);
      ParseResult r = Descriptors.parse(text, "default-topology.yaml", ParseOptions.DEFAULT);
      if (r.hasErrors()) {
        throw new IllegalStateException("built-in topology is invalid: " + r.errors());
      }
      return r.descriptors();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the built-in topology", e);
    }
  }

  /** The most nodes a generated cluster holds. */
  public static final int GENERATED_CLUSTER_SIZE = 500;
  /** The most nodes {@link #generatedTopology} makes (what a laptop is measured to hold). */
  public static final int MAX_GENERATED_NODES = 20_000;

  /**
   * A topology of {@code nodes} simulated nodes over the three layers (a tenth in the cloud, six
   * tenths at the edge, the rest at the far edge), in clusters of at most {@link
   * #GENERATED_CLUSTER_SIZE} nodes of one layer each: {@code cloud-1} with nodes {@code
   * cloud-1-1}, …, {@code edge-1}, …, {@code far-edge-1}, ….
   *
   * @throws IllegalArgumentException when {@code nodes} is below 1 or above {@link
   *     #MAX_GENERATED_NODES}
   */
  public static List<Descriptor> generatedTopology(int nodes) {
    if (nodes < 1 || nodes > MAX_GENERATED_NODES) {
      throw new IllegalArgumentException("nodes: must be 1 to " + MAX_GENERATED_NODES + ", got "
          + nodes);
    }
    int cloud = Math.max(nodes >= 3 ? 1 : 0, nodes / 10);
    int edge = (nodes - cloud) * 2 / 3;
    int far = nodes - cloud - edge;
    String[][] layers = {
        {"cloud", "cloud", "virtualized", "16", "64", "[1.2, 2.0, 2.8]"},
        {"edge", "edge", "native", "4", "8", "[1.0, 1.5, 2.0]"},
        {"far-edge", "far_edge", "native", "2", "2", "[0.6, 1.0, 1.4]"}};
    int[] counts = {cloud, edge, far};
    StringBuilder clusters = new StringBuilder();
    StringBuilder body = new StringBuilder();
    for (int l = 0; l < layers.length; l++) {
      String[] layer = layers[l];
      int left = counts[l];
      for (int c = 1; left > 0; c++) {
        String cluster = layer[0] + "-" + c;
        int size = Math.min(GENERATED_CLUSTER_SIZE, left);
        left -= size;
        clusters.append(clusters.length() == 0 ? "" : ", ").append(cluster);
        StringBuilder names = new StringBuilder();
        for (int n = 1; n <= size; n++) {
          String node = cluster + "-" + n;
          names.append(n == 1 ? "" : ", ").append(node);
          body.append("---\nMLSysOpsNode:\n  name: ").append(node)
              .append("\n  cluster_id: ").append(cluster)
              .append("\n  continuum_layer: ").append(layer[1])
              .append("\n  environment: {node_type: ").append(layer[2])
              .append(", os: ubuntu, container_runtime: [containerd]}")
              .append("\n  hardware:\n    cpu: {architecture: amd64, cores: ").append(layer[3])
              .append(", frequency: ").append(layer[5]).append("}\n    memory: ")
              .append(layer[4]).append('\n');
        }
        body.append("---\nMLSysOpsCluster: {name: ").append(cluster).append(", cluster_id: ")
            .append(cluster).append(", nodes: [").append(names).append("]}\n");
      }
    }
    String text = "MLSysOpsContinuum: {name: generated, continuum_id: generated, clusters: ["
        + clusters + "]}\n" + body;
    ParseResult r = Descriptors.parse(text, "generated topology of " + nodes + " nodes",
        ParseOptions.DEFAULT);
    if (r.hasErrors()) {
      throw new IllegalStateException("generated topology is invalid: " + r.errors().get(0));
    }
    return r.descriptors();
  }
}
