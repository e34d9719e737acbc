// A tiny two-component app for `mls up --runtime process`, run as a single-file source program:
//
//   java PipelineApp.java consumer   # HTTP server on $PORT: POST /ingest takes a reading
//   java PipelineApp.java producer   # POSTs a reading to $CONSUMER_URL every $INTERVAL_MS
//
// Both report their metrics with plain OTLP/HTTP JSON (no SDK needed) to
// $OTEL_EXPORTER_OTLP_ENDPOINT/v1/metrics every $EXPORT_INTERVAL_MS, with the resource attributes
// of $OTEL_RESOURCE_ATTRIBUTES, which the process runtime sets to say where the instance runs.
// Only the JDK is needed.

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;

public class PipelineApp {
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  static final long START_NANOS = System.currentTimeMillis() * 1_000_000L;

  public static void main(String[] args) throws Exception {
    String role = args.length > 0 ? args[0] : "";
    ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
    long exportEvery = longEnv("EXPORT_INTERVAL_MS", 2000);
    switch (role) {
      case "consumer" -> consumer(timer, exportEvery);
      case "producer" -> producer(timer, exportEvery);
      default -> {
        System.err.println("usage: java PipelineApp.java consumer|producer");
        System.exit(2);
      }
    }
  }

  // ---- consumer: counts and sums what it is sent ----

  static void consumer(ScheduledExecutorService timer, long exportEvery) throws IOException {
    int port = (int) longEnv("PORT", 18080);
    AtomicLong received = new AtomicLong();
    DoubleAdder sum = new DoubleAdder();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
    server.createContext("/ingest", ex -> {
      try (InputStream in = ex.getRequestBody()) {
        double v = Double.parseDouble(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim());
        received.incrementAndGet();
        sum.add(v);
        ex.sendResponseHeaders(204, -1);
      } catch (NumberFormatException e) {
        byte[] msg = "body must be a number\n".getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(400, msg.length);
        ex.getResponseBody().write(msg);
      } finally {
        ex.close();
      }
    });
    server.start();
    System.out.println("consumer listening on 127.0.0.1:" + port);
    timer.scheduleAtFixedRate(() -> {
      long n = received.get();
      double mean = n == 0 ? 0 : sum.sum() / n;
      export(List.of(
          counter("consumer_items_received_total", "1", n),
          gauge("consumer_mean_value", "1", mean)));
      System.out.printf("consumer: %d readings received, mean %.2f%n", n, mean);
    }, exportEvery, exportEvery, TimeUnit.MILLISECONDS);
  }

  // ---- producer: sends readings, measures each request ----

  static void producer(ScheduledExecutorService timer, long exportEvery) {
    String target = System.getenv().getOrDefault("CONSUMER_URL", "http://127.0.0.1:18080/ingest");
    long every = longEnv("INTERVAL_MS", 200);
    AtomicLong sent = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    DoubleAdder latencyTotal = new DoubleAdder();
    AtomicLong latencyCount = new AtomicLong();
    System.out.println("producer sending to " + target + " every " + every + " ms");
    timer.scheduleAtFixedRate(() -> {
      double reading = 20 + 5 * Math.sin(System.nanoTime() / 1e10);
      long t0 = System.nanoTime();
      try {
        HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create(target))
            .timeout(Duration.ofSeconds(2))
            .POST(HttpRequest.BodyPublishers.ofString(Double.toString(reading))).build(),
            HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() / 100 == 2) {
          sent.incrementAndGet();
          latencyTotal.add((System.nanoTime() - t0) / 1e6);
          latencyCount.incrementAndGet();
        } else {
          errors.incrementAndGet();
        }
      } catch (IOException e) {
        // The consumer may not be up yet: count it and go on.
        errors.incrementAndGet();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, 0, every, TimeUnit.MILLISECONDS);
    timer.scheduleAtFixedRate(() -> {
      long n = latencyCount.getAndSet(0);
      double latency = n == 0 ? 0 : latencyTotal.sumThenReset() / n;
      export(List.of(
          counter("producer_items_sent_total", "1", sent.get()),
          counter("producer_send_errors_total", "1", errors.get()),
          gauge("producer_request_latency_ms", "ms", latency)));
      System.out.printf("producer: %d sent, %d errors, mean latency %.2f ms%n", sent.get(),
          errors.get(), latency);
    }, exportEvery, exportEvery, TimeUnit.MILLISECONDS);
  }

