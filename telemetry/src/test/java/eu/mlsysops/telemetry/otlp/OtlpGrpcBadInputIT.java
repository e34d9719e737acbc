package eu.mlsysops.telemetry.otlp;

import static eu.mlsysops.telemetry.otlp.Otlp.gauge;
import static eu.mlsysops.telemetry.otlp.Otlp.point;
import static eu.mlsysops.telemetry.otlp.Otlp.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import eu.mlsysops.telemetry.MetricStore;
import io.grpc.CallOptions;
import io.grpc.Codec;
import io.grpc.CompressorRegistry;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import java.io.ByteArrayInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bad input over real gRPC gets a clear status or a counted drop; the receiver keeps serving. */
class OtlpGrpcBadInputIT {
  private static final MethodDescriptor<byte[], byte[]> RAW_EXPORT =
      MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("opentelemetry.proto.collector.metrics.v1.MetricsService/Export")
          .setRequestMarshaller(new Bytes())
          .setResponseMarshaller(new Bytes())
          .build();

  private MetricStore store;
  private OtlpMetricsTranslator translator;
  private OtlpGrpcReceiver receiver;
  private ManagedChannel channel;
  private long good;

  @BeforeEach
  void start() {
    store = MetricStore.withDefaults(Clock.systemUTC());
    translator = OtlpMetricsTranslator.builder(store::append).build();
    receiver = OtlpGrpcReceiver.builder(translator).port(0).build().start();
    channel =
        NettyChannelBuilder.forAddress("127.0.0.1", receiver.port())
            .usePlaintext()
            .compressorRegistry(withBombCompressor())
            .build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    receiver.close();
  }

  @Test
  void malformedProtobufIsInvalidArgumentWithTheParsersMessage() {
    StatusRuntimeException e =
        rawCallFails(
            new byte[] {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 1, 2});

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription())
        .startsWith("malformed ExportMetricsServiceRequest: ");
    stillServes();
    assertThat(translator.counters().snapshot().badRequests()).isEqualTo(1);
  }

  @Test
  void truncatedMessageIsInvalidArgument() {
    byte[] whole = request(gauge("g", point(0, 1, "k", "a long enough value"))).toByteArray();

    StatusRuntimeException e = rawCallFails(Arrays.copyOf(whole, whole.length - 5));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).contains("input ended unexpectedly");
    stillServes();
  }

  @Test
  void messageOverTheLimitIsResourceExhausted() {
    StatusRuntimeException e = rawCallFails(new byte[5 * 1024 * 1024]);

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    stillServes();
    assertThat(translator.counters().snapshot().oversizedRequests()).isEqualTo(1);
  }

  @Test
  void gzipBombIsResourceExhausted() {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                ClientCalls.blockingUnaryCall(
                    channel,
                    RAW_EXPORT,
                    CallOptions.DEFAULT
                        .withCompression("gzip")
                        .withDeadlineAfter(30, TimeUnit.SECONDS),
                    new byte[] {0}));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(e.getStatus().getDescription()).contains("exceeds maximum size");
    stillServes();
  }

  @Test
  void nanInfiniteAndFutureValuesAreReportedAsPartialSuccess() {
    long future = (System.currentTimeMillis() + 3_600_000L) * 1_000_000L;
    ExportMetricsServiceRequest bad =
        request(
            gauge(
                "bad",
                point(0, Double.NaN, "i", "1"),
                point(0, Double.POSITIVE_INFINITY, "i", "2"),
                point(future, 1, "i", "3"),
                point(0, 4, "i", "4")));

    ExportMetricsServiceResponse r = MetricsServiceGrpc.newBlockingStub(channel).export(bad);

    assertThat(r.getPartialSuccess().getRejectedDataPoints()).isEqualTo(3);
    assertThat(r.getPartialSuccess().getErrorMessage())
        .isEqualTo(
            "1 data point rejected: value NaN for metric \"bad\"; 1 data point rejected: value +Inf"
                + " for metric \"bad\"; 1 data point rejected: timestamp more than 5 min in the"
                + " future for metric \"bad\"");
    assertThat(store.latest("bad", Map.of("i", "4"))).hasValue(4);
    stillServes();
    OtlpIngestStats s = translator.counters().snapshot();
    assertThat(s.rejectedNonFinite()).isEqualTo(2);
    assertThat(s.rejectedFutureTimestamp()).isEqualTo(1);
  }

  private StatusRuntimeException rawCallFails(byte[] body) {
    return catchThrowableOfType(
        StatusRuntimeException.class,
        () ->
            ClientCalls.blockingUnaryCall(
                channel,
                RAW_EXPORT,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                body));
  }

  /** A good gzipped request after the bad one is accepted and its value stored. */
  private void stillServes() {
    good++;
    ExportMetricsServiceResponse r =
        MetricsServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .export(request(gauge("good", point(0, good))));
    assertThat(r.hasPartialSuccess()).isFalse();
    assertThat(store.latest("good", Map.of())).hasValue(good);
  }

  /**
   * A registry whose "gzip" ignores the message and sends 1 GiB of compressed zeros instead, so a
   * tiny client-side message becomes a gzip bomb on the server. Good requests go uncompressed.
   */
  private static CompressorRegistry withBombCompressor() {
    CompressorRegistry r = CompressorRegistry.newEmptyInstance();
    r.register(Codec.Identity.NONE);
    r.register(
        new io.grpc.Compressor() {
          @Override
          public String getMessageEncoding() {
            return "gzip";
          }

          @Override
          public OutputStream compress(OutputStream os) {
            return new FilterOutputStream(os) {
              @Override
              public void write(int b) {}

              @Override
              public void write(byte[] b, int off, int len) {}

              @Override
              public void close() throws IOException {
                out.write(GzipBomb.oneGibOfZeros());
                out.close();
              }
            };
          }
        });
    return r;
  }

  private static final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }
}
