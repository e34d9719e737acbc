package eu.mlsysops.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Turns YAML or JSON text into one JSON tree per document, within hard limits, so that no input can
 * exhaust memory, stack or time.
 *
 * <p>We build the tree from the token stream ourselves instead of using {@code readTree} because
 * Jackson reports a YAML alias as the anchor's name (silently wrong data) and does not detect
 * duplicate keys in YAML. Here aliases are expanded against a value budget (so billion-laughs stops
 * early), {@code <<} merge keys work, duplicate keys are errors, and only {@code true}/{@code
 * false} are booleans (YAML 1.1 {@code yes}/{@code on} stay strings; the schema walker may still
 * accept them with a warning).
 */
final class DocumentReader {
  /** Largest accepted text; real descriptors are a few kilobytes. */
  static final int MAX_CHARS = 4 * 1024 * 1024;

  /** Deepest accepted nesting; the deepest descriptor path is about a dozen levels. */
  static final int MAX_DEPTH = 64;

  /** Most values (including alias copies) in one text. */
  static final int MAX_VALUES = 1_000_000;

  /** BigDecimals beyond this scale are kept as doubles so that no later arithmetic explodes. */
  private static final int MAX_DECIMAL_SCALE = 400;

  enum Format {
    YAML,
    JSON
  }

  /** One document: its root value and the line it starts on. */
  record Document(JsonNode root, int line) {
    /** An empty document ({@code ---} with nothing after it). */
    boolean isEmpty() {
      return root == null || root.isNull() || (root.isTextual() && root.textValue().isEmpty());
    }
  }

  /** Either the documents, or why the text could not be read (with line:column). */
  record Outcome(List<Document> documents, String failure) {}

  private static final StreamReadConstraints CONSTRAINTS =
      StreamReadConstraints.builder()
          .maxDocumentLength(MAX_CHARS + 1L)
          .maxStringLength(MAX_CHARS + 1)
          .maxNumberLength(1000)
          .maxNameLength(100_000)
          .maxNestingDepth(MAX_DEPTH + 10)
          .build();

  private static final JsonFactory JSON =
      JsonFactory.builder().streamReadConstraints(CONSTRAINTS).build();

  private static final YAMLFactory YAML =
      YAMLFactory.builder()
          // "key:" with nothing after it is null in YAML; Jackson would say "" (quoted '' stays
          // "").
          .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
          .loaderOptions(loaderOptions())
          .streamReadConstraints(CONSTRAINTS)
          .build();

  private DocumentReader() {}

  private static LoaderOptions loaderOptions() {
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(MAX_CHARS + 1);
    options.setNestingDepthLimit(MAX_DEPTH + 10);
    options.setMaxAliasesForCollections(1000);
    // We report duplicate keys ourselves, with their line and column.
    options.setAllowDuplicateKeys(true);
    return options;
  }

  /** Reads every document of {@code text}; never throws for any input. */
  static Outcome read(String text, Format format) {
    JsonFactory factory = format == Format.JSON ? JSON : YAML;
    List<Document> documents = new ArrayList<>();
    try (JsonParser parser = factory.createParser(text)) {
      TreeBuilder builder = new TreeBuilder(parser);
      JsonToken token;
      while ((token = parser.nextToken()) != null) {
        int line = parser.currentTokenLocation().getLineNr();
        documents.add(new Document(builder.root(token), line));
      }
      return new Outcome(documents, null);
    } catch (ReadFailure e) {
      return new Outcome(List.of(), e.getMessage());
    } catch (JsonProcessingException e) {
      return new Outcome(List.of(), describe(e));
    } catch (IOException | RuntimeException e) {
      // SnakeYAML throws unchecked exceptions for some inputs; all of them are bad input here.
      return new Outcome(List.of(), "cannot read: " + firstLine(String.valueOf(e.getMessage())));
    }
  }

