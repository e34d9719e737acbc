package eu.mlsysops.protocol.grpc;

import eu.mlsysops.protocol.Link;
import eu.mlsysops.protocol.Message;
import eu.mlsysops.protocol.grpc.proto.Accepted;
import eu.mlsysops.protocol.grpc.proto.Envelope;
import eu.mlsysops.protocol.grpc.proto.Ping;
import eu.mlsysops.protocol.tls.AgentCredentials;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The parent side of the gRPC link: listens for child agents' {@code TierService.Connect} streams
 * and hands the parent agent one {@link Link} per child, the way {@code
 * InProcessLink.parentSide()} does in a single process.
 *
 * <p>A child's link is keyed by the child's identity and outlives its streams: when the child
 * reconnects, the same link object reports {@code onConnectionChange(true)} again and carries on,
 * so the parent agent attaches each child once. With TLS (the default) the identity is the common
 * name of the child's client certificate, known as soon as the stream opens; a message whose
 * {@code from} is anything else closes the stream with {@code PERMISSION_DENIED} and is counted in
 * {@link #refusedIdentities()}. A peer without a certificate from the same CA fails the TLS
 * handshake and never reaches the service. On an {@linkplain Builder#insecure() insecure} server
 * the identity is the {@code from} of the stream's first message, and later messages must keep it.
 *
 * <p>A child's messages are delivered to its link's handler one at a time and in order, on the
 * server's executor; at most a few are read ahead per stream, so a slow handler slows that child
 * down (gRPC flow control) rather than filling memory. Sending to a child whose stream is down
 * returns false: parents send level-triggered state, which the child gets again when it
 * re-registers.
 *
 * <p>Dead children are noticed by HTTP/2 keepalive (every {@code keepAliveTime}, closed after
 * {@code keepAliveTimeout} without an answer); the server also sends a link-level ping on every
 * stream each {@code keepAliveTime} so children notice a dead parent as fast.
 */
public final class GrpcLinkServer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(GrpcLinkServer.class.getName());

  /** Largest envelope accepted, in bytes (a desired state with many app descriptors is large). */
  static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

  /** Messages read ahead of the handler per stream. */
  private static final int READ_AHEAD = 8;

  private final Server server;
  private final boolean insecure;
  private final Consumer<Link> onChild;
  private final Executor callbacks;
  private final ExecutorService ownedCallbacks;
  private final ScheduledExecutorService pinger;
  private final Duration pingInterval;
  private final Map<String, ChildLink> links = new ConcurrentHashMap<>();
  private final Set<ChildStream> streams = ConcurrentHashMap.newKeySet();
  private final AtomicLong refusedIdentities = new AtomicLong();
  private final AtomicLong undecodable = new AtomicLong();
  private volatile boolean closed;

  private GrpcLinkServer(Builder b) throws IOException {
    this.insecure = b.credentials == null;
    this.onChild = b.onChild;
    this.pingInterval = b.keepAliveTime;
    if (b.executor != null) {
      this.callbacks = b.executor;
      this.ownedCallbacks = null;
    } else {
      this.ownedCallbacks =
          Executors.newFixedThreadPool(
              Math.max(2, Runtime.getRuntime().availableProcessors()),
              daemonThreads("mls-link-server"));
      this.callbacks = ownedCallbacks;
    }
    this.pinger = Executors.newSingleThreadScheduledExecutor(daemonThreads("mls-link-ping"));
    NettyServerBuilder nb =
        b.host == null
            ? NettyServerBuilder.forPort(b.port)
            : NettyServerBuilder.forAddress(new InetSocketAddress(b.host, b.port));
    nb.directExecutor() // the stream callbacks only enqueue; handlers run on `callbacks`
        .maxInboundMessageSize(MAX_MESSAGE_BYTES)
        .keepAliveTime(b.keepAliveTime.toNanos(), TimeUnit.NANOSECONDS)
        .keepAliveTimeout(b.keepAliveTimeout.toNanos(), TimeUnit.NANOSECONDS)
        // Children ping every 10 s (gRPC's floor); allow it, also while idle.
        .permitKeepAliveTime(5, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true);
    var service = TierServiceDefinition.bind(this::connect);
    if (insecure) {
      nb.addService(service);
    } else {
      nb.sslContext(TlsContexts.server(b.credentials));
      nb.addService(ServerInterceptors.intercept(service, new PeerIdentityInterceptor()));
    }
    this.server = nb.build();
    try {
      server.start();
    } catch (IOException e) {
      shutdownExecutors();
      throw new IOException("cannot listen on port " + b.port + ": " + e.getMessage(), e);
    }
    long ping = pingInterval.toNanos();
    pinger.scheduleAtFixedRate(this::pingAll, ping, ping, TimeUnit.NANOSECONDS);
    if (insecure) {
      LOG.log(
          System.Logger.Level.WARNING,
          "link server on port "
              + port()
              + " is INSECURE (--insecure): plaintext, and children are not authenticated, so any"
              + " peer can register under any name");
    } else {
      LOG.log(
          System.Logger.Level.INFO,
          "link server on port " + port() + " requires client certificates (mTLS) as "
              + b.credentials.name());
    }
  }

  /** A builder; see its methods for the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The port the server listens on (the chosen one when built with port 0). */
  public int port() {
    return server.getPort();
  }

  /** The identities of the children connected now, sorted. */
  public Set<String> children() {
    Set<String> out = new TreeSet<>();
    links.forEach((name, link) -> {
      if (link.isConnected()) {
        out.add(name);
      }
    });
    return out;
  }

  /**
   * The link of a child that connected at least once since the server started.
   *
   * @param identity the child's name
   * @return its link, connected or not
   */
  public Optional<Link> child(String identity) {
    return Optional.ofNullable(links.get(identity));
  }

  /** Streams closed because a message's {@code from} was not the peer's identity. */
  public long refusedIdentities() {
    return refusedIdentities.get();
  }

  /** Envelopes from children that did not decode to a message and were dropped. */
  public long undecodable() {
    return undecodable.get();
  }

  /**
   * Stops listening and closes every child stream (children see the parent go away and retry).
   * Each connected child's link reports {@code onConnectionChange(false)}.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    // Tell each child why its stream ends before the transport goes.
    for (ChildStream s : List.copyOf(streams)) {
      s.close(Status.UNAVAILABLE.withDescription("the parent is shutting down"));
    }
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    shutdownExecutors();
  }

  private void shutdownExecutors() {
    pinger.shutdownNow();
    if (ownedCallbacks != null) {
      // Let the last connection changes reach the agent, then stop.
      ownedCallbacks.shutdown();
    }
  }

  private void pingAll() {
    Envelope ping = Envelope.newBuilder().setPing(Ping.getDefaultInstance()).build();
    for (ChildStream s : streams) {
      s.write(ping);
    }
  }

  /** One call of {@code Connect}: invoked by gRPC with the stream towards the child. */
  private StreamObserver<Envelope> connect(StreamObserver<Envelope> toChild) {
    ServerCallStreamObserver<Envelope> out = (ServerCallStreamObserver<Envelope>) toChild;
    out.disableAutoRequest();
    String peer = insecure ? null : PeerIdentityInterceptor.PEER.get();
    String peerCluster = insecure ? null : PeerIdentityInterceptor.PEER_CLUSTER.get();
    ChildStream s = new ChildStream(out, peer, peerCluster);
    out.setOnCancelHandler(s::ended);
    streams.add(s);
    s.write(
        Envelope.newBuilder()
            .setAccepted(
                Accepted.newBuilder()
                    .setPeerIdentity(peer == null ? "" : peer)
                    .setPingIntervalMillis(pingInterval.toMillis()))
            .build());
    if (peer != null) {
      bind(s, peer);
    }
    out.request(READ_AHEAD);
    if (closed) {
      s.close(Status.UNAVAILABLE.withDescription("the parent is shutting down"));
    }
    return s;
  }

  /** Makes {@code s} the live stream of the child {@code identity}, replacing an older one. */
  private void bind(ChildStream s, String identity) {
    boolean[] created = new boolean[1];
    ChildLink link =
        links.computeIfAbsent(
            identity,
            id -> {
              created[0] = true;
              return new ChildLink(id, new SerialExecutor(callbacks));
            });
    ChildStream old;
    synchronized (link) {
      old = link.stream;
      link.stream = s;
      link.certifiedCluster = s.peerCluster;
      s.link = link;
    }
    if (created[0]) {
      link.serial.execute(() -> onChild.accept(link));
    }
    if (old != null) {
      // A child that reconnects before its old stream timed out: the new stream wins.
      old.close(
          Status.ABORTED.withDescription(
              "replaced by a newer connection of " + identity));
    } else {
      link.fireConnection(true);
    }
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** One child stream; gRPC calls its StreamObserver methods one at a time. */
  private final class ChildStream implements StreamObserver<Envelope> {
    private final ServerCallStreamObserver<Envelope> out;
    /** The certificate's common name, or null on an insecure server until the first message. */
    private final String peer;
    /** The cluster a joined node's certificate confines it to, or null. */
    private final String peerCluster;
    private volatile ChildLink link;
    private boolean done; // guarded by this
    private volatile boolean warnedUndecodable;

    ChildStream(ServerCallStreamObserver<Envelope> out, String peer, String peerCluster) {
      this.out = out;
      this.peer = peer;
      this.peerCluster = peerCluster;
    }

    /** Writes one envelope unless the stream is over; never blocks. */
    synchronized boolean write(Envelope e) {
      if (done) {
        return false;
      }
      try {
        out.onNext(e);
        return true;
      } catch (RuntimeException ex) {
        // The call was cancelled under us: the cancel handler detaches the stream.
        return false;
      }
    }

    /** Ends the stream with {@code status} (sent to the child) and detaches it. */
    void close(Status status) {
      synchronized (this) {
        if (!done) {
          done = true;
          try {
            if (status.isOk()) {
              out.onCompleted();
            } else {
              out.onError(status.asRuntimeException());
            }
          } catch (RuntimeException ignored) {
            // Already cancelled by the child or the transport.
          }
        }
      }
      detach();
    }

    /** The child or the transport ended the stream. */
    void ended() {
      synchronized (this) {
        done = true;
      }
      detach();
    }

    private void detach() {
      streams.remove(this);
      ChildLink l = link;
      if (l == null) {
        return;
      }
      boolean wasLive;
      synchronized (l) {
        wasLive = l.stream == this;
        if (wasLive) {
          l.stream = null;
        }
      }
      if (wasLive) {
        l.fireConnection(false);
      }
    }

    @Override
    public void onNext(Envelope e) {
      synchronized (this) {
        if (done) {
          return;
        }
      }
      String from = e.hasFrom() ? e.getFrom() : null;
      ChildLink l = link;
      if (l == null) {
        // Insecure server: the first message names the child.
        if (from == null || from.isBlank()) {
          close(Status.INVALID_ARGUMENT.withDescription("the first message must name its sender"));
          return;
        }
        bind(this, from);
        l = link;
      }
      if (!l.identity.equals(from)) {
        refusedIdentities.incrementAndGet();
        String why =
            peer != null
                ? "agent '" + peer + "' (its certificate's name) cannot send as '" + from + "'"
                : "this stream belongs to '" + l.identity + "' and cannot send as '" + from + "'";
        LOG.log(System.Logger.Level.WARNING, "refused a " + e.getBodyCase() + ": " + why);
        close(Status.PERMISSION_DENIED.withDescription(why));
        return;
      }
      ChildLink target = l;
      // Decoding parses descriptors: do it off the transport thread, in the link's order.
      l.serial.execute(() -> {
        try {
          Message m;
          try {
            m = MessageCodec.decode(e);
          } catch (IllegalArgumentException ex) {
            undecodable.incrementAndGet();
            if (!warnedUndecodable) {
              warnedUndecodable = true;
              LOG.log(
                  System.Logger.Level.WARNING,
                  "dropped an undecodable message from " + target.identity + " ("
                      + ex.getMessage() + "); further ones on this stream are only counted");
            }
            return;
          }
          target.handler.accept(m);
        } finally {
          out.request(1);
        }
      });
    }

    @Override
    public void onError(Throwable t) {
      ended();
    }

    @Override
    public void onCompleted() {
      // The child half-closed: it is going away, so finish our side too.
      close(Status.OK);
    }
  }

  /** The parent agent's view of one child, across that child's streams. */
  private final class ChildLink implements Link {
    final String identity;
    final SerialExecutor serial;
    ChildStream stream; // guarded by this
    volatile String certifiedCluster;
    volatile Consumer<Message> handler = m -> {};
    volatile Consumer<Boolean> connectionListener = up -> {};

    ChildLink(String identity, SerialExecutor serial) {
      this.identity = identity;
      this.serial = serial;
    }

    void fireConnection(boolean up) {
      serial.execute(() -> connectionListener.accept(up));
    }

    @Override
    public boolean send(Message message) {
      ChildStream s;
      synchronized (this) {
        s = stream;
      }
      if (s == null || closed) {
        return false;
      }
      Envelope e;
      try {
        e = MessageCodec.encode(message);
      } catch (RuntimeException ex) {
        LOG.log(System.Logger.Level.WARNING, "cannot encode " + message.getClass().getSimpleName()
            + " for " + identity + ": " + ex.getMessage());
        return false;
      }
      return s.write(e);
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
    public synchronized boolean isConnected() {
      return stream != null && !closed;
    }

    @Override
    public boolean crossesProcess() {
      return true;
    }

    @Override
    public Optional<String> certifiedCluster() {
      return Optional.ofNullable(certifiedCluster);
    }

    @Override
    public String toString() {
      return "GrpcLinkServer.ChildLink[" + identity + "]";
    }
  }

  /**
   * Configures a {@link GrpcLinkServer}. Defaults: all interfaces, port 0 (any free port), mTLS
   * (credentials required unless {@link #insecure()}), keepalive every 2 s with a 3 s timeout,
   * callbacks on a small pool owned by the server.
   */
  public static final class Builder {
    private String host;
    private int port;
    private AgentCredentials credentials;
    private boolean insecureRequested;
    private Consumer<Link> onChild;
    private Executor executor;
    private Duration keepAliveTime = Duration.ofSeconds(2);
    private Duration keepAliveTimeout = Duration.ofSeconds(3);

    private Builder() {}

    /** The port to listen on; 0 picks a free one (see {@link GrpcLinkServer#port()}). */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      this.port = port;
      return this;
    }

    /** Listens on one address only (e.g. {@code 127.0.0.1}) instead of all interfaces. */
    public Builder bindAddress(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /**
     * The parent agent's credentials: its certificate is the server certificate, and children
     * must present certificates from the same CA.
     */
    public Builder tls(AgentCredentials credentials) {
      this.credentials = Objects.requireNonNull(credentials, "credentials");
      return this;
    }

    /**
     * Serves plaintext without authenticating children. Only for development behind a trusted
     * network; the server logs a warning when it starts.
     */
    public Builder insecure() {
      this.insecureRequested = true;
      return this;
    }

    /**
     * Called once per child identity, with the link to that child, before the child's first
     * message is delivered. Required. Typically {@code agent::attach}.
     */
    public Builder onChild(Consumer<Link> onChild) {
      this.onChild = Objects.requireNonNull(onChild, "onChild");
      return this;
    }

    /** Where handlers and listeners run (each link's callbacks stay one at a time, in order). */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * How often the server pings each child (HTTP/2 keepalive and a link-level ping), and how
     * long it waits for an answer before dropping the connection. A dead child is noticed within
     * about {@code time + timeout}; a child notices a dead parent within a few {@code time}s.
     */
    public Builder keepAlive(Duration time, Duration timeout) {
      Objects.requireNonNull(time, "time");
      Objects.requireNonNull(timeout, "timeout");
      if (time.toMillis() < 100 || timeout.toMillis() < 100) {
        throw new IllegalArgumentException("keepalive time and timeout must be at least 100 ms");
      }
      this.keepAliveTime = time;
      this.keepAliveTimeout = timeout;
      return this;
    }

    /**
     * Starts listening.
     *
     * @return the running server
     * @throws IllegalStateException when neither or both of {@link #tls} and {@link #insecure()}
     *     were chosen, or {@link #onChild} is missing
     * @throws IOException when the port cannot be bound
     */
    public GrpcLinkServer start() throws IOException {
      if (onChild == null) {
        throw new IllegalStateException("onChild is required");
      }
      if (credentials == null && !insecureRequested) {
        throw new IllegalStateException("choose tls(credentials) or, explicitly, insecure()");
      }
      if (credentials != null && insecureRequested) {
        throw new IllegalStateException("tls(credentials) and insecure() exclude each other");
      }
      return new GrpcLinkServer(this);
    }
  }

  @Override
  public String toString() {
    return "GrpcLinkServer[port " + port() + (insecure ? ", insecure" : ", mTLS") + ", children "
        + new ArrayList<>(children()) + "]";
  }
}
