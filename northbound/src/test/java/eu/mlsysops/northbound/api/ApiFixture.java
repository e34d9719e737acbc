package eu.mlsysops.northbound.api;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import eu.mlsysops.agent.tier.ClusterSettings;
import eu.mlsysops.agent.tier.EmbeddedContinuum;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A northbound server on an ephemeral port over an embedded continuum with fast settings, and an
 * HTTP client to talk to it.
 */
final class ApiFixture implements AutoCloseable {
  static final ClusterSettings FAST = new ClusterSettings(
      Duration.ofMillis(100), 3, Duration.ofMillis(200), Duration.ofSeconds(10));

  final Path dataDir;
  final NorthboundEvents events = NorthboundEvents.create();
  final EmbeddedContinuum continuum;
  final NorthboundServer server;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  final String admin;

  private ApiFixture(Path dataDir, boolean auth) {
    this(dataDir, auth, EmbeddedContinuum.RuntimeKind.SIMULATED);
  }

  private ApiFixture(Path dataDir, boolean auth, EmbeddedContinuum.RuntimeKind runtime) {
    this.dataDir = dataDir;
    continuum = EmbeddedContinuum.builder(dataDir).clusterSettings(FAST)
        .tick(Duration.ofMillis(50)).events(events).runtime(runtime)
        .workingDirectory(dataDir.getParent()).build().start();
    await().atMost(30, TimeUnit.SECONDS).until(() -> continuum.continuum().clusters().stream()
        .mapToInt(c -> c.nodes().size()).sum() >= 8); // clusters remember registered nodes
    server = NorthboundServer.builder(continuum).dataDir(dataDir).port(0).auth(auth)
        .events(events).build().start();
    try {
      admin = Files.readString(server.adminTokenFile()).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A continuum whose clusters run as processes (none connected here) and that lets nodes join
   * with {@code joining}: the continuum agent of {@code mls up --processes}.
   */
  static ApiFixture startAcceptingJoins(Path dataDir, JoinSettings joining) {
    return new ApiFixture(dataDir, joining);
  }

  private ApiFixture(Path dataDir, JoinSettings joining) {
    this.dataDir = dataDir;
    continuum = EmbeddedContinuum.builder(dataDir)
        .topology(java.util.List.of(new eu.mlsysops.model.ContinuumDescriptor(
            "it-continuum", "it-continuum", java.util.List.of())))
        .remoteClusters(true).events(events).build().start();
    server = NorthboundServer.builder(continuum).dataDir(dataDir).port(0).events(events)
        .joining(joining).build().start();
    try {
      admin = Files.readString(server.adminTokenFile()).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ApiFixture start(Path dataDir) {
    return new ApiFixture(dataDir, true);
  }

  /** Nodes run instances as local processes (the process runtime), authentication on. */
  static ApiFixture startWithProcesses(Path dataDir) {
    return new ApiFixture(dataDir, true, EmbeddedContinuum.RuntimeKind.PROCESS);
  }

  static ApiFixture startWithoutAuth(Path dataDir) {
    return new ApiFixture(dataDir, false);
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  /** A request with a bearer token (null: none) and a body (null: none). */
  HttpResponse<String> send(String method, String path, String token, String contentType,
      String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return send(b.build());
  }

  HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<String> get(String path) {
    return send("GET", path, admin, null, null);
  }

  HttpResponse<String> get(String path, String token) {
    return send("GET", path, token, null, null);
  }

  HttpResponse<String> delete(String path, String token) {
    return send("DELETE", path, token, null, null);
  }

  HttpResponse<String> postYaml(String path, String token, String yaml) {
    return send("POST", path, token, "application/yaml", yaml);
  }

  HttpResponse<String> postJson(String path, String token, String json) {
    return send("POST", path, token, "application/json", json);
  }

  HttpResponse<String> put(String path, String token, String contentType, String body) {
    return send("PUT", path, token, contentType, body);
  }

  /** Creates a token through the API. */
  String token(Role role, String name) {
    return token(role, name, false);
  }

  /** Creates a token through the API, with {@code allow_commands}. */
  String token(Role role, String name, boolean allowCommands) {
    HttpResponse<String> r = postJson("/api/v1/tokens", admin,
        "{\"role\": \"" + role.wireName() + "\", \"name\": \"" + name
            + "\", \"allow_commands\": " + allowCommands + "}");
    if (r.statusCode() != 201) {
      throw new IllegalStateException("token not created: " + r.body());
    }
    return json(r).get("token").asText();
  }

  /** An open event stream: its lines, as they arrive, until {@link #close()}. */
  static final class EventLines implements AutoCloseable {
    final int status;
    final java.util.List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.io.InputStream body;
    private final Thread reader;

    private EventLines(HttpResponse<java.io.InputStream> r) {
      this.status = r.statusCode();
      this.body = r.body();
      this.reader = new Thread(() -> {
        try (java.io.BufferedReader in = new java.io.BufferedReader(
            new java.io.InputStreamReader(body, java.nio.charset.StandardCharsets.UTF_8))) {
          String line;
          while ((line = in.readLine()) != null) {
            lines.add(line);
          }
        } catch (IOException e) {
          // the stream ended: the test closed it, or the server did
        }
      });
      reader.setDaemon(true);
      reader.start();
    }

    /** Whether the server ended the stream. */
    boolean ended() {
      return !reader.isAlive();
    }

    @Override
    public void close() throws IOException {
      body.close();
    }
  }

  /** Opens {@code GET /api/v1/events} with {@code token} (as a query parameter, as browsers do). */
  EventLines events(String token) throws IOException, InterruptedException {
    return new EventLines(http.send(HttpRequest.newBuilder(uri("/api/v1/events?token=" + token))
        .header("Accept", "text/event-stream").build(),
        HttpResponse.BodyHandlers.ofInputStream()));
  }

  static JsonNode json(HttpResponse<String> r) {
    try {
      return Json.MAPPER.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + r.body(), e);
    }
  }

  /**
   * examples/demo-app.yaml renamed, with requests small enough that dozens of copies fit the
   * built-in topology.
   */
  static String demoApp(String name) {
    try {
      return Files.readString(Path.of("../examples/demo-app.yaml"))
          .replace("name: smart-camera", "name: " + name)
          .replaceAll("cpu: \\{requests: \"[^\"]+\", limits: \"[^\"]+\"",
              "cpu: {requests: \"10m\", limits: \"100m\"")
          .replaceAll("memory: \\{requests: \"[^\"]+\", limits: \"[^\"]+\"\\}",
              "memory: {requests: \"8Mi\", limits: \"64Mi\"}");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String phase(String app) {
    HttpResponse<String> r = get("/api/v1/apps/" + app);
    return r.statusCode() == 200 ? json(r).get("phase").asText() : "HTTP " + r.statusCode();
  }

  @Override
  public void close() {
    server.close();
    continuum.close();
  }
}
