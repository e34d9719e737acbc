package eu.mlsysops.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Reads JSON fields leniently and formats them for tables ({@code -} when absent). */
final class Fields {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

  private Fields() {}

  /** The field as text; empty when absent or null. */
  static String text(JsonNode n, String field) {
    JsonNode v = n.path(field);
    if (v.isMissingNode() || v.isNull()) {
      return "";
    }
    return v.isValueNode() ? v.asText() : v.toString();
  }

  /** The first of the fields that holds something, as text; empty when none does. */
  static String first(JsonNode n, String... fields) {
    for (String f : fields) {
      String t = text(n, f);
      if (!t.isEmpty()) {
        return t;
      }
    }
    return "";
  }

  static String orDash(String s) {
    return s == null || s.isEmpty() ? "-" : s;
  }

  /** The items of a list answer: an array, or the {@code items} of a page. */
  static List<JsonNode> items(JsonNode n) {
    JsonNode arr = n.isArray() ? n : n.path("items");
    List<JsonNode> out = new ArrayList<>();
    arr.forEach(out::add);
    return out;
  }

  /** A number with the given decimals, or {@code -} when absent or not a number. */
  static String number(JsonNode v, double scale, int decimals) {
    if (v == null || !v.isNumber()) {
      return "-";
    }
    return String.format(Locale.ROOT, "%." + decimals + "f", v.asDouble() * scale);
  }

  /** A QoS target as people read it: {@code <= 100} for {@code lower_or_equal 100.0}. */
  static String target(JsonNode q) {
    String rel = switch (text(q, "relation")) {
      case "lower_or_equal" -> "<=";
      case "greater_or_equal" -> ">=";
      case "lower_than" -> "<";
      case "greater_than" -> ">";
      case "equal" -> "=";
      default -> text(q, "relation");
    };
    return (rel + " " + compact(q.path("target"))).trim();
  }

  /** A number without needless decimals ({@code 100}, {@code 14.29}); {@code -} when absent. */
  static String compact(JsonNode v) {
    if (v == null || !v.isNumber()) {
      return v != null && v.isTextual() ? v.asText() : "-";
    }
    double d = v.asDouble();
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    return new java.math.BigDecimal(d).setScale(2, java.math.RoundingMode.HALF_UP)
        .stripTrailingZeros().toPlainString();
  }

  /** {@code yes}, {@code no}, or {@code -} for null. */
  static String bool(JsonNode v) {
    return v == null || !v.isBoolean() ? "-" : v.asBoolean() ? "yes" : "no";
  }

  static String health(JsonNode node) {
    JsonNode h = node.path("healthy");
    return h.isBoolean() ? (h.asBoolean() ? "healthy" : "unreachable") : orDash(text(node, "health"));
  }

  /** An ISO-8601 instant as local {@code yyyy-MM-dd HH:mm:ss}; other text as it is. */
  static String time(String iso) {
    if (iso == null || iso.isEmpty()) {
      return "-";
    }
    try {
      return TIME.format(Instant.parse(iso).atZone(ZoneId.systemDefault()));
    } catch (DateTimeParseException e) {
      return iso;
    }
  }

  /** At most {@code max} characters, ending in {@code ...} when cut. */
  static String cut(String s, int max) {
    String one = s.replaceAll("\\s+", " ").trim();
    return one.length() <= max ? one : one.substring(0, max - 3) + "...";
  }

  /** Bytes in binary units, e.g. {@code 4.0 GiB}. */
  static String bytes(JsonNode v) {
    if (v == null || !v.isNumber()) {
      return "-";
    }
    double b = v.asDouble();
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (b >= 1024 && u < units.length - 1) {
      b /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
  }
}