  // ---- OTLP/HTTP JSON, as the OpenTelemetry protocol defines it ----

  static String counter(String name, String unit, long value) {
    return "{\"name\":\"" + name + "\",\"unit\":\"" + unit + "\",\"sum\":{"
        + "\"aggregationTemporality\":2,\"isMonotonic\":true,\"dataPoints\":[{"
        + "\"startTimeUnixNano\":\"" + START_NANOS + "\",\"timeUnixNano\":\"" + nowNanos()
        + "\",\"asInt\":\"" + value + "\"}]}}";
  }

  static String gauge(String name, String unit, double value) {
    return "{\"name\":\"" + name + "\",\"unit\":\"" + unit + "\",\"gauge\":{\"dataPoints\":[{"
        + "\"timeUnixNano\":\"" + nowNanos() + "\",\"asDouble\":" + value + "}]}}";
  }

  static void export(List<String> metrics) {
    String endpoint = System.getenv("OTEL_EXPORTER_OTLP_ENDPOINT");
    if (endpoint == null || endpoint.isBlank()) {
      return; // nowhere to report
    }
    List<String> attrs = new ArrayList<>();
    resourceAttributes().forEach((k, v) -> attrs.add(
        "{\"key\":\"" + json(k) + "\",\"value\":{\"stringValue\":\"" + json(v) + "\"}}"));
    String body = "{\"resourceMetrics\":[{\"resource\":{\"attributes\":[" + String.join(",", attrs)
        + "]},\"scopeMetrics\":[{\"scope\":{\"name\":\"pipeline-app\",\"version\":\"1.0\"},"
        + "\"metrics\":[" + String.join(",", metrics) + "]}]}]}";
    String url = endpoint.replaceAll("/+$", "") + "/v1/metrics";
    try {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
          .timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json");
      // OTEL_EXPORTER_OTLP_HEADERS, as the SDKs read it: the node's token for this instance.
      keyValues("OTEL_EXPORTER_OTLP_HEADERS").forEach(request::header);
      HttpResponse<String> r = HTTP.send(
          request.POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2 || r.body().contains("rejected")) {
        System.err.println("OTLP export to " + url + ": HTTP " + r.statusCode() + " " + r.body());
      }
    } catch (IOException e) {
      System.err.println("OTLP export to " + url + " failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** An OTel variable of key=value,… pairs with %-encoded values. */
  static Map<String, String> keyValues(String variable) {
    Map<String, String> m = new LinkedHashMap<>();
    String text = System.getenv().getOrDefault(variable, "");
    for (String pair : text.split(",")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        m.put(pair.substring(0, eq).trim(),
            URLDecoder.decode(pair.substring(eq + 1).trim(), StandardCharsets.UTF_8));
      }
    }
    return m;
  }

  /** OTEL_RESOURCE_ATTRIBUTES plus OTEL_SERVICE_NAME. */
  static Map<String, String> resourceAttributes() {
    Map<String, String> m = keyValues("OTEL_RESOURCE_ATTRIBUTES");
    String service = System.getenv("OTEL_SERVICE_NAME");
    if (service != null && !service.isBlank()) {
      m.put("service.name", service);
    }
    return m;
  }

  static String json(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  static long nowNanos() {
    return System.currentTimeMillis() * 1_000_000L;
  }

  static long longEnv(String name, long dflt) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? dflt : Long.parseLong(v.trim());
  }
}
