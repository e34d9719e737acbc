package eu.mlsysops.telemetry.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.zip.ZipException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OTLP/HTTP receiver: {@code POST /v1/metrics}, {@code /v1/logs} and {@code /v1/traces} with {@code
 * application/x-protobuf} or {@code application/json} (OTLP/JSON) bodies, optionally {@code
 * Content-Encoding: gzip}. Answers in the request's encoding: the {@code Export*ServiceResponse}
 * (with {@code partial_success} when points were rejected) on success, a {@code google.rpc.Status}
 * with a clear message on error:
 *
 * <ul>
 *   <li>413: the body, or the gunzipped body, is over the size limit (gzip bombs end here);
 *   <li>415: a content type other than the two above;
 *   <li>400: malformed protobuf or JSON, truncated or corrupt gzip, an unknown content encoding.
 * </ul>
 *
 * <p>Bad input never gets a 500, and no response carries a stack trace. Extra {@code GET} routes
 * (e.g. the agent's Prometheus text on {@code /metrics}) can share the port.
 */
public final class OtlpHttpReceiver implements AutoCloseable {
  /** The OTLP/HTTP default port. */
  public static final int DEFAULT_PORT = 4318;

  static final String PROTOBUF = "application/x-protobuf";
  static final String JSON = "application/json";

  private static final Logger LOG = LoggerFactory.getLogger(OtlpHttpReceiver.class);
  private static final int INVALID_ARGUMENT = 3;
  /** google.rpc.Code UNAUTHENTICATED. */
  private static final int UNAUTHENTICATED_CODE = 16;
  private static final int RESOURCE_EXHAUSTED = 8;
  private static final int INTERNAL = 13;

  private final SignalIngest ingest;
  private final String bindAddress;
  private final int requestedPort;
  private final int maxMessageBytes;
  private final Map<String, TextRoute> textRoutes;
  private final OtlpCredentials credentials;
  private final java.util.function.Predicate<String> readers;
  private Javalin app;

  private OtlpHttpReceiver(Builder b) {
    this.ingest = new SignalIngest(b.translator, b.signals);
    this.bindAddress = b.bindAddress;
    this.requestedPort = b.port;
    this.maxMessageBytes = b.maxMessageBytes;
    this.textRoutes = Map.copyOf(b.textRoutes);
    this.credentials = b.credentials;
    this.readers = b.readers;
  }

  /**
   * A builder for a receiver feeding {@code translator}. Defaults: bind 127.0.0.1, port {@value
   * #DEFAULT_PORT}, bodies up to 4 MiB (on the wire and after gunzip), a {@link RecentSignals} of
   * 1,000 entries for logs and traces, no extra routes.
   */
  public static Builder builder(OtlpMetricsTranslator translator) {
    return new Builder(translator);
  }

  /**
   * Starts listening.
   *
   * @throws UncheckedIOException when the address or port cannot be bound
   */
  public synchronized OtlpHttpReceiver start() {
    if (app != null) {
      throw new IllegalStateException("already started");
    }
    OtlpIngestCounters c = ingest.counters;
    Javalin created =
        Javalin.create(
            cfg -> {
              cfg.startup.showJavalinBanner = false;
              cfg.startup.showOldJavalinVersionWarning = false;
              cfg.http.maxRequestSize = maxMessageBytes;
              cfg.http.prefer405over404 = true;
              cfg.routes.post(
                  "/v1/metrics",
                  ctx ->
                      handle(
                          ctx,
                          c.metricsRequests,
                          "ExportMetricsServiceRequest",
                          ExportMetricsServiceRequest::parseFrom,
                          ExportMetricsServiceRequest::newBuilder,
                          ingest::metrics));
              cfg.routes.post(
                  "/v1/logs",
                  ctx ->
                      handle(
                          ctx,
                          c.logsRequests,
                          "ExportLogsServiceRequest",
                          ExportLogsServiceRequest::parseFrom,
                          ExportLogsServiceRequest::newBuilder,
                          (request, source) -> ingest.logs(request)));
              cfg.routes.post(
                  "/v1/traces",
                  ctx ->
                      handle(
                          ctx,
                          c.traceRequests,
                          "ExportTraceServiceRequest",
                          ExportTraceServiceRequest::parseFrom,
                          ExportTraceServiceRequest::newBuilder,
                          (request, source) -> ingest.traces(request)));
              textRoutes.forEach(
                  (path, route) ->
                      cfg.routes.get(
                          path,
                          ctx -> {
                            if (!readers.test(ctx.header("Authorization"))) {
                              ctx.header("WWW-Authenticate", "Bearer");
                              ctx.status(401).contentType("text/plain; charset=utf-8")
                                  .result(path + " needs a viewer or admin token of the"
                                      + " northbound API here (Authorization: Bearer …)\n");
                              return;
                            }
                            String body;
                            try {
                              body = route.body.get();
                            } catch (RuntimeException e) {
                              LOG.error("GET {} failed", path, e);
                              ctx.status(500)
                                  .contentType("text/plain; charset=utf-8")
                                  .result(
                                      "the agent failed to produce "
                                          + path
                                          + "; the error is in its log\n");
                              return;
                            }
                            ctx.status(200).contentType(route.contentType).result(body);
                          }));
              cfg.routes.exception(
                  Exception.class,
                  (e, ctx) -> {
                    LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
                    status(
                        ctx,
                        500,
                        INTERNAL,
                        false,
                        "the receiver failed to handle this request; see its log");
                  });
            });
    try {
      created.start(bindAddress, requestedPort);
    } catch (RuntimeException e) {
      throw new UncheckedIOException(
          new IOException(
              "cannot listen for OTLP/HTTP on " + bindAddress + ":" + requestedPort, e));
    }
    app = created;
    return this;
  }

  /** The port listened on (the actual one when built with port 0). */
  public synchronized int port() {
    if (app == null) {
      throw new IllegalStateException("not started");
    }
    return app.port();
  }

  /** Where logs and traces go. */
  public SignalForwarder signals() {
    return ingest.forwarder;
  }

  @Override
  public synchronized void close() {
    if (app != null) {
      app.stop();
    }
  }

  private <Q extends Message> void handle(
      Context ctx,
      LongAdder requests,
      String messageName,
      ProtoParser<Q> protoParser,
      Supplier<Message.Builder> jsonBuilder,
      java.util.function.BiFunction<Q, OtlpCredentials.Source, ? extends Message> process) {
    requests.increment();
    LongAdder bad = ingest.counters.badRequests;
    OtlpCredentials.Source source =
        credentials.verify(ctx.header("Authorization")).orElse(null);
    if (source == null) {
      ingest.counters.unauthenticatedRequests.increment();
      try {
        BoundedBodies.drain(ctx.req().getInputStream(), 8L * maxMessageBytes);
      } catch (IOException e) {
        // The answer is the same whether or not the rest of the body could be read.
      }
      ctx.header("WWW-Authenticate", "Bearer");
      status(ctx, 401, UNAUTHENTICATED_CODE, JSON.equals(mediaType(ctx.header("Content-Type"))),
          SignalIngest.UNAUTHENTICATED);
      return;
    }
    String type = mediaType(ctx.header("Content-Type"));
    boolean json = JSON.equals(type);
    if (!json && !PROTOBUF.equals(type)) {
      bad.increment();
      status(
          ctx,
          415,
          INVALID_ARGUMENT,
          true,
          "unsupported content type '"
              + (type == null ? "" : type)
              + "': send "
              + PROTOBUF
              + " or "
              + JSON);
      return;
    }
    String encoding = ctx.header("Content-Encoding");
    encoding = encoding == null ? "" : encoding.trim().toLowerCase(Locale.ROOT);
    boolean gzip = encoding.equals("gzip");
    if (!gzip && !encoding.isEmpty() && !encoding.equals("identity")) {
      bad.increment();
      status(
          ctx,
          400,
          INVALID_ARGUMENT,
          json,
          "unsupported content encoding '" + encoding + "': send gzip or none");
      return;
    }
    long declared = ctx.req().getContentLengthLong();
    InputStream in;
    byte[] body;
    try {
      in = ctx.req().getInputStream();
      if (declared > maxMessageBytes) {
        BoundedBodies.drain(in, 8L * maxMessageBytes);
        tooLarge(ctx, json, "request body of " + declared + " bytes");
        return;
      }
      body = BoundedBodies.readAtMost(in, maxMessageBytes, declared);
    } catch (IOException e) {
      bad.increment();
      status(
          ctx, 400, INVALID_ARGUMENT, json, "could not read the request body: " + e.getMessage());
      return;
    }
    if (body == null) {
      BoundedBodies.drain(in, 8L * maxMessageBytes);
      tooLarge(ctx, json, "request body");
      return;
    }
    if (gzip) {
      try {
        body = BoundedBodies.gunzip(body, maxMessageBytes);
      } catch (ZipException | EOFException e) {
        bad.increment();
        status(
            ctx,
            400,
            INVALID_ARGUMENT,
            json,
            "malformed gzip body: "
                + (e.getMessage() == null ? "unexpected end of data" : e.getMessage()));
        return;
      } catch (IOException e) {
        bad.increment();
        status(ctx, 400, INVALID_ARGUMENT, json, "cannot gunzip the body: " + e.getMessage());
        return;
      }
      if (body == null) {
        tooLarge(ctx, json, "decompressed request body");
        return;
      }
    }
    Q request;
    try {
      if (json) {
        Message.Builder b = jsonBuilder.get();
        OtlpJson.merge(new String(body, StandardCharsets.UTF_8), b);
        @SuppressWarnings("unchecked")
        Q parsed = (Q) b.build();
        request = parsed;
      } else {
        request = protoParser.parse(body);
      }
    } catch (InvalidProtocolBufferException e) {
      bad.increment();
      status(
          ctx,
          400,
          INVALID_ARGUMENT,
          json,
          "malformed "
              + messageName
              + " ("
              + (json ? "JSON" : "protobuf")
              + "): "
              + e.getMessage());
      return;
    }
    Message response = process.apply(request, source);
    if (json) {
      ctx.status(200).contentType(JSON).result(OtlpJson.print(response));
    } else {
      ctx.status(200).contentType(PROTOBUF).result(response.toByteArray());
    }
  }

  private void tooLarge(Context ctx, boolean json, String what) {
    ingest.counters.oversizedRequests.increment();
    status(
        ctx,
        413,
        RESOURCE_EXHAUSTED,
        json,
        what + " exceeds the limit of " + maxMessageBytes + " bytes");
  }

  private static void status(Context ctx, int http, int code, boolean json, String message) {
    com.google.rpc.Status s =
        com.google.rpc.Status.newBuilder().setCode(code).setMessage(message).build();
    if (json) {
      ctx.status(http).contentType(JSON).result(OtlpJson.print(s));
    } else {
      ctx.status(http).contentType(PROTOBUF).result(s.toByteArray());
    }
  }

  /** The media type without parameters, lower case; null when absent. */
  static String mediaType(String contentType) {
    if (contentType == null) {
      return null;
    }
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi))
        .trim()
        .toLowerCase(Locale.ROOT);
  }

  @FunctionalInterface
  private interface ProtoParser<Q> {
    Q parse(byte[] bytes) throws InvalidProtocolBufferException;
  }

  private record TextRoute(String contentType, Supplier<String> body) {}

  /** Configures an {@link OtlpHttpReceiver}; see {@link #builder} for the defaults. */
  public static final class Builder {
    private final OtlpMetricsTranslator translator;
    private String bindAddress = "127.0.0.1";
    private int port = DEFAULT_PORT;
    private int maxMessageBytes = 4 * 1024 * 1024;
    private SignalForwarder signals = new RecentSignals(1000);
    private final Map<String, TextRoute> textRoutes = new LinkedHashMap<>();
    private OtlpCredentials credentials = OtlpCredentials.anyone();
    private java.util.function.Predicate<String> readers = authorization -> true;

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

    /** Port to listen on; 0 picks a free one (see {@link OtlpHttpReceiver#port()}). */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      this.port = port;
      return this;
    }

    /** Largest body accepted, on the wire and after gunzip; larger ones get 413. */
    public Builder maxMessageBytes(int bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxMessageBytes must be positive, got " + bytes);
      }
      this.maxMessageBytes = bytes;
      return this;
    }

    /** Where logs and traces go. */
    public Builder signals(SignalForwarder signals) {
      this.signals = Objects.requireNonNull(signals, "signals");
      return this;
    }

    /**
     * Serves {@code GET path} with the text {@code body} supplies on each request (a supplier that
     * throws gives a 500 without details).
     */
    public Builder textRoute(String path, String contentType, Supplier<String> body) {
      Objects.requireNonNull(path, "path");
      if (!path.startsWith("/") || path.startsWith("/v1/")) {
        throw new IllegalArgumentException("path must start with / and not be under /v1/: " + path);
      }
      textRoutes.put(
          path,
          new TextRoute(
              Objects.requireNonNull(contentType, "contentType"),
              Objects.requireNonNull(body, "body")));
      return this;
    }

    /**
     * Who may read the text routes: asked with each request's {@code Authorization} header (null
     * when absent); refused requests get a 401. Default: everyone (a loopback receiver).
     */
    public Builder readers(java.util.function.Predicate<String> authorized) {
      this.readers = Objects.requireNonNull(authorized, "authorized");
      return this;
    }

    /** Serves the Prometheus text exposition from {@code body} on {@code GET /metrics}. */
    public Builder metricsEndpoint(Supplier<String> body) {
      return textRoute("/metrics", "text/plain; version=0.0.4; charset=utf-8", body);
    }

    /**
     * A receiver with this configuration, not yet listening (see {@link OtlpHttpReceiver#start()}).
     */
    public OtlpHttpReceiver build() {
      return new OtlpHttpReceiver(this);
    }
  }
}
