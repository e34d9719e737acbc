package eu.mlsysops.northbound.api;

import eu.mlsysops.agent.tier.ContinuumPort;
import eu.mlsysops.agent.tier.EmbeddedContinuum;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The northbound API server over a {@link ContinuumPort} (an {@link EmbeddedContinuum}, whether
 * its agents run in it or in processes of their own): the reference-compatible routes,
 * {@code /api/v1}, the event stream and the dashboard (see {@code docs/api.md}).
 *
 * <pre>{@code
 * NorthboundEvents events = NorthboundEvents.forwardingTo(printer);
 * EmbeddedContinuum continuum = EmbeddedContinuum.builder(dir).events(events).build().start();
 * try (NorthboundServer server = NorthboundServer.builder(continuum).dataDir(dir)
 *     .events(events).build().start()) { ... }
 * }</pre>
 */
public final class NorthboundServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NorthboundServer.class);
  static final String DASHBOARD = "/eu/mlsysops/northbound/dashboard";
  static final String OPENAPI = "/eu/mlsysops/northbound/api/openapi.json";

  private final ContinuumPort continuum;
  private final Path dataDir;
  private final String bind;
  private final int requestedPort;
  private final boolean auth;
  private final NorthboundEvents events;
  private final java.util.Set<String> descriptorHosts;
  private final eu.mlsysops.model.AppLimits appLimits;
  private final DeveloperQuota quota;
  private final JoinSettings joining;
  private final AtomicLong internalErrors = new AtomicLong();

  private TokenStore tokens;
  private NorthboundStore store;
  private EventStream stream;
  private DescriptorInput input;
  private RouteTable routes;
  private Javalin app;
  private boolean closed;

  private NorthboundServer(Builder b) {
    this.continuum = b.continuum;
    this.dataDir = b.dataDir;
    this.bind = b.bind;
    this.requestedPort = b.port;
    this.auth = b.auth;
    this.events = b.events;
    this.descriptorHosts = b.descriptorHosts;
    this.quota = b.quota;
    this.joining = b.joining;
    this.appLimits = b.appLimits;
  }

  /**
   * A builder. Defaults: bind 127.0.0.1, port 8080, authentication on, a fresh event hub (pass
   * the one the continuum was built with, or the API sees no events). The data directory is
   * required.
   */
  public static Builder builder(ContinuumPort continuum) {
    return new Builder(continuum);
  }

  /**
   * Opens the token store (creating the admin token on first start), the ownership store, and
   * starts listening.
   *
   * @throws PortUnavailableException when the address or port cannot be bound
   * @throws IllegalStateException when the data directory cannot be used
   */
  public synchronized NorthboundServer start() {
    if (app != null) {
      throw new IllegalStateException("already started");
    }
    tokens = TokenStore.open(dataDir);
    store = NorthboundStore.open(dataDir.resolve("northbound.db"));
    ContinuumViews views = new ContinuumViews(continuum, store, events);
    JoinRoutes join = new JoinRoutes(continuum, views, joining,
        new JoinTokens(dataDir, java.time.Clock.systemUTC()));
    InfraRegistry infra = new InfraRegistry(continuum, store, views, join);
    // Fetching descriptors from internal addresses is only safe when every caller is local.
    DescriptorInput input = new DescriptorInput(isLoopback(bind), descriptorHosts, appLimits);
    this.input = input;
    TokenStore issued = tokens;
    stream = new EventStream(events, views, auth ? issued::valid : name -> true);
    infra.restoreNodes();
    String openapi = resource(OPENAPI);
    boolean dashboard = NorthboundServer.class.getResource(DASHBOARD + "/index.html") != null;

    Javalin created = Javalin.create(c -> {
      configure(c, dashboard);
      routes = new RouteTable(c.routes, auth ? tokens : null);
      PlacementRoutes placement = new PlacementRoutes(continuum, views);
      new AppRoutes(continuum, store, events, views, input, placement, quota).register(routes);
      placement.register(routes);
      new SystemRoutes(continuum, views, infra, input, tokens, auth).register(routes);
      join.register(routes);
      new PolicyRoutes(continuum).register(routes);
      new ConfigRoutes(continuum).register(routes);
      new TelemetryRoutes(continuum, views).register(routes);
      new ModelRoutes(continuum, views).register(routes);
      stream.register(routes);
      routes.get("/api/v1/openapi.json", null,
          (ctx, who) -> ctx.status(200).contentType(Json.JSON).result(openapi));
    });
    try {
      created.start(bind, requestedPort);
    } catch (RuntimeException e) {
      store.close();
      if (isBindFailure(e)) {
        throw new PortUnavailableException(bind, requestedPort, e);
      }
      throw e;
    }
    app = created;
    if (!auth) {
      LOG.warn("authentication is disabled (--no-auth): anyone who can reach {}:{} controls the"
          + " continuum", bind, port());
    }
    return this;
  }

  private static boolean isLoopback(String host) {
    try {
      return java.net.InetAddress.getByName(host).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  /**
   * The dashboard loads only its own scripts (modules, no inline script), styles (its stylesheet,
   * and inline styles its charts set) and data from this server.
   */
  static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self';"
      + " style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self';"
      + " object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  private void configure(JavalinConfig c, boolean dashboard) {
    c.startup.showJavalinBanner = false;
    c.startup.showOldJavalinVersionWarning = false;
    c.http.maxRequestSize = RequestBodies.MAX_BYTES;
    // Model, data, code and env files for the ML Connector (its own limit, not the 1 MiB of JSON).
    c.jetty.multipartConfig.maxFileSize(eu.mlsysops.mlconnector.MlService.MAX_UPLOAD_BYTES,
        io.javalin.config.SizeUnit.BYTES);
    c.jetty.multipartConfig.maxTotalRequestSize(
        eu.mlsysops.mlconnector.MlService.MAX_UPLOAD_BYTES + 1024 * 1024,
        io.javalin.config.SizeUnit.BYTES);
    c.jetty.multipartConfig.maxInMemoryFileSize(1024 * 1024, io.javalin.config.SizeUnit.BYTES);
    c.jetty.modifyServer(server -> server.setErrorHandler(new ProblemErrorHandler()));
    c.router.ignoreTrailingSlashes = true;
    if (dashboard) {
      c.staticFiles.add(sf -> {
        sf.hostedPath = "/";
        sf.directory = DASHBOARD;
        sf.location = Location.CLASSPATH;
      });
    }
    // Every answer, dashboard and API: no inline scripts, no framing, no sniffing, no referrer.
    c.routes.before(ctx -> {
      ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
      ctx.header("X-Content-Type-Options", "nosniff");
      ctx.header("X-Frame-Options", "DENY");
      ctx.header("Referrer-Policy", "no-referrer");
    });
    c.routes.exception(ApiProblem.class, (e, ctx) -> {
      if (e.retryAfterSeconds() > 0) {
        ctx.header("Retry-After", Integer.toString(e.retryAfterSeconds()));
      }
      Json.problem(ctx, e.status(), e.getMessage(), e.errors());
    });
    c.routes.exception(HttpResponseException.class, (e, ctx) -> {
      if (e.getStatus() == 404 && e instanceof io.javalin.http.NotFoundResponse) {
        notFound(ctx); // Javalin's own "no endpoint" answer
        return;
      }
      Json.problem(ctx, e.getStatus(),
          e.getMessage() == null || e.getMessage().isBlank() ? ApiProblem.title(e.getStatus())
              : e.getMessage(), List.of());
    });
    c.routes.exception(Exception.class, (e, ctx) -> {
      internalErrors.incrementAndGet();
      LOG.error("{} failed", describe(ctx), e);
      Json.problem(ctx, 500, "the server failed to handle this request; the error is in its log",
          List.of());
    });
    c.routes.error(404, ctx -> {
      if (ctx.attribute(Json.PROBLEM_WRITTEN) == null) {
        notFound(ctx);
      }
    });
  }

  /** 404 for an unknown path; 405 with {@code Allow} when the path exists for other methods. */
  private void notFound(io.javalin.http.Context ctx) {
    List<String> allowed = routes == null ? List.of() : routes.methodsFor(ctx.path());
    if (!allowed.isEmpty() && !allowed.contains(ctx.method().name())) {
      ctx.header("Allow", String.join(", ", allowed));
      Json.problem(ctx, 405, "method " + ctx.method() + " is not allowed on " + ctx.path()
          + " (allowed: " + String.join(", ", allowed) + ")", List.of());
    } else {
      Json.problem(ctx, 404, "no route " + ctx.method() + " " + ctx.path(), List.of());
    }
  }

  private static String describe(io.javalin.http.Context ctx) {
    try {
      return ctx.method() + " " + ctx.path();
    } catch (RuntimeException e) {
      return "a request"; // the request is already gone (client disconnected)
    }
  }

  private static boolean isBindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException || t instanceof io.javalin.util.JavalinBindException) {
        return true;
      }
    }
    return false;
  }

  private static String resource(String path) {
    try (InputStream in = NorthboundServer.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read resource " + path, e);
    }
  }

  /** The port the server listens on (the actual one when built with port 0). */
  public int port() {
    Javalin a = app;
    if (a == null) {
      throw new IllegalStateException("not started");
    }
    return a.port();
  }

  /** Where {@code mls up} wrote the admin token (created on first start). */
  public Path adminTokenFile() {
    return dataDir.resolve("admin.token");
  }

  /** The token store (to create tokens without going through the API). */
  public TokenStore tokens() {
    if (tokens == null) {
      throw new IllegalStateException("not started");
    }
    return tokens;
  }

  /** Unexpected failures answered with 500 so far (bad input never counts here). */
  long internalErrors() {
    return internalErrors.get();
  }

  RouteTable routes() {
    return routes;
  }

  NorthboundEvents events() {
    return events;
  }

  /** Stops listening (open event streams end first) and closes the stores; idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (stream != null) {
      stream.close();
    }
    if (app != null) {
      app.stop();
    }
    if (store != null) {
      store.close();
    }
    if (input != null) {
      input.close();
    }
  }

  /** The address or port could not be bound (most often: the port is taken). */
  public static final class PortUnavailableException extends IllegalStateException {
    private final int port;

    PortUnavailableException(String bind, int port, Throwable cause) {
      super("cannot listen on " + bind + ":" + port + " (" + rootMessage(cause) + ")", cause);
      this.port = port;
    }

    /** The port asked for. */
    public int port() {
      return port;
    }

    private static String rootMessage(Throwable t) {
      Throwable r = t;
      while (r.getCause() != null) {
        r = r.getCause();
      }
      return r.getMessage() == null ? r.getClass().getSimpleName() : r.getMessage();
    }
  }

  /** Builder for {@link NorthboundServer}. */
  public static final class Builder {
    private final ContinuumPort continuum;
    private Path dataDir;
    private String bind = "127.0.0.1";
    private int port = 8080;
    private boolean auth = true;
    private NorthboundEvents events = NorthboundEvents.create();
    private java.util.Set<String> descriptorHosts = java.util.Set.of();
    private eu.mlsysops.model.AppLimits appLimits = eu.mlsysops.model.AppLimits.DEFAULT;
    private DeveloperQuota quota = DeveloperQuota.defaults();
    private JoinSettings joining;

    private Builder(ContinuumPort continuum) {
      this.continuum = Objects.requireNonNull(continuum, "continuum");
    }

    /** Where {@code tokens.json}, {@code admin.token} and {@code northbound.db} live. */
    public Builder dataDir(Path dataDir) {
      this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
      return this;
    }

    /** The address to listen on (default 127.0.0.1; 0.0.0.0 for every interface). */
    public Builder bind(String bind) {
      this.bind = Objects.requireNonNull(bind, "bind");
      return this;
    }

    /** The port (default 8080; 0 picks a free one, see {@link NorthboundServer#port()}). */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be 0..65535, got " + port);
      }
      this.port = port;
      return this;
    }

    /** Whether bearer tokens are required (default true). */
    public Builder auth(boolean auth) {
      this.auth = auth;
      return this;
    }

    /**
     * Hosts from which any caller who may deploy can have descriptors fetched ({@code {"uri":
     * …}}); from other hosts only admins can (default: none).
     */
    /** What one app descriptor may ask for (default {@link eu.mlsysops.model.AppLimits#DEFAULT}). */
    public Builder appLimits(eu.mlsysops.model.AppLimits limits) {
      this.appLimits = java.util.Objects.requireNonNull(limits, "appLimits");
      return this;
    }

    public Builder descriptorHosts(java.util.Collection<String> hosts) {
      this.descriptorHosts = java.util.Set.copyOf(hosts);
      return this;
    }

    /** What each developer's apps may ask for together (default {@link DeveloperQuota#defaults}). */
    public Builder developerQuota(DeveloperQuota quota) {
      this.quota = Objects.requireNonNull(quota, "quota");
      return this;
    }

    /**
     * Lets remote nodes join the continuum's clusters (clusters in other processes only): the CA
     * that signs their certificates and where each cluster listens. Without it (null) the join
     * routes answer 409 with the reason.
     */
    public Builder joining(JoinSettings joining) {
      this.joining = joining;
      return this;
    }

    /** The event hub the continuum publishes to. */
    public Builder events(NorthboundEvents events) {
      this.events = Objects.requireNonNull(events, "events");
      return this;
    }

    public NorthboundServer build() {
      if (dataDir == null) {
        throw new IllegalStateException("the data directory is required: call dataDir(...)");
      }
      return new NorthboundServer(this);
    }
  }
}