  /** Wraps a BigDecimal, keeping huge exponents out of the tree (see MAX_DECIMAL_SCALE). */
  static JsonNode decimal(BigDecimal value) {
    if (Math.abs(value.scale()) > MAX_DECIMAL_SCALE) {
      return DoubleNode.valueOf(value.doubleValue());
    }
    return DecimalNode.valueOf(value);
  }

  private static String describe(JsonProcessingException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
        Mark mark = marked.getProblemMark();
        String problem = marked.getProblem() != null ? marked.getProblem() : marked.getContext();
        return "syntax error at "
            + (mark.getLine() + 1)
            + ":"
            + (mark.getColumn() + 1)
            + ": "
            + firstLine(problem);
      }
    }
    JsonLocation loc = e.getLocation();
    String where = loc == null ? "" : " at " + loc.getLineNr() + ":" + loc.getColumnNr();
    return "syntax error" + where + ": " + firstLine(e.getOriginalMessage());
  }

  /** First line of a library message, printable and short. */
  static String firstLine(String message) {
    if (message == null) {
      return "unreadable input";
    }
    String line = message.strip();
    int nl = line.indexOf('\n');
    if (nl >= 0) {
      line = line.substring(0, nl);
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < line.length() && sb.length() < 200; i++) {
      char c = line.charAt(i);
      sb.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return sb.toString();
  }

  /** A limit or rule broken while building the tree; the message carries line:column. */
  private static final class ReadFailure extends IOException {
    private static final long serialVersionUID = 1L;

    ReadFailure(String message, JsonLocation at) {
      super(message + " at " + at.getLineNr() + ":" + at.getColumnNr());
    }
  }

  /** An anchored value and its height, so an alias copy can be checked against MAX_DEPTH. */
  private record Anchored(JsonNode node, int height, int size) {}

  private static final class TreeBuilder {
    private final JsonParser parser;
    private final YAMLParser yaml;
    private final Map<String, Anchored> anchors = new HashMap<>();
    private int values;

    TreeBuilder(JsonParser parser) {
      this.parser = parser;
      this.yaml = parser instanceof YAMLParser y ? y : null;
    }

    JsonNode root(JsonToken token) throws IOException {
      anchors.clear(); // anchors do not cross document boundaries
      return value(token, 0);
    }

    private JsonNode value(JsonToken token, int depth) throws IOException {
      if (token == null) {
        throw new ReadFailure("unexpected end of input", parser.currentLocation());
      }
      // For YAML, the object id of a value token is its anchor (&name), if any.
      Object anchorId = yaml == null ? null : yaml.getObjectId();
      String anchor = anchorId == null ? null : anchorId.toString();
      count();
      JsonNode node =
          switch (token) {
            case START_OBJECT -> object(depth + 1);
            case START_ARRAY -> array(depth + 1);
            case VALUE_STRING -> {
              if (yaml != null && yaml.isCurrentAlias()) {
                yield alias(parser.getText(), depth);
              }
              yield TextNode.valueOf(parser.getText());
            }
            case VALUE_NUMBER_INT -> integer();
            case VALUE_NUMBER_FLOAT -> floating();
            case VALUE_TRUE, VALUE_FALSE -> bool(token);
            case VALUE_NULL -> NullNode.getInstance();
            default ->
                throw new ReadFailure(
                    "unsupported value (" + token + ")", parser.currentTokenLocation());
          };
      if (anchor != null) {
        anchors.put(anchor, new Anchored(node, height(node), size(node)));
      }
      return node;
    }

    private void count() throws ReadFailure {
      if (++values > MAX_VALUES) {
        throw new ReadFailure(
            "more than " + MAX_VALUES + " values (alias expansion?)",
            parser.currentTokenLocation());
      }
    }

    private void checkDepth(int depth) throws ReadFailure {
      if (depth > MAX_DEPTH) {
        throw new ReadFailure(
            "nesting deeper than " + MAX_DEPTH + " levels", parser.currentTokenLocation());
      }
    }

    private ObjectNode object(int depth) throws IOException {
      checkDepth(depth);
      ObjectNode object = JsonNodeFactory.instance.objectNode();
      List<JsonNode> merges = null;
      JsonToken token;
      while ((token = parser.nextToken()) != JsonToken.END_OBJECT) {
        if (token != JsonToken.FIELD_NAME) {
          throw new ReadFailure("unexpected " + token, parser.currentLocation());
        }
        String name = parser.currentName();
        JsonLocation at = parser.currentTokenLocation();
        JsonNode value = value(parser.nextToken(), depth);
        if (yaml != null && "<<".equals(name) && isMergeable(value)) {
          if (merges == null) {
            merges = new ArrayList<>();
          }
          merges.add(value);
        } else if (object.has(name)) {
          throw new ReadFailure("duplicate key " + ValueText.quote(name), at);
        } else {
          object.set(name, value);
        }
      }
      if (merges != null) {
        // YAML merge keys: explicit keys win, earlier merged mappings win over later ones.
        for (JsonNode merge : merges) {
          for (JsonNode source : merge.isArray() ? merge : List.of(merge)) {
            for (Map.Entry<String, JsonNode> e : source.properties()) {
              if (!object.has(e.getKey())) {
                object.set(e.getKey(), e.getValue());
              }
            }
          }
        }
      }
      return object;
    }

    private static boolean isMergeable(JsonNode value) {
      if (value.isObject()) {
        return true;
      }
      if (!value.isArray() || value.isEmpty()) {
        return false;
      }
      for (JsonNode item : value) {
        if (!item.isObject()) {
          return false;
        }
      }
      return true;
    }

    private ArrayNode array(int depth) throws IOException {
      checkDepth(depth);
      ArrayNode array = JsonNodeFactory.instance.arrayNode();
      JsonToken token;
      while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
        array.add(value(token, depth));
      }
      return array;
    }

    private JsonNode alias(String name, int depth) throws IOException {
      Anchored anchored = anchors.get(name);
      if (anchored == null) {
        throw new ReadFailure("unknown alias *" + name, parser.currentTokenLocation());
      }
      checkDepth(depth + anchored.height());
      values += anchored.size();
      if (values > MAX_VALUES) {
        throw new ReadFailure(
            "more than " + MAX_VALUES + " values (alias expansion?)",
            parser.currentTokenLocation());
      }
      // A copy, because validation normalises values in place and reports each path once.
      return anchored.node().deepCopy();
    }

    private JsonNode integer() throws IOException {
      return switch (parser.getNumberType()) {
        case INT -> IntNode.valueOf(parser.getIntValue());
        case LONG -> LongNode.valueOf(parser.getLongValue());
        default -> BigIntegerNode.valueOf(parser.getBigIntegerValue());
      };
    }

    private JsonNode floating() throws IOException {
      try {
        return decimal(parser.getDecimalValue());
      } catch (IOException | NumberFormatException e) {
        // e.g. YAML ".inf" / ".nan": keep the text, the schema walker rejects it as a number.
        return TextNode.valueOf(parser.getText());
      }
    }

    private JsonNode bool(JsonToken token) throws IOException {
      String text = parser.getText();
      if (yaml != null && !"true".equalsIgnoreCase(text) && !"false".equalsIgnoreCase(text)) {
        return TextNode.valueOf(text);
      }
      return BooleanNode.valueOf(token == JsonToken.VALUE_TRUE);
    }

    /** Levels of containers below and including {@code node}; trees here are at most 64 deep. */
    private static int height(JsonNode node) {
      if (!node.isContainerNode()) {
        return 0;
      }
      int max = 0;
      for (JsonNode child : node) {
        max = Math.max(max, height(child));
      }
      return max + 1;
    }

    private static int size(JsonNode node) {
      int size = 1;
      for (JsonNode child : node) {
        size += size(child);
      }
      return size;
    }
  }
}
