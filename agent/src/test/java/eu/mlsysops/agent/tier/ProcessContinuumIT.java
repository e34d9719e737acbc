package eu.mlsysops.agent.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.model.ParseResult;
import eu.mlsysops.orchestration.process.InstanceUsage;
import eu.mlsysops.orchestration.process.ProcessRuntime;
import eu.mlsysops.protocol.Message;
import eu.mlsysops.telemetry.TelemetryQuery;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code mls up --runtime process} runs: the embedded continuum with every node a process
 * runtime, the OTLP receivers bound first, and the example app of {@code examples/process-app}
 * deployed. Its two Java programs really talk over HTTP and their OTLP metrics arrive in the
 * telemetry of the nodes they run on.
 */
class ProcessContinuumIT {
  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  @TempDir Path dataDir;
  private EmbeddedContinuum continuum;
  private OtlpEndpoints otlp;

  @AfterEach
  void tearDown() {
    if (otlp != null) {
      otlp.close();
    }
    if (continuum != null) {
      continuum.close();
    }
  }

  /** The example app, its consumer on a free port (18080 may be taken on a build machine). */
  private static AppDescriptor exampleApp() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String text = Files.readString(REPO.resolve("examples/process-app/app.yaml"))
        .replace("18080", Integer.toString(port));
    ParseResult r = Descriptors.parse(text, "app.yaml", ParseOptions.DEFAULT);
    assertThat(r.errors()).isEmpty();
    return r.ofType(AppDescriptor.class).get(0);
  }

  private Optional<Message.InstanceReport> running(String component) {
    return continuum.continuum().app("pipeline").stream()
        .flatMap(a -> a.components().stream())
        .filter(c -> c.name().equals(component))
        .flatMap(c -> c.instances().stream())
        .filter(i -> i.state().equals("RUNNING"))
        .findFirst();
  }

  @Test
  void theExampleAppRunsAsRealProcessesAndItsOtlpMetricsReachItsNodes() throws Exception {
    continuum = EmbeddedContinuum.builder(dataDir)
        .runtime(EmbeddedContinuum.RuntimeKind.PROCESS)
        .workingDirectory(REPO)
        .build();
    // Receivers that ask for tokens: the runtime gives each instance its own.
    otlp = OtlpEndpoints.start(continuum, "127.0.0.1", 0, 0,
        eu.mlsysops.telemetry.otlp.OtlpCredentials.randomTokens());
    assertThat(otlp.problems()).isEmpty();
    continuum.start();
    assertThat(continuum.cgroups()).isPresent();
    await().atMost(30, TimeUnit.SECONDS).until(() -> continuum.continuum().clusters().stream()
        .mapToInt(c -> c.nodes().size()).sum() == 8);

    continuum.continuum().deploy(exampleApp());

    await().atMost(60, TimeUnit.SECONDS)
        .until(() -> running("consumer").isPresent() && running("producer").isPresent());
    String consumerNode = running("consumer").orElseThrow().node();
    String producerNode = running("producer").orElseThrow().node();
    assertThat(consumerNode).startsWith("cloud-");
    assertThat(producerNode).startsWith("edge-");

    // The programs' own metrics, sent with OTLP/HTTP JSON to the endpoint the runtime injected,
    // labelled with where they run: the producer's readings were received by the consumer.
    TelemetryQuery nodes = continuum.telemetry("node");
    await().atMost(90, TimeUnit.SECONDS).until(() -> nodes.latest("consumer_items_received_total",
        Map.of("node", consumerNode, "app", "pipeline", "component", "consumer")).orElse(0) > 0);
    await().atMost(30, TimeUnit.SECONDS).until(() -> nodes.latest("producer_items_sent_total",
        Map.of("node", producerNode, "app", "pipeline", "component", "producer")).orElse(0) > 0);
    assertThat(continuum.nodes().get(consumerNode).telemetry()
        .latest("consumer_items_received_total", Map.of("service.name", "consumer"))).isPresent();
    assertThat(nodes.latest("producer_request_latency_ms", Map.of("node", producerNode)))
        .isPresent();
    // The nodes share this host's CPUs: none has a frequency knob of its own to pretend with.
    assertThat(continuum.mechanisms()).filteredOn(m -> m.agent().equals(consumerNode)
        && m.name().equals("cpu_frequency")).singleElement()
        .satisfies(m -> assertThat(((Map<?, ?>) m.state()).get("available")).isEqualTo(false));
    // Without a token nothing gets in, however it labels itself.
    java.net.http.HttpResponse<String> anonymous = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
            + otlp.httpPort().getAsInt() + "/v1/metrics"))
            .header("Content-Type", "application/json")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"resourceMetrics\":[]}"))
            .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(401);

    // The runtime's own figures of the processes, from /proc.
    ProcessRuntime producerRuntime = continuum.processRuntime(producerNode).orElseThrow();
    await().atMost(30, TimeUnit.SECONDS).until(() -> nodes.latest("component_memory_bytes",
        Map.of("node", producerNode, "component", "producer")).orElse(0) > 0);
    List<Long> pids = new ArrayList<>();
    for (String node : List.of(producerNode, consumerNode)) {
      for (InstanceUsage u : continuum.processRuntime(node).orElseThrow().usage()) {
        pids.addAll(u.pids());
      }
    }
    // And this machine's figures, as each node is this machine.
    await().atMost(30, TimeUnit.SECONDS).until(() -> nodes.latest(
        "node_memory_MemAvailable_bytes", Map.of("node", producerNode)).orElse(0) > 0);
    assertThat(pids).hasSizeGreaterThanOrEqualTo(2).allMatch(p -> ProcessHandle.of(p).isPresent());

    // Output captured per instance under the data dir.
    String instance = running("producer").orElseThrow().instanceId();
    Path stdout = producerRuntime.logDirectory(instance).resolve("stdout.log");
    assertThat(stdout).startsWith(dataDir.resolve("logs").resolve(producerNode));
    await().atMost(30, TimeUnit.SECONDS).until(() -> Files.exists(stdout)
        && Files.readString(stdout).contains("producer sending to http://127.0.0.1:"));

    continuum.close();
    continuum = null;
    // SIGTERM first: a JVM child may take a moment to exit (SIGKILL follows after the grace).
    await().atMost(15, TimeUnit.SECONDS).until(() -> pids.stream()
        .noneMatch(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false)));
  }
}
