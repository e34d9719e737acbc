package eu.mlsysops.bench;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load for the OTLP ingest benchmark, run as its own process so that the receiver's figures are
 * not flattered by sharing a JVM with its client. Sends OTLP/gRPC metric exports as fast as the
 * receiver takes them, with a bounded number of requests in flight.
 *
 * <p>Requests are serialised once, as templates; each round copies a template and rewrites its
 * fixed64 timestamps in place (their byte offsets are found once), so the generator spends its CPU
 * on the wire rather than on protobuf encoding, and every round carries newer timestamps that the
 * store accepts.
 *
 * <p>Usage: {@code OtlpLoadGenerator HOST:PORT SERIES POINTS_PER_REQUEST SECONDS IN_FLIGHT}. Prints
 * one line: {@code sent=… accepted=… rejected=… seconds=… points_per_second=…}.
 */
public final class OtlpLoadGenerator {
  private static final String METHOD = "opentelemetry.proto.collector.metrics.v1.MetricsService/Export";
  /** A timestamp no real request carries, to find the timestamp fields in the serialised bytes. */
  private static final long SENTINEL = 0x7A5B3C1D2E4F6071L;

  private OtlpLoadGenerator() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println("usage: OtlpLoadGenerator HOST:PORT SERIES POINTS_PER_REQUEST SECONDS IN_FLIGHT");
      System.exit(2);
    }
    String target = args[0];
    int series = Integer.parseInt(args[1]);
    int perRequest = Integer.parseInt(args[2]);
    double seconds = Double.parseDouble(args[3]);
    int inFlight = Integer.parseInt(args[4]);

    List<Template> templates = templates(series, perRequest);
    ManagedChannel channel = NettyChannelBuilder.forTarget(target).usePlaintext()
        .maxInboundMessageSize(16 << 20).build();
    MethodDescriptor<byte[], byte[]> method = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName(METHOD)
        .setRequestMarshaller(new BytesMarshaller()).setResponseMarshaller(new BytesMarshaller())
        .build();

    Semaphore window = new Semaphore(inFlight);
    AtomicLong sent = new AtomicLong();
    AtomicLong rejected = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long baseNanos = System.currentTimeMillis() * 1_000_000L;
    long start = System.nanoTime();
    long deadline = start + (long) (seconds * 1e9);
    long round = 0;
    while (System.nanoTime() < deadline) {
      // 1 ms per round: timestamps advance, but never run ahead of the wall clock at these rates.
      long ts = baseNanos + round * 1_000_000L;
      for (Template t : templates) {
        byte[] body = t.withTimestamp(ts);
        window.acquire();
        ClientCalls.asyncUnaryCall(channel.newCall(method, CallOptions.DEFAULT), body,
            new StreamObserver<>() {
              @Override
              public void onNext(byte[] value) {
                try {
                  ExportMetricsServiceResponse r = ExportMetricsServiceResponse.parseFrom(value);
                  rejected.addAndGet(r.getPartialSuccess().getRejectedDataPoints());
                } catch (IOException e) {
                  failed.incrementAndGet();
                }
              }

              @Override
              public void onError(Throwable t) {
                failed.addAndGet(1);
                window.release();
              }

              @Override
              public void onCompleted() {
                sent.addAndGet(t.points);
                window.release();
              }
            });
      }
      round++;
    }
    window.acquire(inFlight);
    double elapsed = (System.nanoTime() - start) / 1e9;
    channel.shutdown().awaitTermination(5, TimeUnit.SECONDS);
    long acked = sent.get();
    System.out.printf(Locale.ROOT,
        "sent=%d accepted=%d rejected=%d failed_requests=%d seconds=%.2f points_per_second=%.0f"
            + " cpu_seconds=%.1f%n",
        acked, acked - rejected.get(), rejected.get(), failed.get(), elapsed, acked / elapsed,
        ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime() / 1e9);
  }

  /** {@code series} gauges split over requests of {@code perRequest} points, 10 metrics each. */
  static List<Template> templates(int series, int perRequest) {
    List<Template> out = new ArrayList<>();
    int metrics = 10;
    for (int first = 0; first < series; first += perRequest) {
      int n = Math.min(perRequest, series - first);
      ScopeMetrics.Builder scope = ScopeMetrics.newBuilder()
          .setScope(InstrumentationScope.newBuilder().setName("loadgen").setVersion("1"));
      for (int m = 0; m < metrics; m++) {
        Gauge.Builder g = Gauge.newBuilder();
        for (int i = first + m; i < first + n; i += metrics) {
          g.addDataPoints(NumberDataPoint.newBuilder()
              .setTimeUnixNano(SENTINEL)
              .setAsDouble(i % 100)
              .addAttributes(kv("series", "s" + i))
              .addAttributes(kv("component", "c" + (i % 20))));
        }
        scope.addMetrics(Metric.newBuilder().setName("bench_metric_" + m).setUnit("1").setGauge(g));
      }
      ExportMetricsServiceRequest req = ExportMetricsServiceRequest.newBuilder()
          .addResourceMetrics(ResourceMetrics.newBuilder()
              .setResource(Resource.newBuilder()
                  .addAttributes(kv("service.name", "loadgen"))
                  .addAttributes(kv("mlsysops.node", "bench-node"))
                  .addAttributes(kv("mlsysops.app", "bench")))
              .addScopeMetrics(scope))
          .build();
      out.add(new Template(req.toByteArray(), n));
    }
    return out;
  }

  private static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  /** A serialised request and where its timestamps are. */
  static final class Template {
    final byte[] bytes;
    final int points;
    final int[] offsets;

    Template(byte[] bytes, int points) {
      this.bytes = bytes;
      this.points = points;
      List<Integer> found = new ArrayList<>();
      for (int i = 0; i + 8 <= bytes.length; i++) {
        if (readLong(bytes, i) == SENTINEL) {
          found.add(i);
          i += 7;
        }
      }
      if (found.size() != points) {
        throw new IllegalStateException("found " + found.size() + " timestamps, expected " + points);
      }
      offsets = found.stream().mapToInt(Integer::intValue).toArray();
    }

    byte[] withTimestamp(long nanos) {
      byte[] copy = bytes.clone();
      for (int off : offsets) {
        for (int b = 0; b < 8; b++) {
          copy[off + b] = (byte) (nanos >>> (8 * b)); // fixed64 is little-endian
        }
      }
      return copy;
    }

    private static long readLong(byte[] a, int off) {
      long v = 0;
      for (int b = 7; b >= 0; b--) {
        v = (v << 8) | (a[off + b] & 0xFF);
      }
      return v;
    }
  }

  /** Passes bytes through: the templates are already serialised. */
  static final class BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
