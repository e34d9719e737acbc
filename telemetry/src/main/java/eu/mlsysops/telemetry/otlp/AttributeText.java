package eu.mlsysops.telemetry.otlp;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.math.BigDecimal;
import java.util.Base64;

/**
 * Renders OTLP attribute values and bucket bounds as label text. Follows the OpenTelemetry
 * Collector: strings as they are, booleans and integers in decimal, doubles in plain decimal
 * without exponent ({@code 1}, {@code 0.25}), bytes in base64, arrays and key/value lists as JSON.
 */
final class AttributeText {
  private AttributeText() {}

  static String render(AnyValue v) {
    switch (v.getValueCase()) {
      case STRING_VALUE:
        return v.getStringValue();
      case BOOL_VALUE:
        return v.getBoolValue() ? "true" : "false";
      case INT_VALUE:
        return Long.toString(v.getIntValue());
      case DOUBLE_VALUE:
        return decimal(v.getDoubleValue());
      case BYTES_VALUE:
        return Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray());
      case ARRAY_VALUE:
      case KVLIST_VALUE:
        StringBuilder sb = new StringBuilder();
        json(v, sb);
        return sb.toString();
      default:
        return "";
    }
  }

  /**
   * A double as Prometheus label text: {@code +Inf}, {@code -Inf}, {@code NaN}, else the shortest
   * plain decimal ({@code 1}, {@code 0.005}, {@code 1000000}), as Go's {@code FormatFloat(v, 'f',
   * -1, 64)} writes it.
   */
  static String decimal(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }

  private static void json(AnyValue v, StringBuilder sb) {
    switch (v.getValueCase()) {
      case STRING_VALUE:
        quote(v.getStringValue(), sb);
        break;
      case BOOL_VALUE:
      case INT_VALUE:
        sb.append(render(v));
        break;
      case DOUBLE_VALUE:
        double d = v.getDoubleValue();
        if (Double.isFinite(d)) {
          sb.append(decimal(d));
        } else {
          quote(decimal(d), sb);
        }
        break;
      case BYTES_VALUE:
        quote(render(v), sb);
        break;
      case ARRAY_VALUE:
        sb.append('[');
        for (int i = 0; i < v.getArrayValue().getValuesCount(); i++) {
          if (i > 0) {
            sb.append(',');
          }
          json(v.getArrayValue().getValues(i), sb);
        }
        sb.append(']');
        break;
      case KVLIST_VALUE:
        sb.append('{');
        boolean first = true;
        for (KeyValue kv : v.getKvlistValue().getValuesList()) {
          if (!first) {
            sb.append(',');
          }
          first = false;
          quote(kv.getKey(), sb);
          sb.append(':');
          json(kv.getValue(), sb);
        }
        sb.append('}');
        break;
      default:
        sb.append("null");
    }
  }

  private static void quote(String s, StringBuilder sb) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          sb.append("\\\"");
          break;
        case '\\':
          sb.append("\\\\");
          break;
        case '\n':
          sb.append("\\n");
          break;
        case '\r':
          sb.append("\\r");
          break;
        case '\t':
          sb.append("\\t");
          break;
        default:
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
      }
    }
    sb.append('"');
  }
}
