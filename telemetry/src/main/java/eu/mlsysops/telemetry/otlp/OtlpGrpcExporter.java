package eu.mlsysops.telemetry.otlp;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends OTLP export requests (metrics, logs, traces) to an OTLP/gRPC endpoint: another agent's
 * {@link OtlpGrpcReceiver} or any external collector. Requests wait in a bounded queue and are sent
 * one at a time in order; when the queue is full a request is dropped and counted. A request that
 * fails with a retryable status ({@code UNAVAILABLE}, {@code DEADLINE_EXCEEDED}, {@code CANCELLED},
 * {@code ABORTED}, {@code OUT_OF_RANGE}, {@code DATA_LOSS}, as the OTLP spec lists them) is retried
 * with exponential backoff; other failures and exhausted retries are counted as failed.
 *
 * <pre>{@code
 * try (OtlpGrpcExporter up = OtlpGrpcExporter.builder("collector:4317").build()) {
 *   up.export(encoder.encode(samples, store::metadata));
 * }
 * }</pre>
 */
public final class OtlpGrpcExporter implements SignalForwarder, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OtlpGrpcExporter.class);
  private static final Set<Status.Code> RETRYABLE =
      EnumSet.of(
          Status.Code.UNAVAILABLE,
          Status.Code.DEADLINE_EXCEEDED,
          Status.Code.CANCELLED,
          Status.Code.ABORTED,
          Status.Code.OUT_OF_RANGE,
          Status.Code.DATA_LOSS);

  private final ManagedChannel channel;
  private final boolean ownsChannel;
  private final int maxAttempts;
  private final long initialBackoffMillis;
  private final long maxBackoffMillis;
  private final Duration timeout;
  private final boolean gzip;
  private final BlockingQueue<Pending> queue;
  private final ScheduledExecutorService worker;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  private boolean busy; // only touched on the worker thread
  private volatile boolean closed;
  private volatile String lastError = "";

  private OtlpGrpcExporter(Builder b) {
    this.channel =
        b.channel != null
            ? b.channel
            : NettyChannelBuilder.forTarget(b.target).usePlaintext().build();
    this.ownsChannel = b.channel == null;
    this.maxAttempts = b.maxAttempts;
    this.initialBackoffMillis = b.initialBackoff.toMillis();
    this.maxBackoffMillis = b.maxBackoff.toMillis();
    this.timeout = b.timeout;
    this.gzip = b.gzip;
    this.queue = new ArrayBlockingQueue<>(b.queueCapacity);
    this.worker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "otlp-exporter");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * A builder sending to {@code target} ({@code host:port}, plaintext) over a channel the exporter
   * owns. Defaults: a queue of 256 requests, 5 attempts, backoff from 200 ms doubling up to 5 s, a
   * 10 s deadline per attempt, no compression.
   */
  public static Builder builder(String target) {
    return new Builder(Objects.requireNonNull(target, "target"), null);
  }

  /** A builder sending over {@code channel}, which the caller owns (and closes). */
  public static Builder builder(ManagedChannel channel) {
    return new Builder(null, Objects.requireNonNull(channel, "channel"));
  }

  /** Queues a metrics request; false (and counted as dropped) when the queue is full. */
  public boolean export(ExportMetricsServiceRequest request) {
    return enqueue(Pending.of(MetricsServiceGrpc.getExportMethod(), request));
  }

  /** Queues a logs request; false (and counted as dropped) when the queue is full. */
  @Override
  public boolean forward(ExportLogsServiceRequest request) {
    return enqueue(Pending.of(LogsServiceGrpc.getExportMethod(), request));
  }

  /** Queues a trace request; false (and counted as dropped) when the queue is full. */
  @Override
  public boolean forward(ExportTraceServiceRequest request) {
    return enqueue(Pending.of(TraceServiceGrpc.getExportMethod(), request));
  }

  /** What the exporter has done so far. */
  public Stats stats() {
    return new Stats(
        queue.size(), sent.get(), failed.get(), dropped.get(), retries.get(), lastError);
  }

  /**
   * Counts of an exporter.
   *
   * @param queued requests waiting now (not counting one in flight)
   * @param sent requests the endpoint accepted
   * @param failed requests given up on (non-retryable status or attempts exhausted)
   * @param dropped requests refused because the queue was full or the exporter closed
   * @param retries attempts repeated after a retryable failure
   * @param lastError the status of the last failed attempt, empty when none failed
   */
  public record Stats(
      long queued, long sent, long failed, long dropped, long retries, String lastError) {}

  /** Stops sending; queued requests are counted as dropped. Closes the channel if it owns it. */
  @Override
  public void close() {
    closed = true;
    worker.shutdownNow();
    dropped.addAndGet(queue.size());
    queue.clear();
    if (ownsChannel) {
      channel.shutdownNow();
    }
  }

  private boolean enqueue(Pending p) {
    if (closed || !queue.offer(p)) {
      dropped.incrementAndGet();
      return false;
    }
    run(this::drain);
    return true;
  }

  private void run(Runnable r) {
    try {
      worker.execute(r);
    } catch (RejectedExecutionException e) {
      // closed meanwhile; close() counts what is still queued
    }
  }

  private void drain() {
    if (busy) {
      return;
    }
    Pending p = queue.poll();
    if (p == null) {
      return;
    }
    busy = true;
    send(p);
  }

  private void send(Pending p) {
    p.attempts++;
    CallOptions options =
        CallOptions.DEFAULT.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (gzip) {
      options = options.withCompression("gzip");
    }
    try {
      p.start(
          channel,
          options,
          new StreamObserver<>() {
            @Override
            public void onNext(Object value) {}

            @Override
            public void onError(Throwable t) {
              run(() -> failedAttempt(p, Status.fromThrowable(t)));
            }

            @Override
            public void onCompleted() {
              run(
                  () -> {
                    sent.incrementAndGet();
                    next();
                  });
            }
          });
    } catch (RuntimeException e) {
      failedAttempt(p, Status.fromThrowable(e));
    }
  }

  private void failedAttempt(Pending p, Status status) {
    lastError =
        status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
    if (RETRYABLE.contains(status.getCode()) && p.attempts < maxAttempts && !closed) {
      retries.incrementAndGet();
      long backoff =
          Math.min(maxBackoffMillis, initialBackoffMillis << Math.min(20, p.attempts - 1));
      try {
        worker.schedule(() -> send(p), backoff, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        dropped.incrementAndGet();
      }
      return;
    }
    if (failed.getAndIncrement() == 0) {
      LOG.warn("OTLP export failed after {} attempt(s): {}", p.attempts, lastError);
    }
    next();
  }

  private void next() {
    busy = false;
    drain();
  }

  /** A request with its method; starts one attempt. */
  private abstract static class Pending {
    int attempts;

    abstract void start(Channel channel, CallOptions options, StreamObserver<Object> observer);

    static <Q, R> Pending of(MethodDescriptor<Q, R> method, Q request) {
      return new Pending() {
        @Override
        void start(Channel channel, CallOptions options, StreamObserver<Object> observer) {
          ClientCalls.asyncUnaryCall(
              channel.newCall(method, options),
              request,
              new StreamObserver<R>() {
                @Override
                public void onNext(R value) {
                  observer.onNext(value);
                }

                @Override
                public void onError(Throwable t) {
                  observer.onError(t);
                }

                @Override
                public void onCompleted() {
                  observer.onCompleted();
                }
              });
        }
      };
    }
  }

  /** Configures an {@link OtlpGrpcExporter}; see {@link #builder(String)} for the defaults. */
  public static final class Builder {
    private final String target;
    private final ManagedChannel channel;
    private int queueCapacity = 256;
    private int maxAttempts = 5;
    private Duration initialBackoff = Duration.ofMillis(200);
    private Duration maxBackoff = Duration.ofSeconds(5);
    private Duration timeout = Duration.ofSeconds(10);
    private boolean gzip;

    private Builder(String target, ManagedChannel channel) {
      this.target = target;
      this.channel = channel;
    }

    /** Requests that may wait; beyond it new ones are dropped and counted. */
    public Builder queueCapacity(int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException("queueCapacity must be positive, got " + capacity);
      }
      this.queueCapacity = capacity;
      return this;
    }

    /** Attempts per request, the first included. */
    public Builder maxAttempts(int attempts) {
      if (attempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be positive, got " + attempts);
      }
      this.maxAttempts = attempts;
      return this;
    }

    /** Wait before the first retry; it doubles on every further retry up to {@code max}. */
    public Builder backoff(Duration initial, Duration max) {
      if (initial.isNegative() || max.compareTo(initial) < 0) {
        throw new IllegalArgumentException("need 0 <= initial backoff <= max backoff");
      }
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    /** Deadline of each attempt. */
    public Builder timeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive");
      }
      this.timeout = timeout;
      return this;
    }

    /** Whether to gzip requests. */
    public Builder gzip(boolean gzip) {
      this.gzip = gzip;
      return this;
    }

    /** An exporter with this configuration; its worker thread starts at once. */
    public OtlpGrpcExporter build() {
      return new OtlpGrpcExporter(this);
    }
  }
}
