package eu.mlsysops.cli.client;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code FILE | --path F | --uri U}: where a descriptor comes from (exactly one of them). */
final class DescriptorSource {
  @Option(names = "--path", paramLabel = "FILE", required = true,
      description = "descriptor file (YAML or JSON)")
  Path path;

  @Parameters(paramLabel = "FILE", arity = "1", index = "0",
      description = "descriptor file (YAML or JSON), as --path FILE")
  Path file;

  @Option(names = "--uri", paramLabel = "URL", required = true,
      description = "URL to fetch the descriptor from")
  String uri;

  /**
   * A descriptor's text.
   *
   * @param text the content
   * @param name the file name or URL, for messages
   * @param json whether it is JSON (a {@code .json} name or a JSON content type)
   */
  record Document(String text, String name, boolean json) {
    String contentType() {
      return json ? "application/json" : "application/yaml";
    }
  }

  /** Reads the file or fetches the URL (fetching happens here, in the client, as in the reference). */
  Document read(ApiClient api) throws IOException, LocalFailure {
    if (path != null || file != null) {
      Path p = path != null ? path : file;
      return new Document(ClientCommand.readText(path != null ? "--path" : "FILE", p),
          p.toString(),
          p.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".json"));
    }
    URI u;
    try {
      u = new URI(uri);
      if (u.getScheme() == null || !u.getScheme().startsWith("http")) {
        throw new URISyntaxException(uri, "not http(s)");
      }
    } catch (URISyntaxException e) {
      throw new LocalFailure("--uri: \"" + uri + "\" is not an http(s) URL");
    }
    ApiResponse r;
    try {
      r = api.fetch(u);
    } catch (ServerUnreachable e) {
      throw new LocalFailure(e.getMessage());
    }
    if (!r.ok()) {
      throw new LocalFailure("--uri: " + uri + " answered " + r.status());
    }
    boolean json = r.contentType().contains("json")
        || u.getPath().toLowerCase(java.util.Locale.ROOT).endsWith(".json");
    return new Document(r.body(), uri, json);
  }

  /** The descriptor could not be read; the message says why. */
  static final class LocalFailure extends Exception {
    LocalFailure(String message) {
      super(message);
    }
  }
}
