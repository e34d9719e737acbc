package eu.mlsysops.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import eu.mlsysops.cli.agents.ProcessContinuum;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench/run control-propagation [ROUNDS]}: agents as separate processes ({@code mls up
 * --processes} with the built-in topology: a continuum, two clusters, eight nodes, 11 JVMs, mTLS
 * on loopback). Each round changes the control set through the continuum's API (alternately the
 * mode and a node policy file) and times until every remote agent reports running the new set
 * ({@code GET /api/v1/policies}, polled every 50 ms). The target: within 5 s.
 */
public final class ControlPropagationBenchmark {
  private ControlPropagationBenchmark() {}

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    Path dir = Files.createTempDirectory("mls-control-");
    var topology = eu.mlsysops.agent.tier.Topologies.defaultTopology();
    int expected = (int) topology.stream()
        .filter(d -> !(d instanceof eu.mlsysops.model.ContinuumDescriptor)).count();
    try (ProcessContinuum pc = new ProcessContinuum(dir, topology, 0,
        new PrintWriter(new StringWriter()))) {
      int port = pc.start();
      String api = "http://127.0.0.1:" + port;
      if (!ProcessContinuum.awaitPort(port, Duration.ofSeconds(60))) {
        throw new IllegalStateException("the continuum's API did not come up");
      }
      String token = Files.readString(dir.resolve("admin.token")).trim();
      long t0 = System.nanoTime();
      while (current(api, token) < expected) {
        if (System.nanoTime() - t0 > 120_000_000_000L) {
          throw new IllegalStateException("only " + current(api, token) + " of " + expected
              + " remote agents reported within 2 minutes");
        }
        Thread.sleep(200);
      }
      System.out.printf(Locale.ROOT, "%d remote agents on the first control set after %.1f s%n",
          expected, (System.nanoTime() - t0) / 1e9);
      List<Double> times = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        String what;
        String before = digest(api, token);
        long start = System.nanoTime();
        if (r % 2 == 0) {
          what = "mode " + (r % 4 == 0 ? "ml" : "heuristic");
          send(api, token, "PUT", "/api/v1/mode/" + (r % 4 == 0 ? "ml" : "heuristic"), "",
              "text/plain");
        } else {
          what = "node policy file";
          send(api, token, "PUT", "/api/v1/policies/node/policy-bench.groovy",
              POLICY.formatted(r), "text/x-groovy");
        }
        while (digest(api, token).equals(before) || current(api, token) < expected) {
          if (System.nanoTime() - start > 60_000_000_000L) {
            throw new IllegalStateException("round " + (r + 1) + ": not every agent within 60 s");
          }
          Thread.sleep(50);
        }
        double s = (System.nanoTime() - start) / 1e9;
        times.add(s);
        System.out.printf(Locale.ROOT, "round %d (%s): every remote agent on it after %.2f s%n",
            r + 1, what, s);
      }
      List<Double> sorted = times.stream().sorted().toList();
      System.out.println();
      System.out.println("| remote agents | rounds | min | median | max |");
      System.out.println("| --- | --- | --- | --- | --- |");
      System.out.printf(Locale.ROOT, "| %d | %d | %.2f s | %.2f s | %.2f s |%n", expected, rounds,
          sorted.get(0), sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
    }
  }

  private static final String POLICY = """
      import eu.mlsysops.agent.*
      import java.time.Duration

      class BenchPolicy implements Policy<Void> {
        PolicyContext initialize() {
          PolicyContext.builder("bench-%d").analyzeInterval(Duration.ofHours(1)).build()
        }
        Optional<Void> analyze(PolicyView view) { Optional.empty() }
        Plan plan(PolicyView view, Void nothing) { null }
      }
      """;

  /** The digest of the control set the continuum sends now. */
  private static String digest(String api, String token) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/api/v1/policies"))
        .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token).build(),
        HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body()).path("remote").path("control_digest").asText();
  }

  /** How many remote agents run the continuum's current control set without errors. */
  private static int current(String api, String token) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/api/v1/policies"))
        .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      return -1;
    }
    int n = 0;
    for (JsonNode a : JSON.readTree(r.body()).path("remote").path("agents")) {
      if (a.path("current").asBoolean() && a.path("errors").isEmpty()) {
        n++;
      }
    }
    return n;
  }

  private static void send(String api, String token, String method, String path, String body,
      String type) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(api + path))
        .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token)
        .header("Content-Type", type).method(method, HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IllegalStateException(method + " " + path + ": " + r.statusCode() + " " + r.body());
    }
  }
}
