package eu.mlsysops.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Draws {@code GET /api/v1/continuum} as a tree: clusters, their nodes, their instances. */
final class ContinuumTree {
  /** The branch glyphs: box drawing, or ASCII where the terminal cannot show it. */
  record Glyphs(String tee, String last, String pipe, String blank) {
    static final Glyphs UNICODE = new Glyphs("├── ", "└── ", "│   ", "    ");
    static final Glyphs ASCII = new Glyphs("|-- ", "`-- ", "|   ", "    ");
  }

  private ContinuumTree() {}

  /**
   * Whether the locale can show box drawing: the first set of {@code LC_ALL}, {@code LC_CTYPE},
   * {@code LANG} names UTF-8.
   */
  static boolean unicode(Map<String, String> env) {
    for (String k : List.of("LC_ALL", "LC_CTYPE", "LANG")) {
      String v = env.get(k);
      if (v != null && !v.isEmpty()) {
        String l = v.toLowerCase(Locale.ROOT);
        return l.contains("utf-8") || l.contains("utf8");
      }
    }
    return false;
  }

  static String render(JsonNode continuum, Glyphs g) {
    StringBuilder b = new StringBuilder();
    String mode = Fields.text(continuum, "mode");
    b.append(Fields.orDash(Fields.text(continuum, "id")))
        .append(mode.isEmpty() ? "" : "  (mode " + mode + ")").append('\n');
    List<JsonNode> clusters = list(continuum.path("clusters"));
    if (clusters.isEmpty()) {
      b.append(g.last()).append("(no clusters)\n");
    }
    for (int c = 0; c < clusters.size(); c++) {
      JsonNode cluster = clusters.get(c);
      boolean lastCluster = c == clusters.size() - 1;
      List<JsonNode> nodes = list(cluster.path("nodes"));
      b.append(lastCluster ? g.last() : g.tee()).append(Fields.text(cluster, "id"))
          .append("  (").append(nodes.size()).append(nodes.size() == 1 ? " node)" : " nodes)")
          .append('\n');
      String indent1 = lastCluster ? g.blank() : g.pipe();
      for (int n = 0; n < nodes.size(); n++) {
        JsonNode node = nodes.get(n);
        boolean lastNode = n == nodes.size() - 1;
        b.append(indent1).append(lastNode ? g.last() : g.tee()).append(Fields.text(node, "name"))
            .append("  ").append(Fields.orDash(Fields.text(node, "layer")))
            .append("  ").append(Fields.health(node)).append(trust(node.path("trust")))
            .append('\n');
        String indent2 = indent1 + (lastNode ? g.blank() : g.pipe());
        List<JsonNode> instances = list(node.path("instances"));
        for (int i = 0; i < instances.size(); i++) {
          JsonNode inst = instances.get(i);
          b.append(indent2).append(i == instances.size() - 1 ? g.last() : g.tee())
              .append(Fields.text(inst, "app")).append('/').append(Fields.text(inst, "component"))
              .append("  ").append(Fields.text(inst, "state")).append('\n');
        }
      }
    }
    return b.toString();
  }

  /** {@code "  trust 0.42 low: reason; reason"}, or nothing before the node has a score. */
  static String trust(JsonNode t) {
    if (!t.path("score").isNumber()) {
      return "";
    }
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "  trust %.2f",
        t.path("score").asDouble()));
    String level = Fields.text(t, "level");
    if (!level.isEmpty()) {
      b.append(' ').append(level);
    }
    List<String> reasons = new ArrayList<>();
    t.path("reasons").forEach(r -> reasons.add(r.asText()));
    if (!reasons.isEmpty()) {
      b.append(": ").append(String.join("; ", reasons));
    }
    return b.toString();
  }

  private static List<JsonNode> list(JsonNode arr) {
    List<JsonNode> out = new ArrayList<>();
    arr.forEach(out::add);
    return out;
  }
}
