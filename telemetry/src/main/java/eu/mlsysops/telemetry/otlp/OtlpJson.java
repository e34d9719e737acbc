package eu.mlsysops.telemetry.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.util.Base64;
import java.util.Set;

/**
 * OTLP/JSON as the spec defines it on top of protobuf's JSON mapping: unknown fields are ignored,
 * and trace and span ids are hex strings (protobuf's mapping would read them as base64). Ids are
 * rewritten to base64 before parsing; a value that is not a 32- or 16-digit hex string is left for
 * the parser.
 */
final class OtlpJson {
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().omittingInsignificantWhitespace();
  private static final Set<String> ID_KEYS =
      Set.of("traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id");

  private OtlpJson() {}

  static void merge(String json, Message.Builder into) throws InvalidProtocolBufferException {
    try {
      PARSER.merge(hexIdsToBase64(json), into);
    } catch (InvalidProtocolBufferException e) {
      throw e;
    } catch (RuntimeException e) { // the JSON layer throws a few unchecked ones on odd input
      throw new InvalidProtocolBufferException(e.getMessage());
    }
  }

  static String print(com.google.protobuf.MessageOrBuilder m) {
    try {
      return PRINTER.print(m);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + m.getClass().getSimpleName(), e);
    }
  }

  /** The JSON text with the values of id keys rewritten from hex to base64. */
  static String hexIdsToBase64(String json) {
    StringBuilder out = null;
    int copied = 0;
    int n = json.length();
    int i = 0;
    while (i < n) {
      if (json.charAt(i) != '"') {
        i++;
        continue;
      }
      int end = stringEnd(json, i);
      if (end < 0) {
        break; // unterminated: the parser will say so
      }
      int colon = skipSpace(json, end + 1);
      if (colon < n && json.charAt(colon) == ':' && ID_KEYS.contains(json.substring(i + 1, end))) {
        int v = skipSpace(json, colon + 1);
        if (v < n && json.charAt(v) == '"') {
          int vend = stringEnd(json, v);
          if (vend < 0) {
            break;
          }
          String value = json.substring(v + 1, vend);
          if (isHexId(value)) {
            if (out == null) {
              out = new StringBuilder(n + 16);
            }
            out.append(json, copied, v + 1).append(Base64.getEncoder().encodeToString(hex(value)));
            copied = vend;
          }
          i = vend + 1;
          continue;
        }
      }
      i = end + 1;
    }
    if (out == null) {
      return json;
    }
    return out.append(json, copied, n).toString();
  }

  private static int stringEnd(String s, int open) {
    for (int k = open + 1; k < s.length(); k++) {
      char c = s.charAt(k);
      if (c == '\\') {
        k++;
      } else if (c == '"') {
        return k;
      }
    }
    return -1;
  }

  private static int skipSpace(String s, int k) {
    while (k < s.length() && Character.isWhitespace(s.charAt(k))) {
      k++;
    }
    return k;
  }

  private static boolean isHexId(String v) {
    if (v.length() != 32 && v.length() != 16) {
      return false;
    }
    for (int k = 0; k < v.length(); k++) {
      if (Character.digit(v.charAt(k), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  private static byte[] hex(String v) {
    byte[] b = new byte[v.length() / 2];
    for (int k = 0; k < b.length; k++) {
      b[k] =
          (byte)
              (Character.digit(v.charAt(2 * k), 16) << 4
                  | Character.digit(v.charAt(2 * k + 1), 16));
    }
    return b;
  }
}
