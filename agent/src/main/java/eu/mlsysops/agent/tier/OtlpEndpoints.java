package eu.mlsysops.agent.tier;

import eu.mlsysops.orchestration.process.TelemetryEndpoint;
import eu.mlsysops.telemetry.MetricMetadata;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.SampleSink;
import eu.mlsysops.telemetry.otlp.OtlpGrpcReceiver;
import eu.mlsysops.telemetry.otlp.OtlpHttpReceiver;
import eu.mlsysops.telemetry.otlp.OtlpIngestStats;
import eu.mlsysops.telemetry.otlp.OtlpMetricsTranslator;
import eu.mlsysops.telemetry.otlp.RecentSignals;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * The OTLP receivers of an embedded continuum: one gRPC and one HTTP endpoint for the whole
 * process, each sample delivered to the node agent its {@code node} label names (apps say which
 * node they run on with the resource attribute {@code mlsysops.node}, which the runtime sets in
 * {@code OTEL_RESOURCE_ATTRIBUTES}). Series that name no node of the continuum are refused and
 * reported in the response's partial success. Once started, the continuum's process runtimes point
 * the apps they start at these receivers. Logs and spans are kept in a bounded buffer of
 * recent signals. The HTTP endpoint also serves Prometheus text on {@code /metrics} when given.
 *
 * <p>A port that cannot be bound does not stop the continuum: the endpoint is left off and the
 * reason is kept in {@link #problems()}, for {@code mls up} to print.
 */
public final class OtlpEndpoints implements AutoCloseable {
  private final RecentSignals signals = new RecentSignals(1000);
  private final OtlpMetricsTranslator translator;
  private final List<String> problems = new ArrayList<>();
  private OtlpGrpcReceiver grpc;
  private OtlpHttpReceiver http;

  private OtlpEndpoints(Map<String, NodeAgent> nodes, java.time.Clock clock) {
    this.translator = OtlpMetricsTranslator.builder(new NodeRouter(nodes)).clock(clock)
        .seriesLimitDescription("the series names no node of this continuum (set the resource"
            + " attribute mlsysops.node) or the node's series limit is reached")
        .build();
  }

  /**
   * Starts the receivers.
   *
   * @param continuum whose node agents take the samples
   * @param bind address to listen on
   * @param grpcPort OTLP/gRPC port (4317 by convention; 0 picks a free one; negative: off)
   * @param httpPort OTLP/HTTP port (4318 by convention; 0 picks a free one; negative: off)
   * @param metricsText Prometheus text for {@code GET /metrics} on the HTTP port, or null
   */
  public static OtlpEndpoints start(EmbeddedContinuum continuum, String bind, int grpcPort,
      int httpPort, Supplier<String> metricsText) {
    Objects.requireNonNull(continuum, "continuum");
    OtlpEndpoints e = new OtlpEndpoints(continuum.nodes(), continuum.clock());
    if (grpcPort >= 0) {
      try {
        e.grpc = OtlpGrpcReceiver.builder(e.translator).bindAddress(bind).port(grpcPort)
            .signals(e.signals).build().start();
      } catch (UncheckedIOException ex) {
        e.problems.add("OTLP/gRPC receiver not started: " + ex.getMessage()
            + " (choose another port with --otlp-grpc-port)");
      }
    }
    if (httpPort >= 0) {
      try {
        OtlpHttpReceiver.Builder b = OtlpHttpReceiver.builder(e.translator).bindAddress(bind)
            .port(httpPort).signals(e.signals);
        if (metricsText != null) {
          b.metricsEndpoint(metricsText);
        }
        e.http = b.build().start();
      } catch (UncheckedIOException ex) {
        e.problems.add("OTLP/HTTP receiver not started: " + ex.getMessage()
            + " (choose another port with --otlp-http-port)");
      }
    }
    if (e.grpc != null || e.http != null) {
      // Apps started by process runtimes from now on report here.
      continuum.telemetryEndpoint(TelemetryEndpoint.boundTo(bind,
          e.grpc == null ? -1 : e.grpc.port(), e.http == null ? -1 : e.http.port()));
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

  /** The logs and spans received lately. */
  public RecentSignals signals() {
    return signals;
  }

  @Override
  public void close() {
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
      String node = sample.labels().get("node");
      NodeAgent agent = node == null ? null : nodes.get(node);
      return agent != null && agent.ingest(sample);
    }

    @Override
    public void describe(String metric, MetricMetadata metadata) {
      for (NodeAgent agent : nodes.values()) {
        agent.sink().describe(metric, metadata);
      }
    }
  }
}
