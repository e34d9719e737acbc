package eu.mlsysops.cli.client;

import java.util.Arrays;
import java.util.Iterator;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** How a client command prints what the server answered. */
public enum OutputFormat {
  /** Aligned columns and trees for people. */
  TABLE,
  /** The server's JSON, pretty-printed. */
  JSON,
  /** The server's JSON as YAML. */
  YAML;

  /** The name on the command line. */
  String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Parses {@code table|json|yaml}, saying which values are allowed otherwise. */
  static final class Converter implements ITypeConverter<OutputFormat> {
    @Override
    public OutputFormat convert(String value) {
      for (OutputFormat f : values()) {
        if (f.wireName().equalsIgnoreCase(value)) {
          return f;
        }
      }
      throw new TypeConversionException("\"" + value + "\" is not one of " + names());
    }
  }

  /** Completion candidates for the shell. */
  static final class Candidates implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return Arrays.stream(values()).map(OutputFormat::wireName).iterator();
    }
  }

  static String names() {
    return Arrays.stream(values()).map(OutputFormat::wireName).collect(Collectors.joining(", "));
  }
}
