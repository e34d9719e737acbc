package eu.mlsysops.northbound.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.mlsysops.mlconnector.Feature;
import eu.mlsysops.mlconnector.ModelKind;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reading the model routes' request bodies: this API's field names and the reference ML
 * Connector's, each error a 400 naming the field.
 */
final class ModelBodies {
  /** The hyperparameters training here reads (others are refused: they would do nothing). */
  static final java.util.Set<String> HYPERPARAMETERS = new java.util.TreeSet<>(List.of("epochs",
      "learning_rate", "max_depth", "alpha", "l1_ratio", "seed"));

  static ObjectNode body(Context ctx) {
    return Json.readObject(RequestBodies.text(ctx));
  }

  static ObjectNode optionalBody(Context ctx) {
    String text = RequestBodies.text(ctx);
    return text.isBlank() ? Json.MAPPER.createObjectNode() : Json.readObject(text);
  }

  static String text(ObjectNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw ApiProblem.badRequest(field + ": must be text");
    }
    return n.asText();
  }

  static ModelKind kind(String text, String field) {
    try {
      return ModelKind.fromWire(text);
    } catch (IllegalArgumentException e) {
      throw ApiProblem.badRequest(field + ": " + e.getMessage());
    }
  }

  static List<Feature> features(JsonNode n, String field) {
    if (n == null || !n.isArray() || n.isEmpty()) {
      throw ApiProblem.badRequest(field + ": required, a list of features");
    }
    List<Feature> out = new ArrayList<>();
    for (int i = 0; i < n.size(); i++) {
      JsonNode f = n.get(i);
      String at = field + "[" + i + "]";
      boolean reference = field.equals("featurelist");
      String name = f.hasNonNull("feature_name") ? f.get("feature_name").asText()
          : f.path("name").asText(null);
      if (name == null) {
        throw ApiProblem.badRequest(at + (reference ? ".feature_name" : ".name") + ": required");
      }
      String type = f.path("type").asText("cont");
      Feature.Type t = switch (type.toLowerCase(java.util.Locale.ROOT)) {
        case "cont", "continuous" -> Feature.Type.CONT;
        case "cat", "categorical" -> Feature.Type.CAT;
        default -> throw ApiProblem.badRequest(at + ".type: \"" + type + "\" is not cont or cat");
      };
      JsonNode k = f.path("kind");
      String kind = k.isMissingNode() ? "0" : k.asText();
      Feature.Kind fk = switch (kind.toLowerCase(java.util.Locale.ROOT)) {
        case "0", "input" -> Feature.Kind.INPUT;
        case "1", "target" -> Feature.Kind.TARGET;
        default -> throw ApiProblem.badRequest(at + ".kind: \"" + kind + "\" is not "
            + (reference ? "0 (input) or 1 (target)" : "input or target"));
      };
      try {
        out.add(new Feature(name, t, fk, f.hasNonNull("units") ? f.get("units").asText() : null));
      } catch (IllegalArgumentException e) {
        throw ApiProblem.badRequest(at + "." + e.getMessage());
      }
    }
    return out;
  }

  /** {@code {"epochs": 50}}, or the reference's {@code [{"parameter": "epochs", "value": 50}]}. */
  static Map<String, Double> hyperparameters(JsonNode n, String field) {
    Map<String, Double> out = new LinkedHashMap<>();
    if (n == null || n.isNull()) {
      return out;
    }
    if (n.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        out.put(e.getKey(), number(e.getValue(), field + "." + e.getKey()));
      }
      return out;
    }
    if (!n.isArray()) {
      throw ApiProblem.badRequest(field + ": must be an object or a list");
    }
    for (int i = 0; i < n.size(); i++) {
      JsonNode p = n.get(i);
      String name = p.hasNonNull("parameter") ? p.get("parameter").asText()
          : p.path("name").asText(null);
      if (name == null || !p.has("value")) {
        continue; // the reference allows free-form entries; only name/value pairs are used
      }
      out.put(name, number(p.get("value"), field + "[" + i + "].value"));
    }
    return out;
  }

  static double number(JsonNode v, String field) {
    if (v.isNumber()) {
      return v.asDouble();
    }
    if (v.isTextual()) {
      try {
        return Double.parseDouble(v.asText());
      } catch (NumberFormatException e) {
        // below
      }
    }
    throw ApiProblem.badRequest(field + ": not a number");
  }

  static String metric(ObjectNode b, boolean reference) {
    if (!reference) {
      return text(b, "metric");
    }
    JsonNode p = b.get("modelperformance");
    if (p != null && p.isArray() && !p.isEmpty()) {
      JsonNode first = p.get(0);
      String m = first.isTextual() ? first.asText() : first.path("metric").asText(null);
      return m == null ? null : m.toLowerCase(java.util.Locale.ROOT);
    }
    return null;
  }

  static List<String> strings(JsonNode n, String field) {
    List<String> out = new ArrayList<>();
    if (n == null || n.isNull()) {
      return out;
    }
    if (!n.isArray()) {
      throw ApiProblem.badRequest(field + ": must be a list of text");
    }
    n.forEach(t -> out.add(t.asText()));
    return out;
  }

  static Map<String, Object> features(ObjectNode body, String field) {
    JsonNode f = body.get(field);
    if (f == null && body.has("data")) {
      f = body.get("data"); // the reference model server's body
    }
    if (f == null || !f.isObject()) {
      throw ApiProblem.badRequest(field + ": required, an object of feature name to number");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = f.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), e.getValue().isNumber() ? e.getValue().asDouble()
          : e.getValue().asText());
    }
    return out;
  }

  static java.time.Duration duration(String text, String field) {
    try {
      return SystemRoutes.window(text);
    } catch (ApiProblem e) {
      throw ApiProblem.badRequest(field + ": \"" + text + "\" is not a duration from 1ms to 24h"
          + " (e.g. 15s, 5m, 1h)");
    }
  }

  private ModelBodies() {}
}
