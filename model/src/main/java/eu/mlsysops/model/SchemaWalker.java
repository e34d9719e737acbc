package eu.mlsysops.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a descriptor body against its CRD schema and normalises it in place: variant spellings
 * become canonical, numeric strings become numbers, and so on (see {@link Variants}). Every problem
 * is reported, none stops the walk. Quantities and frequencies get their semantic check here too,
 * since only here do we know which field a value sits in.
 */
final class SchemaWalker {
  private static final Pattern INTEGER_TEXT = Pattern.compile("[+-]?\\d{1,18}");
  private static final Pattern NUMBER_TEXT =
      Pattern.compile("[+-]?(\\d{1,400}(\\.\\d{0,400})?|\\.\\d{1,400})([eE][+-]?\\d{1,9})?");
  private static final BigInteger INT_MIN = BigInteger.valueOf(Integer.MIN_VALUE);
  private static final BigInteger INT_MAX = BigInteger.valueOf(Integer.MAX_VALUE);

  private final DescriptorKind kind;
  private final ProblemSink sink;

  SchemaWalker(DescriptorKind kind, ProblemSink sink) {
    this.kind = kind;
    this.sink = sink;
  }

  /** Validates the body of a descriptor; it must already be an object. */
  void walkBody(ObjectNode body) {
    walkObject(CrdSchemas.of(kind), body, "", "");
  }

  private JsonNode walk(
      Schema schema, JsonNode value, String path, String schemaPath, String field) {
    return switch (schema.type()) {
      case OBJECT -> walkObject(schema, value, path, schemaPath);
      case ARRAY -> walkArray(schema, value, path, schemaPath, field);
      case ANY -> value;
      default -> walkScalar(schema, value, path, schemaPath, field);
    };
  }

  private JsonNode walkObject(Schema schema, JsonNode value, String path, String schemaPath) {
    if (!(value instanceof ObjectNode object)) {
      sink.error(path, "expected object, got " + ValueText.describe(value));
      return value;
    }
    Map<String, JsonNode> fields = canonicalNames(schema, object, path);
    for (String required : schema.required()) {
      JsonNode v = fields.get(required);
      if (v == null || v.isNull()) {
        sink.error(ProblemSink.field(path, required), "required field is missing");
      }
    }
    object.removeAll();
    for (Map.Entry<String, JsonNode> e : fields.entrySet()) {
      String name = e.getKey();
      JsonNode v = e.getValue();
      String childPath = ProblemSink.field(path, name);
      Schema property = schema.property(name);
      if (property == null) {
        sink.unknownField(childPath, "unknown field" + suggestion(name, schema));
        object.set(name, v);
        continue;
      }
      if (v.isNull() && schema.required().contains(name)) {
        continue; // already reported as missing
      }
      if (v.isNull()) {
        // "key:" with nothing after it: an empty container, or absent for a scalar.
        if (property.type() == Schema.Type.OBJECT) {
          v = JsonNodeFactory.instance.objectNode();
        } else if (property.type() == Schema.Type.ARRAY) {
          v = JsonNodeFactory.instance.arrayNode();
        } else {
          continue;
        }
      }
      object.set(name, walk(property, v, childPath, schemaPathOf(schemaPath, name), name));
    }
    return object;
  }

