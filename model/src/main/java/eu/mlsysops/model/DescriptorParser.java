package eu.mlsysops.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The parse pipeline behind {@link Descriptors}: read documents, open each envelope (top-level key
 * or custom resource), walk the schema, run the semantic checks, bind what has no errors.
 */
final class DescriptorParser {
  private static final List<String> CR_FIELDS = List.of("apiVersion", "kind", "metadata", "spec");

  private final String source;
  private final ParseOptions options;
  private final List<Descriptor> descriptors = new ArrayList<>();
  private final List<Problem> problems = new ArrayList<>();

  private DescriptorParser(String source, ParseOptions options) {
    this.source = source;
    this.options = options;
  }

  static ParseResult parse(String text, String source, ParseOptions options) {
    DescriptorParser parser = new DescriptorParser(source, options);
    try {
      parser.run(text);
    } catch (RuntimeException | StackOverflowError e) {
      // A bug of ours, not of the input; still no exception escapes to the caller.
      parser.problems.add(
          new Problem(
              Severity.ERROR,
              source,
              "",
              "internal error: "
                  + e.getClass().getSimpleName()
                  + ": "
                  + DocumentReader.firstLine(String.valueOf(e.getMessage()))));
      parser.descriptors.clear();
    }
    return new ParseResult(parser.descriptors, parser.problems);
  }

  /** A whole-source error, e.g. an unreadable file. */
  static ParseResult failure(String source, String message) {
    return new ParseResult(List.of(), List.of(new Problem(Severity.ERROR, source, "", message)));
  }

  private void run(String text) {
    if (text.length() > DocumentReader.MAX_CHARS) {
      fail(
          "input is too large: "
              + text.length()
              + " characters (limit "
              + DocumentReader.MAX_CHARS
              + ")");
      return;
    }
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    DocumentReader.Outcome outcome = read(text);
    if (outcome.failure() != null) {
      fail(outcome.failure());
      return;
    }
    List<DocumentReader.Document> documents = outcome.documents();
    boolean several = documents.size() > 1;
    for (int i = 0; i < documents.size(); i++) {
      DocumentReader.Document document = documents.get(i);
      if (!document.isEmpty()) {
        ProblemSink sink =
            new ProblemSink(several ? source + "#" + (i + 1) : source, options.strict());
        document(document.root(), sink);
        problems.addAll(sink.problems());
      }
    }
    if (descriptors.isEmpty() && problems.isEmpty()) {
      fail("no descriptor found");
    }
  }

  private DocumentReader.Outcome read(String text) {
    boolean jsonName = source.toLowerCase(Locale.ROOT).endsWith(".json");
    if (jsonName || text.stripLeading().startsWith("{")) {
      DocumentReader.Outcome json = DocumentReader.read(text, DocumentReader.Format.JSON);
      if (json.failure() == null || jsonName) {
        return json;
      }
      // "{a: 1}" is a YAML flow mapping, not broken JSON.
    }
    return DocumentReader.read(text, DocumentReader.Format.YAML);
  }

  private void fail(String message) {
    problems.add(new Problem(Severity.ERROR, source, "", message));
  }

  // ---------------------------------------------------------------- envelopes

  private void document(JsonNode root, ProblemSink sink) {
    if (!(root instanceof ObjectNode object) || root.isEmpty()) {
      sink.error(
          "",
          "expected a mapping with a descriptor kind ("
              + DescriptorKind.wireNames()
              + ") or a custom resource (apiVersion, kind, metadata, spec), got "
              + (root.isObject() ? "an empty mapping" : ValueText.describe(root)));
      return;
    }
    if (object.has("apiVersion") || object.has("kind") || object.has("spec")) {
      customResource(object, sink);
      return;
    }
    for (Map.Entry<String, JsonNode> e : object.properties()) {
      DescriptorKind kind = kind(e.getKey(), ProblemSink.field("", e.getKey()), sink);
      if (kind == null) {
        continue;
      }
      if (!(e.getValue() instanceof ObjectNode body)) {
        sink.error("", e.getKey() + ": expected object, got " + ValueText.describe(e.getValue()));
        continue;
      }
      descriptor(kind, body, null, sink);
    }
  }

