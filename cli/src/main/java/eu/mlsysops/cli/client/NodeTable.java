package eu.mlsysops.cli.client;

import eu.mlsysops.cli.TextTable;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** The table of nodes shared by {@code mls top} and {@code mls infra get-cluster}. */
final class NodeTable {
  private NodeTable() {}

  static TextTable of(List<JsonNode> nodes) {
    TextTable t = new TextTable("NODE", "CLUSTER", "LAYER", "HEALTH", "CPU%", "FREQ_GHZ", "POWER_W",
        "INSTANCES");
    for (JsonNode n : nodes) {
      JsonNode tel = n.path("telemetry");
      t.row(Fields.text(n, "name"), Fields.orDash(Fields.text(n, "cluster")),
          Fields.orDash(Fields.text(n, "layer")), Fields.health(n),
          Fields.number(tel.path("node_cpu_utilization"), 100, 1),
          Fields.number(tel.path("node_cpu_scaling_frequency_hertz"), 1e-9, 2),
          Fields.number(tel.path("node_power_watts"), 1, 1),
          n.path("instances").isArray() ? n.path("instances").size() : "-");
    }
    return t;
  }
}
