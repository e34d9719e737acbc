package eu.mlsysops.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Reads, validates and writes {@code mlsysops.eu/v1} descriptors.
 *
 * <p>Input is YAML (several documents separated by {@code ---} allowed) or JSON, in either of two
 * forms:
 *
 * <ul>
 *   <li>top-level key: {@code MLSysOpsApp: {name: ..., components: [...]}}, as in the framework's
 *       examples;
 *   <li>custom resource: {@code apiVersion: mlsysops.eu/v1}, {@code kind: MLSysOpsApp}, {@code
 *       metadata: {name: ...}}, {@code spec: {...}}; {@code metadata.name} names the descriptor
 *       when the spec has no {@code name}.
 * </ul>
 *
 * <p>Validation follows the CRDs' {@code openAPIV3Schema} plus semantic checks (quantities,
 * references between components, cycles, ranges) and reports every problem in one pass, each with a
 * field path. Known variant spellings are accepted with a warning and normalised. Parsing never
 * throws and never hangs: malformed, huge (over 4 MiB), deeply nested (over 64 levels) or
 * alias-bomb input yields an error {@link Problem}. Descriptors with errors are left out of the
 * result.
 */
public final class Descriptors {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
              .build());

  private Descriptors() {}

  /**
   * Parses descriptors from text.
   *
   * @param text YAML or JSON; JSON is assumed when it starts with <code>{</code> and parses as
   *     JSON, or when {@code sourceName} ends in {@code .json}
   * @param sourceName names the source in problems, e.g. a file name
   * @param options parse options; null means {@link ParseOptions#DEFAULT}
   * @return the descriptors without errors and all problems; never throws for any text
   */
  public static ParseResult parse(String text, String sourceName, ParseOptions options) {
    String source = sourceName == null ? "<input>" : sourceName;
    if (text == null) {
      return DescriptorParser.failure(source, "no text given");
    }
    return DescriptorParser.parse(text, source, options == null ? ParseOptions.DEFAULT : options);
  }

  /**
   * Parses descriptors from a UTF-8 file. An unreadable, oversized or non-UTF-8 file gives an error
   * problem, not an exception.
   *
   * @param file the file; its name is the problems' source
   * @param options parse options; null means {@link ParseOptions#DEFAULT}
   * @return the descriptors without errors and all problems
   */
  public static ParseResult parse(Path file, ParseOptions options) {
    Objects.requireNonNull(file, "file");
    String source = file.toString();
    String text;
    if (Files.isDirectory(file)) {
      return DescriptorParser.failure(source, "cannot read file: it is a directory");
    }
    if (Files.exists(file) && !Files.isRegularFile(file)) {
      // Devices and pipes report size 0 and may never end (/dev/zero, a FIFO nobody writes).
      return DescriptorParser.failure(source, "cannot read file: not a regular file (a device or pipe)");
    }
    try {
      long size = Files.size(file);
      if (size > DocumentReader.MAX_CHARS) {
        return DescriptorParser.failure(
            source,
            "file is too large: " + size + " bytes (limit " + DocumentReader.MAX_CHARS + ")");
      }
      byte[] bytes;
      try (java.io.InputStream in = Files.newInputStream(file)) {
        // The size can change between the check and the read; never read past the limit.
        bytes = in.readNBytes(DocumentReader.MAX_CHARS + 1);
      }
      if (bytes.length > DocumentReader.MAX_CHARS) {
        return DescriptorParser.failure(
            source, "file is too large: over " + DocumentReader.MAX_CHARS + " bytes");
      }
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      return DescriptorParser.failure(source, "not UTF-8 text");
    } catch (NoSuchFileException e) {
      return DescriptorParser.failure(source, "cannot read file: no such file");
    } catch (AccessDeniedException e) {
      return DescriptorParser.failure(source, "cannot read file: permission denied");
    } catch (IOException | SecurityException e) {
      return DescriptorParser.failure(
          source, "cannot read file: " + DocumentReader.firstLine(String.valueOf(e.getMessage())));
    }
    return parse(text, source, options);
  }

  /**
   * Parses exactly one application descriptor, for callers that want a value or an exception.
   *
   * @param text YAML or JSON holding one {@code MLSysOpsApp}
   * @return the application
   * @throws DescriptorException if there are errors, or not exactly one application; its message
   *     lists the errors, one per line
   */
  public static AppDescriptor parseApp(String text) {
    ParseResult result = parse(text, "<input>", ParseOptions.DEFAULT);
    if (result.hasErrors()) {
      throw new DescriptorException(result.problems());
    }
    List<AppDescriptor> apps = result.ofType(AppDescriptor.class);
    if (apps.size() != 1) {
      Problem problem =
          new Problem(
              Severity.ERROR,
              "<input>",
              "",
              "expected one " + DescriptorKind.APP.wireName() + ", found " + apps.size());
      throw new DescriptorException(List.of(problem));
    }
    return apps.get(0);
  }

  /**
   * Writes a descriptor as JSON in the top-level-key form; {@link #parse} reads it back to an equal
   * record.
   *
   * @param descriptor the descriptor
   * @return pretty-printed JSON
   */
  public static String toJson(Descriptor descriptor) {
    return write(JSON, descriptor);
  }

  /**
   * Writes a descriptor as YAML in the top-level-key form; {@link #parse} reads it back to an equal
   * record.
   *
   * @param descriptor the descriptor
   * @return YAML text
   */
  public static String toYaml(Descriptor descriptor) {
    return write(YAML, descriptor);
  }

  private static String write(ObjectMapper mapper, Descriptor descriptor) {
    Objects.requireNonNull(descriptor, "descriptor");
    try {
      return mapper.writeValueAsString(DescriptorWriter.write(descriptor));
    } catch (JsonProcessingException e) {
      // Writing an in-memory tree to a String cannot fail short of a Jackson bug.
      throw new UncheckedIOException(e);
    }
  }
}