  private DescriptorKind kind(String wireName, String path, ProblemSink sink) {
    for (DescriptorKind kind : DescriptorKind.values()) {
      if (kind.wireName().equals(wireName)) {
        return kind;
      }
    }
    DescriptorKind alias = Variants.KIND_ALIASES.get(wireName);
    if (alias != null) {
      sink.warning(
          path,
          ValueText.quote(wireName)
              + " is not a descriptor kind; accepted as "
              + ValueText.quote(alias.wireName()));
      return alias;
    }
    sink.error(path, ValueText.quote(wireName) + " is not one of " + DescriptorKind.wireNames());
    return null;
  }

  private void customResource(ObjectNode resource, ProblemSink sink) {
    int errors = sink.errorCount();
    JsonNode apiVersion = resource.get("apiVersion");
    if (apiVersion == null) {
      sink.error("apiVersion", "required field is missing");
    } else if (!apiVersion.isTextual()) {
      sink.error("apiVersion", "expected string, got " + ValueText.describe(apiVersion));
    } else if (!DescriptorKind.API_VERSION.equals(apiVersion.textValue())) {
      sink.error(
          "apiVersion",
          ValueText.quote(apiVersion.textValue()) + " is not " + DescriptorKind.API_VERSION);
    }
    JsonNode kindNode = resource.get("kind");
    DescriptorKind kind = null;
    if (kindNode == null) {
      sink.error("kind", "required field is missing");
    } else if (!kindNode.isTextual()) {
      sink.error("kind", "expected string, got " + ValueText.describe(kindNode));
    } else {
      kind = kind(kindNode.textValue(), "kind", sink);
    }
    String metadataName = null;
    JsonNode metadata = resource.get("metadata");
    if (metadata != null && !metadata.isNull()) {
      if (!metadata.isObject()) {
        sink.error("metadata", "expected object, got " + ValueText.describe(metadata));
      } else if (metadata.has("name")) {
        if (metadata.get("name").isTextual()) {
          metadataName = metadata.get("name").textValue();
        } else {
          sink.error(
              "metadata.name", "expected string, got " + ValueText.describe(metadata.get("name")));
        }
      }
    }
    JsonNode spec = resource.get("spec");
    if (spec == null || spec.isNull()) {
      sink.error("spec", "required field is missing");
    } else if (!spec.isObject()) {
      sink.error("spec", "expected object, got " + ValueText.describe(spec));
    }
    for (Map.Entry<String, JsonNode> e : resource.properties()) {
      // status is what the API server adds; exported resources carry it harmlessly.
      if (!CR_FIELDS.contains(e.getKey()) && !e.getKey().equals("status")) {
        sink.unknownField(ProblemSink.field("", e.getKey()), "unknown field");
      }
    }
    if (sink.errorCount() == errors && kind != null) {
      descriptor(kind, (ObjectNode) spec, metadataName, sink);
    }
  }

  // ---------------------------------------------------------------- one descriptor

  private void descriptor(
      DescriptorKind kind, ObjectNode body, String metadataName, ProblemSink sink) {
    int errors = sink.errorCount();
    new SchemaWalker(kind, sink).walkBody(body);
    String name = resolveName(kind, body, metadataName, sink);
    SemanticChecks.check(kind, body, sink, options.limits());
    if (sink.errorCount() == errors) {
      descriptors.add(DescriptorBinder.bind(kind, body, name));
    }
  }

  private static String resolveName(
      DescriptorKind kind, ObjectNode body, String metadataName, ProblemSink sink) {
    JsonNode nameNode = body.get("name");
    String name = nameNode != null && nameNode.isTextual() ? nameNode.textValue() : null;
    if (name != null && metadataName != null && !name.equals(metadataName)) {
      sink.warning(
          "name",
          ValueText.quote(name)
              + " differs from metadata.name "
              + ValueText.quote(metadataName)
              + "; using "
              + ValueText.quote(name));
    }
    if (name == null && metadataName != null && nameNode == null) {
      name = metadataName;
      body.set("name", TextNode.valueOf(name));
    }
    if (name != null && name.isBlank()) {
      sink.error("name", "must not be empty");
    } else if (name == null
        && nameNode == null
        && (kind == DescriptorKind.APP || kind == DescriptorKind.NODE)) {
      sink.error("name", "required field is missing");
    }
    return name;
  }
}
