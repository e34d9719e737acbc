package eu.mlsysops.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The framework's reference examples, copied into test resources. */
final class TestFiles {
  static final List<String> EXAMPLES =
      List.of(
          "app.yaml",
          "cluster.yaml",
          "continuum.yaml",
          "node-1.yaml",
          "node-2.yaml",
          "node-3.yaml");

  private TestFiles() {}

  static Path example(String name) {
    try {
      return Path.of(TestFiles.class.getResource("/reference-examples/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("missing test resource " + name, e);
    }
  }

  static String exampleText(String name) {
    try {
      return Files.readString(example(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static <T extends Descriptor> T single(ParseResult result, Class<T> type) {
    if (result.hasErrors() || result.descriptors().size() != 1) {
      throw new AssertionError("expected one descriptor, got " + result);
    }
    return result.ofType(type).get(0);
  }
}