  /** Applies field renames and CRD spellings, keeping the field order. */
  private Map<String, JsonNode> canonicalNames(Schema schema, ObjectNode object, String path) {
    Map<String, JsonNode> fields = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : object.properties()) {
      String name = e.getKey();
      String target = name;
      if (schema.property(name) == null) {
        String spelled = Variants.crdFieldSpelling(name);
        String renamed = Variants.fieldRename(name);
        if (spelled != null && schema.property(spelled) != null) {
          target = spelled;
        } else if (renamed != null && schema.property(renamed) != null) {
          target = renamed;
        }
      }
      if (!target.equals(name)) {
        if (object.has(target) || fields.containsKey(target)) {
          sink.error(
              ProblemSink.field(path, name),
              "both " + ValueText.quote(name) + " and " + ValueText.quote(target) + " given");
          continue;
        }
        if (Variants.fieldRename(name) != null) {
          sink.warning(
              ProblemSink.field(path, name),
              "unknown field; accepted as " + ValueText.quote(target));
        }
      }
      fields.put(target, e.getValue());
    }
    return fields;
  }

  private JsonNode walkArray(
      Schema schema, JsonNode value, String path, String schemaPath, String field) {
    Schema items = schema.items();
    ArrayNode array;
    if (value instanceof ArrayNode a) {
      array = a;
    } else if (value.isValueNode() && items != null && items.type().isScalar()) {
      sink.warning(
          path, "expected array, got " + ValueText.describe(value) + "; accepted as a list of one");
      array = JsonNodeFactory.instance.arrayNode().add(value);
    } else {
      sink.error(path, "expected array, got " + ValueText.describe(value));
      return value;
    }
    if (items == null) {
      return array;
    }
    for (int i = 0; i < array.size(); i++) {
      JsonNode item = array.get(i);
      String itemPath = ProblemSink.index(path, i);
      if (item.isNull() && items.type() != Schema.Type.ANY) {
        sink.error(itemPath, "expected " + items.type().word() + ", got null");
        continue;
      }
      array.set(i, walk(items, item, itemPath, schemaPath + "[]", field));
    }
    return array;
  }

  private JsonNode walkScalar(
      Schema schema, JsonNode value, String path, String schemaPath, String field) {
    FieldMeaning meaning = FieldMeaning.at(kind, schemaPath);
    if (value.isContainerNode()) {
      sink.error(path, "expected " + schema.type().word() + ", got " + ValueText.describe(value));
      return value;
    }
    if (meaning != null && meaning.isQuantity()) {
      return quantity(value, path, meaning);
    }
    JsonNode v = coerce(schema.type(), value, path, meaning);
    if (v == null) {
      return value;
    }
    if (meaning != null && meaning.isSize()) {
      checkSize(v, path, meaning);
    } else if (meaning == FieldMeaning.FREQUENCY && v.isNumber()) {
      checkFrequency(v, path);
    }
    if (!schema.enumValues().isEmpty() && v.isTextual()) {
      v = checkEnum(schema, (TextNode) v, path, field);
    }
    return v;
  }

  /** Converts a scalar to the schema type, warning for accepted conversions; null if rejected. */
  private JsonNode coerce(Schema.Type type, JsonNode value, String path, FieldMeaning meaning) {
    String got = ValueText.describe(value);
    switch (type) {
      case STRING -> {
        if (value.isTextual()) {
          return value;
        }
        String text = value.isNumber() ? ValueText.numberText(value) : value.asText();
        sink.warning(
            path, "expected string, got " + got + "; accepted as " + ValueText.quote(text));
        return TextNode.valueOf(text);
      }
      case INTEGER -> {
        if (value.isNumber()) {
          return integer(value, path, got);
        }
        if (value.isTextual()) {
          String text = value.textValue().strip();
          if (INTEGER_TEXT.matcher(text).matches()) {
            JsonNode n = integer(DocumentReader.decimal(new BigDecimal(text)), path, got);
            if (n != null) {
              sink.warning(path, "expected integer, got " + got + "; accepted as " + n.asText());
            }
            return n;
          }
          if (meaning != null && meaning.isSize()) {
            if (NUMBER_TEXT.matcher(text).matches()) {
              sink.warning(path, "expected integer, got " + got + "; accepted as " + text);
            }
            return value; // "4Gi" (a suffixed size) or "4.5": checked by checkSize
          }
        }
        sink.error(path, "expected integer, got " + got);
        return null;
      }
      case NUMBER -> {
        if (value.isNumber()) {
          return finite(value, path, got);
        }
        if (value.isTextual() && NUMBER_TEXT.matcher(value.textValue().strip()).matches()) {
          JsonNode n = DocumentReader.decimal(new BigDecimal(value.textValue().strip()));
          if (finite(n, path, got) == null) {
            return null;
          }
          sink.warning(
              path, "expected number, got " + got + "; accepted as " + ValueText.numberText(n));
          return n;
        }
        sink.error(path, "expected number, got " + got);
        return null;
      }
      case BOOLEAN -> {
        if (value.isBoolean()) {
          return value;
        }
        Boolean word = value.isTextual() ? Variants.booleanWord(value.textValue()) : null;
        if (word != null) {
          sink.warning(path, "expected boolean, got " + got + "; accepted as " + word);
          return BooleanNode.valueOf(word);
        }
        sink.error(path, "expected boolean, got " + got);
        return null;
      }
      default -> {
        return value;
      }
    }
  }

  private JsonNode integer(JsonNode number, String path, String got) {
    if (!Double.isFinite(number.doubleValue())) {
      sink.error(path, "expected integer, got " + got + " (out of range)");
      return null;
    }
    BigDecimal d = number.decimalValue();
    if (d.signum() != 0 && d.stripTrailingZeros().scale() > 0) {
      sink.error(path, "expected integer, got " + got);
      return null;
    }
    // Whole numbers written as 2.0 or 1e3 are integers too; the magnitude check comes first so
    // that toBigInteger never expands a huge exponent.
    if (d.precision() - d.scale() > 12) {
      sink.error(path, "expected integer, got " + got + " (out of range)");
      return null;
    }
    BigInteger whole = d.toBigInteger();
    if (whole.compareTo(INT_MIN) < 0 || whole.compareTo(INT_MAX) > 0) {
      sink.error(path, "expected integer, got " + got + " (out of range)");
      return null;
    }
    return IntNode.valueOf(whole.intValue());
  }

  private JsonNode finite(JsonNode number, String path, String got) {
    if (!Double.isFinite(number.doubleValue())) {
      sink.error(path, "expected a finite number, got " + got);
      return null;
    }
    return number;
  }

  private JsonNode quantity(JsonNode value, String path, FieldMeaning meaning) {
    String text;
    if (value.isNumber()) {
      // Kubernetes quantities are int-or-string, so a bare number is no variant here.
      text = ValueText.numberText(value);
    } else if (value.isTextual()) {
      text = value.textValue();
    } else {
      sink.error(path, "expected string, got " + ValueText.describe(value));
      return value;
    }
    Quantity q;
    try {
      q = Quantity.parse(text);
    } catch (QuantityFormatException e) {
      sink.error(path, ValueText.quote(text) + " is not a " + meaning.label());
      return value;
    }
    if (q.value().signum() < 0) {
      sink.error(path, "must not be negative, got " + ValueText.quote(text));
    } else if (meaning == FieldMeaning.MEMORY_QUANTITY
        && text.strip().endsWith("m")
        && q.value().stripTrailingZeros().scale() > 0) {
      String meant = text.strip().substring(0, text.strip().length() - 1) + "Mi";
      sink.warning(
          path,
          ValueText.quote(text)
              + " is "
              + ValueText.number(q.value())
              + " bytes; did you mean "
              + ValueText.quote(meant)
              + "?");
    }
    return TextNode.valueOf(text);
  }

  private void checkSize(JsonNode value, String path, FieldMeaning meaning) {
    String text = value.isNumber() ? ValueText.numberText(value) : value.asText();
    Quantity bytes;
    try {
      bytes = FieldMeaning.bytes(value);
    } catch (QuantityFormatException e) {
      sink.error(path, ValueText.quote(text) + " is not a " + meaning.label());
      return;
    }
    if (bytes.value().signum() < 0) {
      sink.error(path, "must not be negative, got " + ValueText.quote(text));
    }
  }

  private void checkFrequency(JsonNode value, String path) {
    BigDecimal v = value.decimalValue();
    if (v.signum() <= 0) {
      sink.error(path, "must be positive, got " + ValueText.numberText(value));
      return;
    }
    FrequencyUnits.Reading reading = FrequencyUnits.toGhz(v);
    String ghz = ValueText.number(reading.ghz());
    if (reading.guessed()) {
      sink.warning(
          path,
          ValueText.numberText(value)
              + " is not a plausible frequency in GHz, MHz or Hz; read as "
              + ghz
              + " GHz");
    } else if (reading.implausiblyHigh()) {
      sink.warning(path, ghz + " GHz is implausibly high for a processor");
    }
  }

  private JsonNode checkEnum(Schema schema, TextNode value, String path, String field) {
    String text = value.textValue();
    List<String> allowed = schema.enumValues();
    if (allowed.contains(text)) {
      return value;
    }
    String spelled = Variants.crdValueSpelling(text, allowed);
    if (spelled != null) {
      return TextNode.valueOf(spelled);
    }
    String oneOf = " is not one of " + String.join(", ", allowed);
    String loose = Variants.looseEnumMatch(field, text, allowed);
    if (loose != null) {
      sink.warning(path, ValueText.quote(text) + oneOf + "; accepted as " + ValueText.quote(loose));
      return TextNode.valueOf(loose);
    }
    sink.error(path, ValueText.quote(text) + oneOf);
    return value;
  }

  private static String schemaPathOf(String parent, String name) {
    return parent.isEmpty() ? name : parent + "." + name;
  }

  /** "; did you mean "x"?" for a near miss of a known field, else "". */
  private static String suggestion(String name, Schema schema) {
    if (name.length() < 3 || name.length() > 64) {
      return "";
    }
    List<String> close = new ArrayList<>();
    for (String known : schema.properties().keySet()) {
      if (editDistance(name.toLowerCase(java.util.Locale.ROOT), known) <= 2) {
        close.add(known);
      }
    }
    return close.size() == 1 ? "; did you mean " + ValueText.quote(close.get(0)) + "?" : "";
  }

  private static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
