package eu.mlsysops.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Every spelling we accept besides the CRDs' own, in one place. To accept another variant, add a
 * row here; the schema walker applies these tables and reports the canonical form.
 *
 * <p>Two kinds of entry: <em>variants</em> (a user wrote something non-standard) are accepted with
 * a warning naming the canonical form; <em>CRD misspellings</em> (the schema itself is wrong, e.g.
 * {@code suported_frameworks}) accept both spellings silently and keep the CRD's spelling in the
 * normalised tree, so that written descriptors still validate against the real CRDs.
 */
final class Variants {
  private Variants() {}

  /** Field names read as another field of the same object, with a warning. Variant to canonical. */
  static final Map<String, String> FIELD_RENAMES = Map.of("mobility", "mobile");

  /** Correct spellings of field names the CRDs misspell. Correct spelling to CRD spelling. */
  static final Map<String, String> CRD_FIELD_SPELLINGS =
      Map.of("supported_frameworks", "suported_frameworks", "redundancy", "reduncancy");

  /** Correct spellings of enum values the CRDs misspell. Correct spelling to CRD spelling. */
  static final Map<String, String> CRD_VALUE_SPELLINGS = Map.of("lower_or_equal", "lower_or_qqual");

  /**
   * Enum fields whose values also match ignoring case and the separators {@code _ - space}, with a
   * warning: {@code on_failure}, {@code onfailure} and {@code ONFAILURE} all read as {@code
   * OnFailure}.
   */
  static final Set<String> LOOSE_ENUM_FIELDS =
      Set.of("restart_policy", "image_pull_policy", "protocol");

  /**
   * Strings accepted, with a warning, where a boolean is expected. The parser treats only {@code
   * true}/{@code false} (any case) as booleans, so YAML 1.1 words arrive here as strings.
   */
  static final Map<String, Boolean> BOOLEAN_WORDS =
      Map.of(
          "true", true, "false", false, "yes", true, "no", false, "on", true, "off", false, "y",
          true, "n", false);

  /** Top-level keys / {@code kind} values read as a descriptor kind, with a warning. */
  static final Map<String, DescriptorKind> KIND_ALIASES =
      Map.of("MLSysOpsApplication", DescriptorKind.APP);

  // Two more rules live in SchemaWalker because they are structural, not spellings: a numeric
  // string where a number is expected (and a number where a string is expected) is converted with
  // a warning, and a single scalar where a list of scalars is expected becomes a one-element list
  // with a warning.

  /** The CRD spelling for a field name the CRD misspells, or null. */
  static String crdFieldSpelling(String name) {
    return CRD_FIELD_SPELLINGS.get(name);
  }

  /** The canonical field for a variant field name, or null. */
  static String fieldRename(String name) {
    return FIELD_RENAMES.get(name);
  }

  /** The boolean a string stands for, or null. */
  static Boolean booleanWord(String text) {
    return BOOLEAN_WORDS.get(text.strip().toLowerCase(Locale.ROOT));
  }

  /** The CRD's spelling for a correctly spelled enum value it misspells, if allowed here. */
  static String crdValueSpelling(String value, List<String> allowed) {
    String spelled = CRD_VALUE_SPELLINGS.get(value);
    return spelled != null && allowed.contains(spelled) ? spelled : null;
  }

  /** The allowed value {@code value} loosely matches, for a loose enum field; otherwise null. */
  static String looseEnumMatch(String field, String value, List<String> allowed) {
    if (!LOOSE_ENUM_FIELDS.contains(field)) {
      return null;
    }
    String key = loose(value);
    for (String candidate : allowed) {
      if (loose(candidate).equals(key)) {
        return candidate;
      }
    }
    return null;
  }

  private static String loose(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '_' && c != '-' && c != ' ') {
        sb.append(Character.toLowerCase(c));
      }
    }
    return sb.toString();
  }

  /**
   * Repairs the CRD schemas where they contradict the framework's own examples:
   *
   * <ul>
   *   <li>every kind accepts a top-level {@code name} (the cluster, continuum and datacenter CRDs
   *       lack it, yet the examples set it and the descriptors need one);
   *   <li>apps accept an optional {@code disconnect} block ({@link DisconnectPolicy}), our
   *       extension: what happens to instances on a node that stops answering;
   *   <li>apps, and each of their components, accept an optional {@code qos_warmup} duration,
   *       our extension: how long an instance runs before its QoS targets are judged;
   *   <li>containers accept an optional {@code working_dir} (Kubernetes' {@code workingDir}), our
   *       extension: where the command runs;
   *   <li>the node CRD nests {@code production} inside {@code power.renewable[].name} (an
   *       indentation slip); it is moved up beside {@code name}.
   * </ul>
   */
  static void correctSchema(DescriptorKind kind, ObjectNode root) {
    if (!(root.get("properties") instanceof ObjectNode properties)) {
      return;
    }
    if (!properties.has("name")) {
      properties.set("name", JsonNodeFactory.instance.objectNode().put("type", "string"));
    }
    if (kind == DescriptorKind.APP && !properties.has("disconnect")) {
      properties.set("disconnect", disconnectSchema());
    }
    if (kind == DescriptorKind.APP && !properties.has("qos_warmup")) {
      // A duration ("30s") or a number of seconds (30): no one JSON type, checked semantically.
      properties.set("qos_warmup", JsonNodeFactory.instance.objectNode());
      // A component may have its own (a model that loads for a minute, beside quick ones).
      if (properties.path("components").path("items").path("properties")
          instanceof ObjectNode component && !component.has("qos_warmup")) {
        component.set("qos_warmup", JsonNodeFactory.instance.objectNode());
      }
    }
    if (kind == DescriptorKind.APP
        && properties.path("components").path("items").path("properties").path("containers")
            .path("items").path("properties") instanceof ObjectNode container
        && !container.has("working_dir")) {
      container.set("working_dir", JsonNodeFactory.instance.objectNode().put("type", "string"));
    }
    if (kind == DescriptorKind.NODE) {
      JsonNode renewable =
          properties
              .path("power")
              .path("properties")
              .path("renewable")
              .path("items")
              .path("properties");
      if (renewable instanceof ObjectNode renewableProps
          && renewable.path("name") instanceof ObjectNode name
          && name.has("production")) {
        renewableProps.set("production", name.remove("production"));
      }
    }
  }

  private static ObjectNode disconnectSchema() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode props = f.objectNode();
    props.set("lost_after", f.objectNode().put("type", "string"));
    props.set("replace", f.objectNode().put("type", "boolean"));
    ObjectNode reconcile = f.objectNode().put("type", "string");
    reconcile.set(
        "enum",
        f.arrayNode().add("keep_original").add("keep_replacement").add("best_score"));
    props.set("reconcile", reconcile);
    ObjectNode schema = f.objectNode().put("type", "object");
    schema.set("properties", props);
    return schema;
  }
}
