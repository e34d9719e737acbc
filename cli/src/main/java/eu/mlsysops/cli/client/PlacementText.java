package eu.mlsysops.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import eu.mlsysops.cli.TextTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Placement answers (dry runs, explanations) as tables for people. */
final class PlacementText {
  private PlacementText() {}

  /** {@code least_allocated 0.938, low_utilization 1.000}. */
  static String scores(JsonNode scores) {
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : scores.properties()) {
      parts.add(e.getKey() + " " + score(e.getValue()));
    }
    return String.join(", ", parts);
  }

  static String score(JsonNode v) {
    return v == null || v.isNull() || v.isMissingNode() ? "-"
        : String.format(Locale.ROOT, "%.3f", v.asDouble());
  }

  /** {@code 7 wrong continuum_layer, 1 unreachable}, or empty. */
  static String counts(JsonNode rejected) {
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : rejected.properties()) {
      parts.add(e.getValue().asText() + " " + e.getKey());
    }
    return String.join(", ", parts);
  }

  /** One row per feasible node, best first. */
  static TextTable candidates(JsonNode candidates, String chosen) {
    TextTable t = new TextTable("", "CANDIDATE", "CLUSTER", "SCORE", "SCORES");
    for (JsonNode c : candidates) {
      String node = Fields.text(c, "node");
      t.row(node.equals(chosen) ? "*" : "", node, Fields.orDash(Fields.text(c, "cluster")),
          score(c.get("score")), scores(c.path("scores")));
    }
    return t;
  }

  /** The body of a dry run. */
  static void dryRun(JsonNode d, Printer p) {
    boolean ok = d.path("placeable").asBoolean();
    p.println(Fields.text(d, "name") + ": dry run, nothing deployed; "
        + (ok ? "every instance can be placed" : "some components cannot be placed"));
    TextTable t = new TextTable("COMPONENT", "INSTANCE", "CLUSTER", "NODE", "SCORE");
    for (JsonNode c : d.path("components")) {
      String name = Fields.text(c, "name");
      if (c.path("instances").isEmpty()) {
        t.row(name, "-", Fields.orDash(Fields.text(c, "cluster")), "-", "-");
      }
      for (JsonNode i : c.path("instances")) {
        t.row(name, Fields.text(i, "slot"), Fields.orDash(Fields.text(c, "cluster")),
            Fields.orDash(Fields.text(i, "node")),
            Fields.text(i, "node").isEmpty() ? "-" : score(i.get("score")));
      }
    }
    p.print(t);
    for (JsonNode w : d.path("warnings")) {
      String path = Fields.text(w, "path");
      p.println("warning: " + (path.isEmpty() ? "(document)" : path) + ": "
          + Fields.text(w, "message"));
    }
    for (JsonNode c : d.path("components")) {
      String why = Fields.text(c, "unschedulable");
      if (!why.isEmpty()) {
        p.println("");
        p.println(Fields.text(c, "name") + " cannot be placed: " + why);
      }
      for (JsonNode i : c.path("instances")) {
        if (i.path("candidates").isEmpty()) {
          continue;
        }
        p.println("");
        String rejected = counts(i.path("rejected"));
        int shown = i.path("candidates").size();
        int feasible = i.path("feasible").asInt(shown);
        p.println(Fields.text(c, "name") + "#" + Fields.text(i, "slot") + " → "
            + Fields.text(i, "node") + (rejected.isEmpty() ? "" : " (rejected: " + rejected + ")")
            + (feasible > shown ? " (the best " + shown + " of " + feasible + " feasible nodes)"
                : ""));
        p.print(candidates(i.path("candidates"), Fields.text(i, "node")));
      }
    }
  }

  /** The body of an explanation. */
  static void explanation(JsonNode e, Printer p) {
    String head = Fields.text(e, "component") + " of " + Fields.text(e, "app");
    String cluster = Fields.text(e, "cluster");
    List<String> on = new ArrayList<>();
    e.path("current_nodes").forEach(n -> on.add(n.asText()));
    p.println(head + ": " + (cluster.isEmpty() ? "not assigned to a cluster" : "cluster " + cluster)
        + (on.isEmpty() ? ", no instance placed" : ", running on " + String.join(", ", on)));
    String best = Fields.text(e, "best");
    p.println("one more instance now: " + Fields.text(e, "summary")
        + (best.isEmpty() ? "" : "; best node " + best));
    if (!e.path("candidates").isEmpty()) {
      p.print(candidates(e.path("candidates"), best));
    }
    if (!e.path("rejected").isEmpty()) {
      TextTable t = new TextTable("REJECTED", "FIRST FAILED FILTER");
      for (Map.Entry<String, JsonNode> r : e.path("rejected").properties()) {
        t.row(r.getKey(), r.getValue().asText());
      }
      p.print(t);
    }
    JsonNode n = e.path("node");
    if (!n.isMissingNode()) {
      p.println("");
      p.println("why not " + Fields.text(n, "name") + ": " + Fields.text(n, "verdict"));
      if (n.path("feasible").asBoolean() && !n.path("scores").isEmpty()) {
        p.println("  " + Fields.text(n, "name") + " scores " + score(n.get("score")) + ": "
            + scores(n.path("scores")));
      }
    }
  }
}
