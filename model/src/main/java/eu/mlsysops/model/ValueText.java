package eu.mlsysops.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;

/** How values are quoted in problem messages: short, escaped and never huge. */
final class ValueText {
  private static final int MAX_QUOTED = 60;

  private ValueText() {}

  /** {@code "text"} with control characters escaped and long texts cut at 60 characters. */
  static String quote(String text) {
    if (text == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_QUOTED) + 8).append('"');
    int limit = Math.min(text.length(), MAX_QUOTED);
    for (int i = 0; i < limit; i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        case '\r' -> sb.append("\\r");
        default -> {
          if (c < 0x20 || (c >= 0x7f && c < 0xa0) || Character.isSurrogate(c)) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    if (text.length() > MAX_QUOTED) {
      sb.append("...");
    }
    return sb.append('"').toString();
  }

  /**
   * A number as written in a message or coerced to text; plain unless the exponent is large, so
   * that no value expands into a huge string.
   */
  static String number(BigDecimal n) {
    BigDecimal stripped = n.signum() == 0 ? BigDecimal.ZERO : n.stripTrailingZeros();
    if (stripped.scale() < -20 || stripped.scale() > 30) {
      return stripped.toString();
    }
    // keep a written "2.50" recognisably as written, but drop the exponent form of whole numbers.
    return (n.scale() < 0 ? stripped : n).toPlainString();
  }

  /** Describes a JSON value for "got ..." in a type mismatch message. */
  static String describe(JsonNode node) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      return "null";
    }
    if (node.isTextual()) {
      return "string " + quote(node.textValue());
    }
    if (node.isNumber()) {
      return "number " + numberText(node);
    }
    if (node.isBoolean()) {
      return "boolean " + node.booleanValue();
    }
    if (node.isArray()) {
      return "array";
    }
    if (node.isObject()) {
      return "object";
    }
    return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The text of a number node, as it would be written in a descriptor. */
  static String numberText(JsonNode node) {
    if (node.isDouble() || node.isFloat()) {
      double d = node.doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        return String.valueOf(d);
      }
    }
    return number(node.decimalValue());
  }
}
