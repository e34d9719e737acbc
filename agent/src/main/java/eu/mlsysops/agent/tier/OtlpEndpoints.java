package eu.mlsysops.agent.tier;

import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.orchestration.process.TelemetryEndpoint;
import eu.mlsysops.telemetry.MetricMetadata;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.SampleBatch;
import eu.mlsysops.telemetry.SampleSink;
import eu.mlsysops.telemetry.TelemetryQuery;
import eu.mlsysops.telemetry.UnionQuery;
import eu.mlsysops.telemetry.otlp.OtlpCredentials;
import eu.mlsysops.telemetry.otlp.OtlpGrpcExporter;
import eu.mlsysops.telemetry.otlp.OtlpGrpcReceiver;
import eu.mlsysops.telemetry.otlp.OtlpHttpReceiver;
import eu.mlsysops.telemetry.otlp.OtlpIngestStats;
import eu.mlsysops.telemetry.otlp.OtlpMetricsTranslator;
import eu.mlsysops.telemetry.otlp.PeriodicMetricExport;
import eu.mlsysops.telemetry.otlp.RecentSignals;
import eu.mlsysops.telemetry.otlp.SignalForwarder;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import eu.mlsysops.telemetry.prometheus.PrometheusExposition;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The OTLP receivers of an embedded continuum: one gRPC and one HTTP endpoint for the whole
 * process, each sample delivered to the node agent its {@code node} label names (apps say which
 * node they run on with the resource attribute {@code mlsysops.node}, which the runtime sets in
 * {@code OTEL_RESOURCE_ATTRIBUTES}). Series that name no node of the continuum are refused and
 * reported in the response's partial success. Once started, the continuum's process runtimes point
 * the apps they start at these receivers. Logs and spans are kept in a bounded buffer of
 * recent signals. The HTTP endpoint also serves Prometheus text on {@code /metrics}: what the node
 * agents hold (their health metrics included) and the receivers' own counters ({@code
 * otlp_requests_total}, {@code otlp_points_rejected_total{reason}}, …), as node-exporter serves a
 * host's figures, without a token (the OTLP ports take data without one too; bind them to a trusted
 * network).
 *
 * <p>A port that cannot be bound does not stop the continuum: the endpoint is left off and the
 * reason is kept in {@link #problems()}, for {@code mls up} to print.
 */
public final class OtlpEndpoints implements AutoCloseable {
  private final RecentSignals signals = new RecentSignals(1000);
  /** Logs and spans go to the recent-signals buffer and, once {@link #exportTo} ran, outside. */
  private volatile SignalForwarder forwarder = signals;
  /** Who may read {@code GET /metrics} on a receiver bound off loopback (nobody by default). */
  private volatile java.util.function.Predicate<String> readers = authorization -> false;
  private final EmbeddedContinuum continuum;
  private OtlpGrpcExporter exporter;
  private PeriodicMetricExport periodicExport;
  private final OtlpMetricsTranslator translator;
  private final MetricStore receiverHealth;
  private final java.time.Clock clock;
  private final List<String> problems = new ArrayList<>();
  private OtlpGrpcReceiver grpc;
  private OtlpHttpReceiver http;

  private OtlpEndpoints(EmbeddedContinuum continuum) {
    this.continuum = continuum;
    Map<String, NodeAgent> nodes = continuum.nodes();
    this.clock = continuum.clock();
    this.receiverHealth = MetricStore.builder().clock(clock).maxSeries(100).build();
    this.translator = OtlpMetricsTranslator.builder(new NodeRouter(nodes)).clock(clock)
        .seriesLimitDescription("the node's series limit is reached")
        .build();
  }

  /**
   * Starts the receivers.
   *
   * @param continuum whose node agents take the samples
   * @param bind address to listen on
   * @param grpcPort OTLP/gRPC port (4317 by convention; 0 picks a free one; negative: off)
   * @param httpPort OTLP/HTTP port (4318 by convention; 0 picks a free one; negative: off)
   */
  public static OtlpEndpoints start(EmbeddedContinuum continuum, String bind, int grpcPort,
      int httpPort) {
    return start(continuum, bind, grpcPort, httpPort, OtlpCredentials.anyone());
  }

  /**
   * As {@link #start(EmbeddedContinuum, String, int, int)}, with receivers that ask for tokens
   * minted by {@code credentials} unless it is {@link OtlpCredentials#anyone}; the process
   * runtimes give each instance they start its own.
   */
  public static OtlpEndpoints start(EmbeddedContinuum continuum, String bind, int grpcPort,
      int httpPort, OtlpCredentials credentials) {
    Objects.requireNonNull(continuum, "continuum");
    OtlpEndpoints e = new OtlpEndpoints(continuum);
    SignalForwarder signals = new SignalForwarder() {
      @Override
      public boolean forward(ExportLogsServiceRequest request) {
        return e.forwarder.forward(request);
      }

      @Override
      public boolean forward(ExportTraceServiceRequest request) {
        return e.forwarder.forward(request);
      }
    };
    if (grpcPort >= 0) {
      try {
        e.grpc = OtlpGrpcReceiver.builder(e.translator).bindAddress(bind).port(grpcPort)
            .credentials(credentials).signals(signals).build().start();
      } catch (UncheckedIOException ex) {
        e.problems.add("OTLP/gRPC receiver not started: " + ex.getMessage()
            + " (choose another port with --otlp-grpc-port)");
      }
    }
    if (httpPort >= 0) {
      try {
        UnionQuery scraped = new UnionQuery(
            () -> List.of(continuum.telemetry("node"), e.receiverHealth));
        // The scrape route shows every tenant's series: off loopback, or on a host where tenants'
        // instances run as local processes (they reach loopback too), only to those who may read
        // them all through the API (authorizeReads), nobody until then.
        boolean open = eu.mlsysops.telemetry.otlp.OtlpAuthMode.loopback(bind)
            && continuum.runtimeKind() != EmbeddedContinuum.RuntimeKind.PROCESS;
        e.http = OtlpHttpReceiver.builder(e.translator).bindAddress(bind).port(httpPort)
            .credentials(credentials).signals(signals)
            .readers(authorization -> open || e.readers.test(authorization))
            .metricsEndpoint(() -> {
              e.recordHealth();
              return PrometheusExposition.of(scraped).render();
            })
            .build().start();
      } catch (UncheckedIOException ex) {
        e.problems.add("OTLP/HTTP receiver not started: " + ex.getMessage()
            + " (choose another port with --otlp-http-port)");
      }
    }
    if (e.grpc != null || e.http != null) {
      // Apps started by process runtimes from now on report here.
      continuum.telemetryEndpoint(TelemetryEndpoint.boundTo(bind,
          e.grpc == null ? -1 : e.grpc.port(), e.http == null ? -1 : e.http.port())
          .withCredentials(credentials));
    }
    return e;
  }

  /** The bound OTLP/gRPC port, when that receiver runs. */
  public OptionalInt grpcPort() {
    return grpc == null ? OptionalInt.empty() : OptionalInt.of(grpc.port());
  }

  /** The bound OTLP/HTTP port, when that receiver runs. */
  public OptionalInt httpPort() {
    return http == null ? OptionalInt.empty() : OptionalInt.of(http.port());
  }

  /** Why a receiver is not running, one line each. */
  public List<String> problems() {
    return List.copyOf(problems);
  }

  /** What the receivers took and refused so far. */
  public OtlpIngestStats stats() {
    return translator.counters().snapshot();
  }

  /**
   * Also sends telemetry to an external OTLP/gRPC endpoint (a collector, a backend): every
   * {@code interval} the newest samples of one tier's stores, and every log and span received
   * from now on. Call once.
   *
   * @param target {@code host:port} of the endpoint (plaintext gRPC)
   * @param tier whose stores to export: {@code continuum}, {@code cluster} or {@code node}
   */
  public synchronized void exportTo(String target, String tier, Duration interval) {
    if (exporter != null) {
      throw new IllegalStateException("already exporting");
    }
    UnionQuery source = continuum.telemetry(tier);
    exporter = OtlpGrpcExporter.builder(target).build();
    periodicExport = PeriodicMetricExport.start(source, exporter, tier, clock, interval);
    forwarder = SignalForwarder.fanOut(signals, exporter);
  }

  /**
   * Lets those {@code authorized} judges (by the request's {@code Authorization} header, null
   * when absent) read {@code GET /metrics} on the OTLP/HTTP port when it is bound off loopback:
   * the northbound API's viewers and admins, who may read every tenant's series there too. On
   * loopback that route needs no token.
   */
  public void authorizeReads(java.util.function.Predicate<String> authorized) {
    this.readers = Objects.requireNonNull(authorized, "authorized");
  }

  /** The external exporter's counts, when {@link #exportTo} ran. */
  public Optional<OtlpGrpcExporter.Stats> exportStats() {
    OtlpGrpcExporter x = exporter;
    return x == null ? Optional.empty() : Optional.of(x.stats());
  }

  /** The receivers' counters as samples, refreshed when read (on every scrape). */
  public TelemetryQuery receiverHealth() {
    recordHealth();
    return receiverHealth;
  }

  private void recordHealth() {
    long now = clock.millis();
    for (Sample s : stats().toSamples(Labels.of("agent", "otlp-receiver"), now)) {
      receiverHealth.accept(s);
    }
  }

  /** The logs and spans received lately. */
  public RecentSignals signals() {
    return signals;
  }

  @Override
  public synchronized void close() {
    if (periodicExport != null) {
      periodicExport.close();
      exporter.close();
    }
    if (grpc != null) {
      grpc.close();
    }
    if (http != null) {
      http.close();
    }
  }

  /** Delivers each sample to the node agent its {@code node} label names. */
  private record NodeRouter(Map<String, NodeAgent> nodes) implements SampleSink {
    @Override
    public boolean accept(Sample sample) {
      return offer(sample) == null;
    }

    @Override
    public SampleBatch.Refusal offer(Sample sample) {
      String node = sample.labels().get("node");
      NodeAgent agent = node == null ? null : nodes.get(node);
      if (agent == null) {
        return SampleBatch.Refusal.NO_DESTINATION;
      }
      return agent.offer(sample);
    }

    @Override
    public void describe(String metric, MetricMetadata metadata) {
      for (NodeAgent agent : nodes.values()) {
        agent.sink().describe(metric, metadata);
      }
    }
  }
}
