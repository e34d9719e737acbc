package eu.mlsysops.protocol.grpc;

import eu.mlsysops.protocol.Link;
import eu.mlsysops.protocol.Message;
import eu.mlsysops.protocol.grpc.proto.Accepted;
import eu.mlsysops.protocol.grpc.proto.Envelope;
import eu.mlsysops.protocol.tls.AgentCredentials;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The child side of the gRPC link: a {@link Link} to the parent agent over one long-lived {@code
 * TierService.Connect} stream, kept up for as long as the link is open.
 *
 * <p>{@link Builder#connect()} returns at once and connects in the background. When the parent
 * cannot be reached, or the stream breaks, the link retries forever with exponential backoff and
 * jitter (capped, 5 s by default), and logs once per outage {@code cannot reach parent at
 * host:port (reason); retrying in …} (again only if the kind of failure changes; each further
 * attempt is logged at DEBUG). The link is connected
 * when the parent has accepted the stream; {@link #onConnectionChange} hears {@code true} then and
 * {@code false} when the stream is lost. A parent that goes silent (no frame for a few of the ping
 * intervals it announced) counts as lost, so a dead parent is noticed within seconds.
 *
 * <p>Messages sent while the link is down are kept in a bounded buffer (when full the oldest is
 * dropped and counted in {@link #dropped()}) and go out in order once the link is back, after any
 * {@link Message.Register} sent from the connection listener: a child re-registers on every
 * reconnect, and the parent should hear that first. {@link Message.Heartbeat} and {@link
 * Message.Register} are not buffered: while the link is down {@link #send} refuses them and returns
 * false, since a late heartbeat means nothing and the agent registers again on reconnect. The same
 * buffer absorbs bursts the stream cannot take at once (gRPC flow control). Messages already handed
 * to a stream that then breaks may be lost; desired and reported state are level-triggered, so the
 * re-registration repairs that.
 *
 * <p>Handlers and listeners run on the link's own thread, one at a time, in order; they should not
 * block for long (reconnection shares that thread).
 */
public final class GrpcLink implements Link, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(GrpcLink.class.getName());

  /** Messages read ahead of the handler. */
  private static final int READ_AHEAD = 8;

  /** The parent is taken for dead after this many ping intervals without a frame. */
  private static final double SILENT_INTERVALS = 2.5;

  private final String host;
  private final int port;
  private final SslContext ssl;
  private final String authority;
  private final int capacity;
  private final Duration acceptTimeout;
  private final Backoff backoff;
  private final ScheduledExecutorService loop;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong undecodable = new AtomicLong();
  private volatile Consumer<Message> handler = m -> {};
  private volatile Consumer<Boolean> connectionListener = up -> {};

  // Guarded by this.
  private final ArrayDeque<Envelope> pending = new ArrayDeque<>();
  private Attempt current;
  private boolean connected;
  private boolean syncing;
  private boolean closed;
  private String lastFailure;
  private Status.Code outageCode;
  private long outageStartNanos = System.nanoTime();
  private int outageAttempts;
  private boolean warnedFull;

  private GrpcLink(Builder b) {
    this.host = b.host;
    this.port = b.port;
    this.ssl = b.credentials == null ? null : TlsContexts.client(b.credentials);
    this.authority = b.expectedParent;
    this.capacity = b.bufferCapacity;
    this.acceptTimeout = b.acceptTimeout;
    this.backoff = new Backoff(b.initialBackoff, b.maxBackoff, new Random());
    this.loop =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "mls-link-" + host + ":" + port);
              t.setDaemon(true);
              return t;
            });
    if (ssl == null) {
      LOG.log(
          System.Logger.Level.WARNING,
          "link to parent at " + target() + " is INSECURE (--insecure): plaintext, and the parent"
              + " is not authenticated");
    }
  }

  /**
   * A builder for a link to the parent listening at {@code host:port}.
   *
   * @param host the parent's host name or address
   * @param port the parent's port
   * @return the builder; see its methods for the defaults
   */
  public static Builder builder(String host, int port) {
    return new Builder(host, port);
  }

  /** {@code host:port} of the parent. */
  public String target() {
    return host + ":" + port;
  }

  @Override
  public boolean send(Message message) {
    Objects.requireNonNull(message, "message");
    Envelope e;
    try {
      e = MessageCodec.encode(message);
    } catch (RuntimeException ex) {
      LOG.log(System.Logger.Level.WARNING, "cannot encode " + message.getClass().getSimpleName()
          + " for the parent: " + ex.getMessage());
      return false;
    }
    boolean register = message instanceof Message.Register;
    synchronized (this) {
      if (closed) {
        return false;
      }
      Attempt a = current;
      if (connected && a != null) {
        if (register || (!syncing && pending.isEmpty() && a.out.isReady())) {
          if (a.write(e)) {
            return true;
          }
          if (register) {
            return false; // the stream just broke; the agent registers again on reconnect
          }
        }
        enqueue(e);
        if (!syncing) {
          drain(a);
        }
        return true;
      }
      if (register || message instanceof Message.Heartbeat) {
        return false;
      }
      enqueue(e);
      return true;
    }
  }

  @Override
  public void onReceive(Consumer<Message> handler) {
    this.handler = Objects.requireNonNull(handler);
  }

  @Override
  public void onConnectionChange(Consumer<Boolean> listener) {
    this.connectionListener = Objects.requireNonNull(listener);
  }

  @Override
  public boolean crossesProcess() {
    return true;
  }

  @Override
  public synchronized boolean isConnected() {
    return connected;
  }

  /** Messages waiting in the buffer for the link to come back (or the stream to take them). */
  public synchronized int buffered() {
    return pending.size();
  }

  /** Messages dropped from the full buffer (the oldest first) since the link was built. */
  public long dropped() {
    return dropped.get();
  }

  /** Frames from the parent that did not decode to a message and were dropped. */
  public long undecodable() {
    return undecodable.get();
  }

  /** Why the last stream ended or the last attempt failed, if one did. */
  public synchronized Optional<String> lastFailure() {
    return Optional.ofNullable(lastFailure);
  }

  /** Closes the stream and stops reconnecting; no callbacks run afterwards. */
  @Override
  public void close() {
    Attempt a;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      connected = false;
      a = current;
      current = null;
    }
    if (a != null) {
      a.cancel("the child closed the link");
      a.channel.shutdownNow();
    }
    loop.shutdownNow();
  }

  @Override
  public String toString() {
    return "GrpcLink[" + target() + (ssl == null ? ", insecure" : ", mTLS")
        + (isConnected() ? ", connected" : ", down") + "]";
  }

  // ---- connection state machine; attempt(), accepted() and ended() run on `loop` ----

  private void post(Runnable task) {
    try {
      loop.execute(
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              LOG.log(System.Logger.Level.WARNING, "link callback failed", e);
            }
          });
    } catch (RejectedExecutionException e) {
      // Closed: nothing more to do.
    }
  }

  private void attempt() {
    Attempt a;
    synchronized (this) {
      if (closed) {
        return;
      }
      a = new Attempt(newChannel());
      current = a;
      outageAttempts++;
    }
    try {
      ClientCall<Envelope, Envelope> call =
          a.channel.newCall(TierServiceDefinition.CONNECT, CallOptions.DEFAULT);
      ClientCalls.asyncBidiStreamingCall(call, a);
    } catch (RuntimeException e) {
      ended(a, Status.fromThrowable(e));
      return;
    }
    a.acceptTimer =
        loop.schedule(
            () -> {
              if (!a.accepted) {
                a.cancel(
                    "the parent did not accept the stream within " + seconds(acceptTimeout.toNanos()));
              }
            },
            acceptTimeout.toNanos(),
            TimeUnit.NANOSECONDS);
  }

  private ManagedChannel newChannel() {
    // A fresh channel per attempt: our backoff decides when to retry, not the channel's own, and
    // a stream declared dead by the watchdog does not leave a half-dead connection behind.
    NettyChannelBuilder b =
        NettyChannelBuilder.forAddress(host, port)
            .directExecutor() // the observer below only hands work to `loop`
            .maxInboundMessageSize(GrpcLinkServer.MAX_MESSAGE_BYTES)
            .keepAliveTime(10, TimeUnit.SECONDS) // gRPC's floor; the parent's pings are faster
            .keepAliveTimeout(5, TimeUnit.SECONDS)
            .disableRetry();
    if (ssl == null) {
      b.usePlaintext();
    } else {
      b.sslContext(ssl);
      if (authority != null) {
        b.overrideAuthority(authority);
      }
    }
    return b.build();
  }

  private void accepted(Attempt a, Accepted accepted) {
    String after;
    boolean lastRefused;
    synchronized (this) {
      if (a != current || closed) {
        return;
      }
      lastRefused = outageCode != null && isRefusal(outageCode);
      a.accepted = true;
      a.cancelTimers();
      connected = true;
      syncing = true;
      after =
          outageAttempts > 1
              ? " after " + outageAttempts + " attempts in "
                  + seconds(System.nanoTime() - outageStartNanos)
              : "";
      long ping = accepted.getPingIntervalMillis();
      if (ping > 0) {
        long limit = (long) (TimeUnit.MILLISECONDS.toNanos(ping) * SILENT_INTERVALS);
        a.watchdog =
            loop.scheduleAtFixedRate(
                () -> {
                  long silent = System.nanoTime() - a.lastFrameNanos;
                  if (silent > limit) {
                    a.cancel("no frame from the parent for " + seconds(silent));
                  }
                },
                ping,
                ping,
                TimeUnit.MILLISECONDS);
      }
    }
    String as = accepted.getPeerIdentity().isEmpty() ? "" : " as " + accepted.getPeerIdentity();
    // The parent admits or refuses this agent at its registration, after the stream opened:
    // "connected" is said when the parent first sends something (a refused agent hears nothing).
    LOG.log(System.Logger.Level.DEBUG, "reached parent at " + target() + as + "; registering");
    a.connectedLine = "connected to parent at " + target() + as + after
        + (lastRefused ? " (admitted after being refused)" : "");
    try {
      connectionListener.accept(true);
    } finally {
      synchronized (this) {
        syncing = false;
        if (a == current && connected) {
          drain(a);
        }
      }
    }
  }

  private void ended(Attempt a, Status status) {
    a.cancelTimers();
    a.channel.shutdownNow();
    String reason = describe(status);
    boolean wasConnected;
    boolean refused;
    boolean announce;
    long delay;
    synchronized (this) {
      if (a != current || closed) {
        return;
      }
      current = null;
      wasConnected = connected;
      connected = false;
      syncing = false;
      lastFailure = reason;
      refused = isRefusal(status.getCode());
      if (wasConnected && !refused) {
        // A new outage starts. A refusal does not end the old one: the parent will refuse again,
        // so keep backing off (instead of hammering it at the initial delay) and logging once.
        backoff.reset();
        outageStartNanos = System.nanoTime();
        outageAttempts = 0;
        outageCode = null;
        warnedFull = false;
      }
      delay = backoff.nextNanos();
      // Once per outage; again only if the kind of failure changes (e.g. from unreachable to
      // refused), not for every variation of a socket error's text.
      announce = status.getCode() != outageCode;
      outageCode = status.getCode();
    }
    if (wasConnected) {
      connectionListener.accept(false);
    }
    String line =
        (refused ? "parent at " + target() + " refused this agent" : "cannot reach parent at "
            + target())
            + " (" + reason + "); retrying in " + seconds(delay);
    if (announce) {
      LOG.log(refused ? System.Logger.Level.ERROR : System.Logger.Level.WARNING, line);
    } else {
      LOG.log(System.Logger.Level.DEBUG, line);
    }
    try {
      loop.schedule(this::attempt, delay, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // Closed meanwhile.
    }
  }

  private void receive(Attempt a, Envelope e) {
    try {
      Message m;
      try {
        m = MessageCodec.decode(e);
      } catch (IllegalArgumentException ex) {
        undecodable.incrementAndGet();
        if (!a.warnedUndecodable) {
          a.warnedUndecodable = true;
          LOG.log(System.Logger.Level.WARNING, "dropped an undecodable message from the parent ("
              + ex.getMessage() + "); further ones on this stream are only counted");
        }
        return;
      }
      if (a.connectedLine != null) {
        LOG.log(System.Logger.Level.INFO, a.connectedLine);
        a.connectedLine = null;
      }
      handler.accept(m);
    } finally {
      a.out.request(1);
    }
  }

  // ---- buffer; callers hold the lock ----

  private void enqueue(Envelope e) {
    if (pending.size() >= capacity) {
      pending.pollFirst();
      long n = dropped.incrementAndGet();
      if (!warnedFull) {
        warnedFull = true;
        LOG.log(System.Logger.Level.WARNING, "link buffer full (" + capacity
            + " messages): dropping the oldest; dropped so far: " + n);
      }
    }
    pending.addLast(e);
  }

  private void drain(Attempt a) {
    while (!pending.isEmpty() && a.out.isReady()) {
      Envelope e = pending.pollFirst();
      if (!a.write(e)) {
        pending.addFirst(e);
        return;
      }
    }
  }

  private static boolean isRefusal(Status.Code code) {
    return code == Status.Code.PERMISSION_DENIED
        || code == Status.Code.UNAUTHENTICATED
        || code == Status.Code.INVALID_ARGUMENT;
  }

  private static String describe(Status status) {
    StringBuilder s = new StringBuilder(status.getCode().name());
    if (status.getDescription() != null) {
      s.append(": ").append(firstLine(status.getDescription()));
    }
    Throwable root = status.getCause();
    while (root != null && root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root != null && root.getMessage() != null) {
      String m = firstLine(root.getMessage());
      if (!s.toString().contains(m)) {
        s.append(" (").append(m).append(')');
      }
    }
    return s.toString();
  }

  private static String firstLine(String text) {
    int nl = text.indexOf('\n');
    return (nl < 0 ? text : text.substring(0, nl)).strip();
  }

  private static String seconds(long nanos) {
    if (nanos < 1_000_000_000L) {
      return TimeUnit.NANOSECONDS.toMillis(nanos) + " ms";
    }
    return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
  }

  /** One try at a stream: its own channel, call and timers. */
  private final class Attempt implements ClientResponseObserver<Envelope, Envelope> {
    final ManagedChannel channel;
    ClientCallStreamObserver<Envelope> out;
    volatile boolean accepted;
    volatile long lastFrameNanos = System.nanoTime();
    ScheduledFuture<?> acceptTimer;
    ScheduledFuture<?> watchdog;
    boolean warnedUndecodable;
    /** Said once the parent sends its first message on this stream (it admitted us). */
    String connectedLine;

    Attempt(ManagedChannel channel) {
      this.channel = channel;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<Envelope> out) {
      this.out = out;
      out.disableAutoRequestWithInitial(READ_AHEAD);
      out.setOnReadyHandler(
          () -> {
            synchronized (GrpcLink.this) {
              if (this == current && connected && !syncing) {
                drain(this);
              }
            }
          });
    }

    /** Writes under the link's lock; false when the call is already over. */
    boolean write(Envelope e) {
      try {
        out.onNext(e);
        return true;
      } catch (RuntimeException ex) {
        return false;
      }
    }

    void cancel(String why) {
      try {
        out.cancel(why, null);
      } catch (RuntimeException ignored) {
        // Already over.
      }
    }

    void cancelTimers() {
      if (acceptTimer != null) {
        acceptTimer.cancel(false);
      }
      if (watchdog != null) {
        watchdog.cancel(false);
      }
    }

    @Override
    public void onNext(Envelope e) {
      lastFrameNanos = System.nanoTime();
      switch (e.getBodyCase()) {
        case ACCEPTED -> {
          Accepted acc = e.getAccepted();
          post(() -> accepted(this, acc));
          out.request(1);
        }
        case PING -> out.request(1);
        default -> post(() -> receive(this, e));
      }
    }

    @Override
    public void onError(Throwable t) {
      post(() -> ended(this, Status.fromThrowable(t)));
    }

    @Override
    public void onCompleted() {
      post(() -> ended(this, Status.UNAVAILABLE.withDescription("the parent closed the stream")));
    }
  }

  /**
   * Configures a {@link GrpcLink}. Defaults: mTLS (credentials required unless {@link
   * #insecure()}), the parent's certificate checked against the host name, a buffer of 1000
   * messages, backoff from 200 ms doubling up to 5 s, 10 s for the parent to accept a stream.
   */
  public static final class Builder {
    private final String host;
    private final int port;
    private AgentCredentials credentials;
    private boolean insecureRequested;
    private String expectedParent;
    private int bufferCapacity = 1000;
    private Duration initialBackoff = Duration.ofMillis(200);
    private Duration maxBackoff = Duration.ofSeconds(5);
    private Duration acceptTimeout = Duration.ofSeconds(10);

    private Builder(String host, int port) {
      this.host = Objects.requireNonNull(host, "host");
      if (host.isBlank()) {
        throw new IllegalArgumentException("host must not be blank");
      }
      if (port <= 0 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      this.port = port;
    }

    /**
     * This agent's credentials: its certificate authenticates it to the parent (whose name check
     * makes the certificate's common name this agent's identity), and the parent's certificate
     * must come from the same CA.
     */
    public Builder tls(AgentCredentials credentials) {
      this.credentials = Objects.requireNonNull(credentials, "credentials");
      return this;
    }

    /**
     * Connects in plaintext without authenticating either side. Only for development behind a
     * trusted network; the link logs a warning when built.
     */
    public Builder insecure() {
      this.insecureRequested = true;
      return this;
    }

    /**
     * The parent agent's name, to check the parent's certificate against instead of the host name
     * (agent certificates name the agent, {@code localhost} and {@code 127.0.0.1}).
     */
    public Builder expectedParent(String parentName) {
      this.expectedParent = Objects.requireNonNull(parentName, "parentName");
      return this;
    }

    /** How many messages to keep while the link is down; when full the oldest is dropped. */
    public Builder bufferCapacity(int messages) {
      if (messages < 1) {
        throw new IllegalArgumentException("buffer capacity must be positive: " + messages);
      }
      this.bufferCapacity = messages;
      return this;
    }

    /** The first retry delay and the cap the doubling delays stop at (both before jitter). */
    public Builder backoff(Duration initial, Duration max) {
      Objects.requireNonNull(initial, "initial");
      Objects.requireNonNull(max, "max");
      if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
        throw new IllegalArgumentException(
            "need 0 < initial <= max, got " + initial + " and " + max);
      }
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    /** How long the parent may take to accept a new stream before the attempt counts as failed. */
    public Builder acceptTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("accept timeout must be positive: " + timeout);
      }
      this.acceptTimeout = timeout;
      return this;
    }

    /**
     * Builds the link and starts connecting in the background; never fails because the parent is
     * unreachable.
     *
     * @return the link, not yet connected
     * @throws IllegalStateException when neither or both of {@link #tls} and {@link #insecure()}
     *     were chosen
     */
    public GrpcLink connect() {
      if (credentials == null && !insecureRequested) {
        throw new IllegalStateException("choose tls(credentials) or, explicitly, insecure()");
      }
      if (credentials != null && insecureRequested) {
        throw new IllegalStateException("tls(credentials) and insecure() exclude each other");
      }
      if (expectedParent != null && credentials == null) {
        throw new IllegalStateException("expectedParent needs tls(credentials)");
      }
      GrpcLink link = new GrpcLink(this);
      link.post(link::attempt);
      return link;
    }
  }
}
