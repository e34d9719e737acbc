package eu.mlsysops.northbound.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Descriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.model.ParseResult;
import eu.mlsysops.model.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** Turns request bodies into validated descriptors, or a 400 that lists every problem. */
final class DescriptorInput {
  private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
          .followRedirects(HttpClient.Redirect.NORMAL).build();

  /** A parsed descriptor and the warnings it was accepted with. */
  record Parsed<T extends Descriptor>(T descriptor, List<Problem> warnings) {}

  /** Exactly one app from YAML or JSON text. */
  Parsed<AppDescriptor> app(String text, String source) {
    Parsed<Descriptor> p = one(text, source);
    if (!(p.descriptor() instanceof AppDescriptor app)) {
      throw ApiProblem.badRequest("expected an MLSysOpsApp, got " + p.descriptor().kind().wireName());
    }
    return new Parsed<>(app, p.warnings());
  }

  /** Exactly one descriptor of any kind from YAML or JSON text. */
  Parsed<Descriptor> one(String text, String source) {
    if (text == null || text.isBlank()) {
      throw ApiProblem.badRequest("the descriptor is empty");
    }
    ParseResult r = Descriptors.parse(text, source, ParseOptions.DEFAULT);
    if (r.hasErrors()) {
      throw ApiProblem.invalidDescriptor(
          "the descriptor has " + r.errors().size() + (r.errors().size() == 1 ? " error" : " errors"),
          r.problems());
    }
    if (r.descriptors().size() != 1) {
      throw ApiProblem.badRequest("expected one descriptor, found " + r.descriptors().size());
    }
    return new Parsed<>(r.descriptors().get(0), r.warnings());
  }

  /**
   * The descriptor text of a reference-style body: {@code {"yaml": <object or YAML string>}} or
   * {@code {"uri": "http://…"}}.
   */
  String referenceBody(ObjectNode body) {
    JsonNode yaml = body.get("yaml");
    if (yaml != null && !yaml.isNull()) {
      if (yaml.isTextual()) {
        return yaml.asText();
      }
      if (yaml.isObject()) {
        return Json.write(yaml);
      }
      throw ApiProblem.badRequest("\"yaml\" must be a descriptor object or a YAML string");
    }
    JsonNode uri = body.get("uri");
    if (uri != null && !uri.isNull()) {
      if (!uri.isTextual()) {
        throw ApiProblem.badRequest("\"uri\" must be a string");
      }
      return fetch(uri.asText());
    }
    throw ApiProblem.badRequest("the body needs \"yaml\" (the descriptor) or \"uri\" (where to fetch it)");
  }

  private String fetch(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw ApiProblem.badRequest("\"uri\" is not a URI: " + e.getMessage());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
      throw ApiProblem.badRequest("\"uri\" must be an http or https URL");
    }
    try {
      HttpResponse<InputStream> res = http.send(
          HttpRequest.newBuilder(uri).timeout(FETCH_TIMEOUT).GET().build(),
          HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = res.body()) {
        if (res.statusCode() / 100 != 2) {
          throw ApiProblem.badRequest("failed to fetch data from URI: HTTP " + res.statusCode());
        }
        byte[] b = in.readNBytes(RequestBodies.MAX_BYTES + 1);
        if (b.length > RequestBodies.MAX_BYTES) {
          throw new ApiProblem(413, "the document at \"uri\" is larger than 1 MiB");
        }
        return new String(b, StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw ApiProblem.badRequest("failed to fetch data from URI: "
          + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiProblem(503, "interrupted while fetching the URI");
    } catch (IllegalArgumentException e) {
      throw ApiProblem.badRequest("\"uri\" cannot be fetched: " + e.getMessage());
    }
  }
}
