package eu.mlsysops.cli.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;

/**
 * A stand-in for the northbound API: answers canned responses (shapes from docs/api.md) by
 * {@code "METHOD /path"} (the query string included when the route says so) and records every
 * request. Unknown routes answer 404 problem+json. With {@link #requireToken}, requests without
 * that bearer token get 401.
 */
final class FakeApi implements AutoCloseable {
  /** A recorded request. */
  record Request(String method, String path, String query, Map<String, List<String>> headers,
      String body) {
    String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return null;
    }

    String target() {
      return query == null ? path : path + "?" + query;
    }
  }

  /** A canned answer. */
  record Answer(int status, String contentType, String body) {}

  static final String TOKEN = "s3cret-token";

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(2);
  private final Map<String, List<Answer>> routes = new ConcurrentHashMap<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private volatile String requiredToken;

  FakeApi() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Answers {@code METHOD path} with JSON (status 200 unless given). */
  FakeApi on(String methodAndPath, String json) {
    return on(methodAndPath, 200, json);
  }

  FakeApi on(String methodAndPath, int status, String body) {
    String type = body.isEmpty() ? null
        : status >= 400 ? "application/problem+json" : "application/json";
    return on(methodAndPath, new Answer(status, type, body));
  }

  /** Adds an answer; several answers for one route are given in turn (the last repeats). */
  FakeApi on(String methodAndPath, Answer answer) {
    routes.computeIfAbsent(methodAndPath, k -> new CopyOnWriteArrayList<>()).add(answer);
    return this;
  }

  FakeApi requireToken(String token) {
    this.requiredToken = token;
    return this;
  }

  List<Request> requests() {
    return new ArrayList<>(requests);
  }

  Request only() {
    if (requests.size() != 1) {
      throw new AssertionError("expected one request, got " + requests);
    }
    return requests.get(0);
  }

  private void handle(HttpExchange ex) throws IOException {
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Request r = new Request(ex.getRequestMethod(), ex.getRequestURI().getRawPath(),
        ex.getRequestURI().getRawQuery(), Map.copyOf(ex.getRequestHeaders()), body);
    requests.add(r);
    Answer a;
    String auth = r.header("Authorization");
    if (requiredToken != null && !r.path().startsWith("/files/")
        && !("Bearer " + requiredToken).equals(auth)) {
      a = new Answer(401, "application/problem+json", "{\"type\":\"about:blank\",\"title\":"
          + "\"Unauthorized\",\"status\":401,\"detail\":\"missing or unknown bearer token\"}");
    } else {
      List<Answer> list = routes.get(r.method() + " " + r.target());
      if (list == null) {
        list = routes.get(r.method() + " " + r.path());
      }
      if (list == null) {
        a = new Answer(404, "application/problem+json", "{\"type\":\"about:blank\",\"title\":"
            + "\"Not Found\",\"status\":404,\"detail\":\"no route " + r.method() + " "
            + r.path() + "\"}");
      } else {
        a = list.size() > 1 ? list.remove(0) : list.get(0);
      }
    }
    byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
    if (a.contentType() != null) {
      ex.getResponseHeaders().add("Content-Type", a.contentType());
    }
    ex.sendResponseHeaders(a.status(), out.length == 0 ? -1 : out.length);
    if (out.length > 0) {
      try (OutputStream os = ex.getResponseBody()) {
        os.write(out);
      }
    }
    ex.close();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
