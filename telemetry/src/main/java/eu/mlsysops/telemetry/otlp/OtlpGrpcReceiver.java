package eu.mlsysops.telemetry.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OTLP/gRPC receiver: serves {@code MetricsService/Export}, {@code LogsService/Export} and {@code
 * TraceService/Export} under their standard full method names ({@code
 * opentelemetry.proto.collector.metrics.v1.MetricsService/Export}, …). Metrics go to an {@link
 * OtlpMetricsTranslator}, logs and traces to a {@link SignalForwarder}.
 *
 * <p>Errors: a message over the size limit (after gzip decompression too) fails with {@code
 * RESOURCE_EXHAUSTED}; a message that is not valid protobuf with {@code INVALID_ARGUMENT} and the
 * parser's description; rejected points are reported in the response's {@code partial_success}.
 * Clients may gzip requests.
 *
 * <pre>{@code
 * try (OtlpGrpcReceiver r = OtlpGrpcReceiver.builder(translator).port(0).build().start()) {
 *   int port = r.port();
 * }
 * }</pre>
 */
public final class OtlpGrpcReceiver implements AutoCloseable {
  /** The OTLP/gRPC default port. */
  public static final int DEFAULT_PORT = 4317;

  private static final Logger LOG = LoggerFactory.getLogger(OtlpGrpcReceiver.class);
  private static final MethodDescriptor.Marshaller<byte[]> RESPONSE = new ResponseMarshaller();
  private static final MethodDescriptor.Marshaller<Body> REQUEST = new RequestMarshaller();

  private final SignalIngest ingest;
  private final String bindAddress;
  private final int requestedPort;
  private final int maxMessageBytes;
  private final Executor executor;
  private final ExecutorService ownedExecutor;
  private final OtlpCredentials credentials;
  private Server server;

