package eu.mlsysops.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Calls the northbound API: adds the bearer token, turns a 4xx/5xx answer into a {@link
 * ServerRefusal} and a failed connection into a {@link ServerUnreachable}.
 */
final class ApiClient {
  static final String USER_AGENT = "mls/0.1.0";
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  /** Safety net for paginated lists whose {@code total} keeps growing. */
  private static final int MAX_PAGES = 1000;

  private final URI base;
  private final Token token;
  private final HttpClient http;

  ApiClient(URI base, Token token) {
    this.base = base;
    this.token = token;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NORMAL).build();
  }

  URI base() {
    return base;
  }

  Token token() {
    return token;
  }

  ApiResponse get(String path) {
    return send("GET", path, BodyPublishers.noBody(), null);
  }

  ApiResponse delete(String path) {
    return send("DELETE", path, BodyPublishers.noBody(), null);
  }

  ApiResponse post(String path, String body, String contentType) {
    return send("POST", path, BodyPublishers.ofString(body, StandardCharsets.UTF_8), contentType);
  }

  /** A POST of a file's bytes as they are (model files are binary). */
  ApiResponse postFile(String path, java.nio.file.Path file, String contentType)
      throws java.io.FileNotFoundException {
    return send("POST", path, BodyPublishers.ofFile(file), contentType);
  }

  ApiResponse patch(String path, String body, String contentType) {
    return send("PATCH", path, BodyPublishers.ofString(body, StandardCharsets.UTF_8), contentType);
  }

  ApiResponse put(String path, String body, String contentType) {
    return send("PUT", path, body == null ? BodyPublishers.noBody()
        : BodyPublishers.ofString(body, StandardCharsets.UTF_8), contentType);
  }

  /**
   * Gets every page of a paginated list ({@code {items, total, limit, offset}}) and returns them
   * as one page; an answer that is not paginated is returned as it came.
   */
  JsonNode getAll(String path) {
    String sep = path.contains("?") ? "&" : "?";
    JsonNode first = get(path).json();
    if (!first.has("items") || !first.get("items").isArray() || !first.has("total")) {
      return first;
    }
    ArrayNode items = ((ArrayNode) first.get("items")).deepCopy();
    long total = first.get("total").asLong();
    for (int page = 1; items.size() < total && page < MAX_PAGES; page++) {
      JsonNode next = get(path + sep + "offset=" + items.size()).json();
      JsonNode more = next.path("items");
      if (!more.isArray() || more.isEmpty()) {
        break;
      }
      items.addAll((ArrayNode) more);
      total = next.path("total").asLong(total);
    }
    ObjectNode all = JsonNodeFactory.instance.objectNode();
    all.set("items", items);
    all.put("total", total);
    all.put("limit", items.size());
    all.put("offset", 0);
    return all;
  }

  /** Fetches a document by URL, without the API token (it may live anywhere). */
  ApiResponse fetch(URI uri) {
    HttpRequest req = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT)
        .header("User-Agent", USER_AGENT).GET().build();
    try {
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      return new ApiResponse(r.statusCode(),
          r.headers().firstValue("Content-Type").orElse(""), r.body());
    } catch (IOException e) {
      throw new ServerUnreachable("cannot fetch " + uri + ": " + reason(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServerUnreachable("interrupted while fetching " + uri, e);
    }
  }

  private ApiResponse send(String method, String path, BodyPublisher body, String contentType) {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(base.getPath() + path))
        .timeout(REQUEST_TIMEOUT)
        .header("Accept", "application/json, application/problem+json")
        .header("User-Agent", USER_AGENT)
        .method(method, body);
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    if (token.value() != null) {
      b.header("Authorization", "Bearer " + token.value());
    }
    HttpResponse<String> r;
    try {
      r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ServerUnreachable("cannot reach the MLSysOps API at " + base + ": " + reason(e)
          + "; is `mls up` running? (set --server or " + ClientOptions.SERVER_ENV + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServerUnreachable("interrupted while calling " + base, e);
    }
    ApiResponse resp = new ApiResponse(r.statusCode(),
        r.headers().firstValue("Content-Type").orElse(""), r.body() == null ? "" : r.body());
    if (!resp.ok()) {
      throw new ServerRefusal(method + " " + path, resp, base.toString());
    }
    return resp;
  }

  /** A few words for why a connection failed. */
  static String reason(IOException e) {
    if (e instanceof HttpConnectTimeoutException) {
      return "connection timed out";
    }
    if (e instanceof HttpTimeoutException) {
      return "no answer within " + REQUEST_TIMEOUT.toSeconds() + "s";
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UnresolvedAddressException || t instanceof java.net.UnknownHostException) {
        return "unknown host";
      }
    }
    if (e instanceof ConnectException) {
      return "connection refused";
    }
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }

  /** A query string from the non-null entries, or empty. */
  static String query(Map<String, ?> params) {
    StringJoiner j = new StringJoiner("&", "?", "");
    j.setEmptyValue("");
    new LinkedHashMap<>(params).forEach((k, v) -> {
      if (v != null && !v.toString().isEmpty()) {
        j.add(k + "=" + URLEncoder.encode(v.toString(), StandardCharsets.UTF_8));
      }
    });
    return j.toString();
  }

  /** One path segment, percent-encoded (an app name or node id typed by the user). */
  static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
