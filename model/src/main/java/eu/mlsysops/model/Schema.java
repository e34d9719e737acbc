package eu.mlsysops.model;

import java.util.List;
import java.util.Map;

/**
 * The subset of an OpenAPI v3 schema the MLSysOps CRDs use: type, properties, items, enum and
 * required. Immutable; built by {@link CrdSchemas}.
 */
record Schema(
    Type type,
    Map<String, Schema> properties,
    Schema items,
    List<String> enumValues,
    List<String> required) {

  enum Type {
    OBJECT("object"),
    ARRAY("array"),
    STRING("string"),
    INTEGER("integer"),
    NUMBER("number"),
    BOOLEAN("boolean"),
    /** No type given: anything goes. */
    ANY("value");

    private final String word;

    Type(String word) {
      this.word = word;
    }

    /** The word used in messages, e.g. "expected integer". */
    String word() {
      return word;
    }

    boolean isScalar() {
      return this == STRING || this == INTEGER || this == NUMBER || this == BOOLEAN;
    }
  }

  Schema {
    properties = Immutable.map(properties);
    enumValues = Immutable.list(enumValues);
    required = Immutable.list(required);
  }

  /** The schema of a property, or null when the property is unknown. */
  Schema property(String name) {
    return properties.get(name);
  }
}
