package eu.mlsysops.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code openAPIV3Schema} of each CRD, read once from the CRD files shipped in this jar ({@code
 * eu/mlsysops/model/crds/}, copied verbatim from the MLSysOps framework) and corrected as described
 * in {@link Variants#correctSchema}.
 */
final class CrdSchemas {
  private static final Map<DescriptorKind, Schema> SCHEMAS = loadAll();

  private CrdSchemas() {}

  static Schema of(DescriptorKind kind) {
    return SCHEMAS.get(kind);
  }

  static String resourceName(DescriptorKind kind) {
    return switch (kind) {
      case APP -> "crds/MLSysOpsApplication.yaml";
      case NODE -> "crds/MLSysOpsNode.yaml";
      case CLUSTER -> "crds/MLSysOpsCluster.yaml";
      case CONTINUUM -> "crds/MLSysOpsContinuum.yaml";
      case DATACENTER -> "crds/MLSysOpsDatacenter.yaml";
    };
  }

  private static Map<DescriptorKind, Schema> loadAll() {
    Map<DescriptorKind, Schema> schemas = new EnumMap<>(DescriptorKind.class);
    for (DescriptorKind kind : DescriptorKind.values()) {
      schemas.put(kind, load(kind));
    }
    return schemas;
  }

  private static Schema load(DescriptorKind kind) {
    String resource = resourceName(kind);
    String text;
    try (InputStream in = CrdSchemas.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource, e);
    }
    DocumentReader.Outcome outcome = DocumentReader.read(text, DocumentReader.Format.YAML);
    if (outcome.failure() != null || outcome.documents().isEmpty()) {
      throw new IllegalStateException(resource + ": " + outcome.failure());
    }
    JsonNode crd = outcome.documents().get(0).root();
    JsonNode versions = crd.path("spec").path("versions");
    JsonNode schema = null;
    for (JsonNode version : versions) {
      if ("v1".equals(version.path("name").asText())) {
        schema = version.path("schema").path("openAPIV3Schema");
      }
    }
    if (!(schema instanceof ObjectNode root)) {
      throw new IllegalStateException(resource + ": no v1 openAPIV3Schema");
    }
    if (!kind.wireName().equals(crd.path("spec").path("names").path("kind").asText())) {
      throw new IllegalStateException(resource + ": not the CRD of " + kind.wireName());
    }
    Variants.correctSchema(kind, root);
    return convert(root);
  }

  private static Schema convert(JsonNode node) {
    Map<String, Schema> properties = new LinkedHashMap<>();
    node.path("properties")
        .properties()
        .forEach(e -> properties.put(e.getKey(), convert(e.getValue())));
    Schema items = node.has("items") ? convert(node.get("items")) : null;
    List<String> enumValues = new ArrayList<>();
    node.path("enum").forEach(v -> enumValues.add(v.asText()));
    List<String> required = new ArrayList<>();
    node.path("required").forEach(v -> required.add(v.asText()));
    return new Schema(type(node, items), properties, items, enumValues, required);
  }

  private static Schema.Type type(JsonNode node, Schema items) {
    String type = node.path("type").asText("");
    return switch (type) {
      case "object" -> Schema.Type.OBJECT;
      case "array" -> Schema.Type.ARRAY;
      case "string" -> Schema.Type.STRING;
      case "integer" -> Schema.Type.INTEGER;
      case "number" -> Schema.Type.NUMBER;
      case "boolean" -> Schema.Type.BOOLEAN;
      default ->
          node.has("properties")
              ? Schema.Type.OBJECT
              : items != null ? Schema.Type.ARRAY : Schema.Type.ANY;
    };
  }
}
