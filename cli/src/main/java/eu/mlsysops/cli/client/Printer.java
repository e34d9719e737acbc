package eu.mlsysops.cli.client;

import eu.mlsysops.cli.TextTable;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/** Writes answers in the chosen {@link OutputFormat}. */
final class Printer {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper YAML = new YAMLMapper(YAMLFactory.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
      .build());

  private final PrintWriter out;
  private final OutputFormat format;

  Printer(PrintWriter out, OutputFormat format) {
    this.out = out;
    this.format = format;
  }

  PrintWriter out() {
    return out;
  }

  OutputFormat format() {
    return format;
  }

  /**
   * Prints {@code body} as JSON or YAML when that is the chosen format.
   *
   * @return true when printed (the caller then skips its table)
   */
  boolean structured(JsonNode body) {
    if (format == OutputFormat.TABLE) {
      return false;
    }
    out.print(format == OutputFormat.JSON ? json(body) + "\n" : yaml(body));
    out.flush();
    return true;
  }

  void println(String line) {
    out.println(line);
  }

  void print(TextTable t) {
    out.print(t.render());
  }

  static String json(JsonNode n) {
    try {
      return JSON.writeValueAsString(n.isMissingNode() ? JSON.nullNode() : n);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String yaml(JsonNode n) {
    try {
      return YAML.writeValueAsString(n.isMissingNode() ? JSON.nullNode() : n);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
