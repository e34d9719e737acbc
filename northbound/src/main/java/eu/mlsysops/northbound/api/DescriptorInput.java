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
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Turns request bodies into validated descriptors, or a 400 that lists every problem.
 *
 * <p>A descriptor given by {@code uri} is fetched by the server, so the fetch must not become a
 * way into networks only the server can reach (server-side request forgery): link-local
 * addresses (cloud metadata services live at 169.254.169.254), multicast and the unspecified
 * address are always refused; loopback and private addresses only when the server itself listens
 * on loopback (then every caller is local anyway). Redirects are followed by hand, at most {@value
 * #MAX_REDIRECTS}, each target checked the same way.
 */
final class DescriptorInput {
  private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);
  private static final int MAX_REDIRECTS = 5;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
          .followRedirects(HttpClient.Redirect.NEVER).build();
  private final boolean allowPrivateAddresses;

  /** @param allowPrivateAddresses whether {@code uri} may name loopback and private addresses */
  DescriptorInput(boolean allowPrivateAddresses) {
    this.allowPrivateAddresses = allowPrivateAddresses;
  }

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
    try {
      for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
        checkTarget(uri);
        HttpResponse<InputStream> res = http.send(
            HttpRequest.newBuilder(uri).timeout(FETCH_TIMEOUT).GET().build(),
            HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = res.body()) {
          int status = res.statusCode();
          if (status / 100 == 3 && res.headers().firstValue("location").isPresent()) {
            uri = uri.resolve(res.headers().firstValue("location").get());
            continue;
          }
          if (status / 100 != 2) {
            throw ApiProblem.badRequest("failed to fetch data from URI: HTTP " + status);
          }
          byte[] b = in.readNBytes(RequestBodies.MAX_BYTES + 1);
          if (b.length > RequestBodies.MAX_BYTES) {
            throw new ApiProblem(413, "the document at \"uri\" is larger than 1 MiB");
          }
          return new String(b, StandardCharsets.UTF_8);
        }
      }
      throw ApiProblem.badRequest("failed to fetch data from URI: more than " + MAX_REDIRECTS
          + " redirects");
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

  /** Refuses schemes other than http(s) and addresses the server must not fetch from. */
  private void checkTarget(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
      throw ApiProblem.badRequest("\"uri\" must be an http or https URL");
    }
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(uri.getHost());
    } catch (UnknownHostException e) {
      throw ApiProblem.badRequest("\"uri\": unknown host \"" + uri.getHost() + "\"");
    }
    for (InetAddress a : addresses) {
      boolean never = a.isLinkLocalAddress() || a.isMulticastAddress() || a.isAnyLocalAddress();
      boolean internal = a.isLoopbackAddress() || a.isSiteLocalAddress() || isUniqueLocal(a)
          || isCarrierGradeNat(a);
      if (never || internal && !allowPrivateAddresses) {
        throw ApiProblem.badRequest("\"uri\": " + uri.getHost() + " resolves to "
            + a.getHostAddress() + ", an address this server does not fetch from"
            + (never ? "" : " (it listens beyond loopback; upload the descriptor instead)"));
      }
    }
  }

  /** IPv6 unique local addresses, fc00::/7 (Java's isSiteLocalAddress knows only fec0::/10). */
  private static boolean isUniqueLocal(InetAddress a) {
    return a instanceof Inet6Address && (a.getAddress()[0] & 0xFE) == 0xFC;
  }

  /** 100.64.0.0/10, shared address space often used inside clouds. */
  private static boolean isCarrierGradeNat(InetAddress a) {
    byte[] b = a.getAddress();
    return b.length == 4 && (b[0] & 0xFF) == 100 && (b[1] & 0xC0) == 64;
  }
}