  private OtlpGrpcReceiver(Builder b) {
    this.ingest = new SignalIngest(b.translator, b.signals);
    this.bindAddress = b.bindAddress;
    this.requestedPort = b.port;
    this.maxMessageBytes = b.maxMessageBytes;
    this.credentials = b.credentials;
    if (b.executor != null) {
      this.executor = b.executor;
      this.ownedExecutor = null;
    } else {
      int n = Math.max(2, Runtime.getRuntime().availableProcessors());
      AtomicInteger seq = new AtomicInteger();
      this.ownedExecutor =
          new ThreadPoolExecutor(
              n,
              n,
              60,
              TimeUnit.SECONDS,
              new LinkedBlockingQueue<>(),
              r -> {
                Thread t = new Thread(r, "otlp-grpc-" + seq.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
      this.executor = ownedExecutor;
    }
  }

  /**
   * A builder for a receiver feeding {@code translator}. Defaults: bind 127.0.0.1, port {@value
   * #DEFAULT_PORT}, messages up to 4 MiB, a fixed pool of one thread per core (at least two), and a
   * {@link RecentSignals} of 1,000 entries for logs and traces.
   */
  public static Builder builder(OtlpMetricsTranslator translator) {
    return new Builder(translator);
  }

  /**
   * Starts listening.
   *
   * @throws UncheckedIOException when the address or port cannot be bound
   */
  public synchronized OtlpGrpcReceiver start() {
    if (server != null) {
      throw new IllegalStateException("already started");
    }
    OtlpIngestCounters c = ingest.counters;
    Server s =
        NettyServerBuilder.forAddress(new InetSocketAddress(bindAddress, requestedPort))
            .maxInboundMessageSize(maxMessageBytes)
            .executor(executor)
            .addStreamTracerFactory(new OversizeCounter(c))
            .intercept(new Authentication(credentials))
            .addService(
                service(
                    MetricsServiceGrpc.SERVICE_NAME,
                    MetricsServiceGrpc.getExportMethod(),
                    ingest::metrics,
                    c.metricsRequests))
            .addService(
                service(
                    LogsServiceGrpc.SERVICE_NAME,
                    LogsServiceGrpc.getExportMethod(),
                    (bytes, source) -> ingest.logs(ExportLogsServiceRequest.parseFrom(bytes)),
                    c.logsRequests))
            .addService(
                service(
                    TraceServiceGrpc.SERVICE_NAME,
                    TraceServiceGrpc.getExportMethod(),
                    (bytes, source) -> ingest.traces(ExportTraceServiceRequest.parseFrom(bytes)),
                    c.traceRequests))
            .build();
    try {
      s.start();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot listen for OTLP/gRPC on " + bindAddress + ":" + requestedPort, e);
    }
    server = s;
    return this;
  }

  /** The port listened on (the actual one when built with port 0). */
  public synchronized int port() {
    if (server == null) {
      throw new IllegalStateException("not started");
    }
    return server.getPort();
  }

  /** Where logs and traces go. */
  public SignalForwarder signals() {
    return ingest.forwarder;
  }

  /** Stops accepting calls, lets running ones finish for up to 5 s, then stops. */
  @Override
  public synchronized void close() {
    if (server != null) {
      server.shutdown();
      try {
        if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
          server.shutdownNow();
        }
      } catch (InterruptedException e) {
        server.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
    if (ownedExecutor != null) {
      ownedExecutor.shutdownNow();
    }
  }

  /**
   * The service with its Export method taking raw bytes: parsing here turns malformed input into
   * {@code INVALID_ARGUMENT} with the parser's message, where a protobuf marshaller would make it
   * an opaque {@code INTERNAL}.
   */
  private ServerServiceDefinition service(
      String serviceName, MethodDescriptor<?, ?> standard, Handler handle, LongAdder requests) {
    LongAdder bad = ingest.counters.badRequests;
    MethodDescriptor<Body, byte[]> method =
        MethodDescriptor.<Body, byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(standard.getFullMethodName())
            .setRequestMarshaller(REQUEST)
            .setResponseMarshaller(RESPONSE)
            .build();
    String what = standard.getFullMethodName();
    return ServerServiceDefinition.builder(serviceName)
        .addMethod(
            method,
            ServerCalls.asyncUnaryCall(
                (Body body, StreamObserver<byte[]> out) -> {
                  requests.increment();
                  if (body.failure != null) { // counted by OversizeCounter when RESOURCE_EXHAUSTED
                    out.onError(body.failure.asRuntimeException());
                    return;
                  }
                  OtlpCredentials.Source source = Authentication.SOURCE.get();
                  if (source == null) {
                    ingest.counters.unauthenticatedRequests.increment();
                    out.onError(Status.UNAUTHENTICATED.withDescription(
                        SignalIngest.UNAUTHENTICATED).asRuntimeException());
                    return;
                  }
                  byte[] response;
                  try {
                    response = handle.apply(body.bytes, source).toByteArray();
                  } catch (InvalidProtocolBufferException e) {
                    bad.increment();
                    out.onError(
                        Status.INVALID_ARGUMENT
                            .withDescription(
                                "malformed " + messageName(what) + ": " + e.getMessage())
                            .asRuntimeException());
                    return;
                  } catch (RuntimeException e) {
                    LOG.error("handling {} failed", what, e);
                    out.onError(
                        Status.INTERNAL
                            .withDescription(
                                "the receiver failed to handle this request; see its log")
                            .asRuntimeException());
                    return;
                  }
                  out.onNext(response);
                  out.onCompleted();
                }))
        .build();
  }

  private static String messageName(String fullMethodName) {
    if (fullMethodName.contains(".metrics.")) {
      return "ExportMetricsServiceRequest";
    }
    return fullMethodName.contains(".logs.")
        ? "ExportLogsServiceRequest"
        : "ExportTraceServiceRequest";
  }

  /** Parses and handles one request message; fails only for a malformed one. */
  @FunctionalInterface
  private interface Handler {
    MessageLite apply(byte[] bytes, OtlpCredentials.Source source)
        throws InvalidProtocolBufferException;
  }

  /** Reads the call's bearer token into {@link #SOURCE}: null when it is missing or forged. */
  private static final class Authentication implements io.grpc.ServerInterceptor {
    static final io.grpc.Context.Key<OtlpCredentials.Source> SOURCE =
        io.grpc.Context.key("mlsysops-otlp-source");
    private static final Metadata.Key<String> AUTHORIZATION =
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private final OtlpCredentials credentials;

    Authentication(OtlpCredentials credentials) {
      this.credentials = credentials;
    }

    @Override
    public <ReqT, RespT> io.grpc.ServerCall.Listener<ReqT> interceptCall(
        io.grpc.ServerCall<ReqT, RespT> call, Metadata headers,
        io.grpc.ServerCallHandler<ReqT, RespT> next) {
      OtlpCredentials.Source source = credentials.verify(headers.get(AUTHORIZATION)).orElse(null);
      return io.grpc.Contexts.interceptCall(
          io.grpc.Context.current().withValue(SOURCE, source), call, headers, next);
    }
  }

  /** Counts calls that grpc closed with RESOURCE_EXHAUSTED (only the size limit does that here). */
  private static final class OversizeCounter extends ServerStreamTracer.Factory {
    private final OtlpIngestCounters counters;

    OversizeCounter(OtlpIngestCounters counters) {
      this.counters = counters;
    }

    @Override
    public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
      return new ServerStreamTracer() {
        @Override
        public void streamClosed(Status status) {
          if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
            counters.oversizedRequests.increment();
          }
        }
      };
    }
  }

  /** A request message as bytes, or why it could not be read. */
  private record Body(byte[] bytes, Status failure) {}

  /**
   * Reads the (already decompressed) message. A failure here must not escape: grpc would answer
   * UNKNOWN. Decompressing beyond the size limit fails with RESOURCE_EXHAUSTED, which is kept.
   */
  private static final class RequestMarshaller implements MethodDescriptor.Marshaller<Body> {
    @Override
    public InputStream stream(Body value) {
      return new ByteArrayInputStream(value.bytes);
    }

    @Override
    public Body parse(InputStream stream) {
      try {
        return new Body(stream.readAllBytes(), null);
      } catch (StatusRuntimeException e) {
        return new Body(null, e.getStatus());
      } catch (IOException | RuntimeException e) {
        return new Body(
            null,
            Status.INVALID_ARGUMENT.withDescription(
                "cannot read the request message: " + e.getMessage()));
      }
    }
  }

  private static final class ResponseMarshaller implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Configures an {@link OtlpGrpcReceiver}; see {@link #builder} for the defaults. */
  public static final class Builder {
    private OtlpCredentials credentials = OtlpCredentials.anyone();
    private final OtlpMetricsTranslator translator;
    private String bindAddress = "127.0.0.1";
    private int port = DEFAULT_PORT;
    private int maxMessageBytes = 4 * 1024 * 1024;
    private Executor executor;
    private SignalForwarder signals = new RecentSignals(1000);

    private Builder(OtlpMetricsTranslator translator) {
      this.translator = Objects.requireNonNull(translator, "translator");
    }

    /** Who may write (default {@link OtlpCredentials#anyone}). */
    public Builder credentials(OtlpCredentials credentials) {
      this.credentials = Objects.requireNonNull(credentials, "credentials");
      return this;
    }

    /** Address to listen on ({@code 0.0.0.0} for every interface). */
    public Builder bindAddress(String address) {
      this.bindAddress = Objects.requireNonNull(address, "address");
      return this;
    }

    /** Port to listen on; 0 picks a free one (see {@link OtlpGrpcReceiver#port()}). */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      this.port = port;
      return this;
    }

    /** Largest message accepted, after decompression; larger ones fail RESOURCE_EXHAUSTED. */
    public Builder maxMessageBytes(int bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxMessageBytes must be positive, got " + bytes);
      }
      this.maxMessageBytes = bytes;
      return this;
    }

    /** Where calls are handled (the caller owns it); by default a pool the receiver owns. */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** Where logs and traces go. */
    public Builder signals(SignalForwarder signals) {
      this.signals = Objects.requireNonNull(signals, "signals");
      return this;
    }

    /**
     * A receiver with this configuration, not yet listening (see {@link OtlpGrpcReceiver#start()}).
     */
    public OtlpGrpcReceiver build() {
      return new OtlpGrpcReceiver(this);
    }
  }
}
