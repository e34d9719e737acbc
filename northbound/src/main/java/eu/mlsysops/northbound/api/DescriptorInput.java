package eu.mlsysops.northbound.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Descriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.AppLimits;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.model.ParseResult;
import eu.mlsysops.model.Problem;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.SocketAddressResolver;

/**
 * Turns request bodies into validated descriptors, or a 400 that lists every problem.
 *
 * <p>A descriptor given by {@code uri} is fetched by the server, so the fetch must not become a
 * way into networks only the server can reach (server-side request forgery), nor a way to tie up
 * its threads:
 *
 * <ul>
 *   <li>only admins may ask for a fetch, unless the host is on the allow-list ({@code mls up
 *       --descriptor-hosts});
 *   <li>link-local addresses (cloud metadata services live at 169.254.169.254), multicast and the
 *       unspecified address are always refused; loopback and private addresses only when the
 *       server itself listens on loopback (then every caller is local anyway). The check is made
 *       on the addresses the client connects to, as it resolves them, so a name that resolves
 *       differently the second time (DNS rebinding) gains nothing;
 *   <li>one deadline of {@value #FETCH_SECONDS} s covers the whole fetch, redirects and body
 *       included; at most 1 MiB is read; at most {@value #MAX_CONCURRENT} fetches run at once
 *       (503 beyond);
 *   <li>redirects are followed by hand, at most {@value #MAX_REDIRECTS}, to the same host only;
 *   <li>nothing fetched is ever quoted back: a document that does not parse is answered with the
 *       number of problems and where they are, not what it says.
 * </ul>
 */
final class DescriptorInput implements AutoCloseable {
  static final int FETCH_SECONDS = 10;
  static final int MAX_REDIRECTS = 5;
  static final int MAX_CONCURRENT = 4;
  /**
   * Descriptors parsed at once: a 1 MiB document costs tens of MB while it is parsed, so dozens at
   * once would fill a small heap (one of issue 21's findings). Others wait up to {@value
   * #PARSE_WAIT_SECONDS} s for their turn, then get 503.
   */
  static final int MAX_CONCURRENT_PARSES = 4;
  static final int PARSE_WAIT_SECONDS = 10;

  private final boolean allowPrivateAddresses;
  private final Set<String> openHosts;
  private final Duration deadline;
  private final Semaphore fetches = new Semaphore(MAX_CONCURRENT);
  private final Semaphore parses;
  private final Duration parseWait;
  private final ParseOptions options;
  private final HttpClient http = new HttpClient();

  /**
   * @param allowPrivateAddresses whether {@code uri} may name loopback and private addresses
   * @param openHosts hosts any caller with deploy rights may fetch from (others: admins only)
   */
  DescriptorInput(boolean allowPrivateAddresses, Set<String> openHosts) {
    this(allowPrivateAddresses, openHosts, AppLimits.DEFAULT);
  }

  /** @param limits what one app may ask for ({@code mls up --app-limits}) */
  DescriptorInput(boolean allowPrivateAddresses, Set<String> openHosts, AppLimits limits) {
    this(allowPrivateAddresses, openHosts, Duration.ofSeconds(FETCH_SECONDS),
        MAX_CONCURRENT_PARSES, Duration.ofSeconds(PARSE_WAIT_SECONDS), limits);
  }

  /** @param deadline how long a whole fetch may take (tests shorten it) */
  DescriptorInput(boolean allowPrivateAddresses, Set<String> openHosts, Duration deadline) {
    this(allowPrivateAddresses, openHosts, deadline, MAX_CONCURRENT_PARSES,
        Duration.ofSeconds(PARSE_WAIT_SECONDS), AppLimits.DEFAULT);
  }

  /**
   * @param parsesAtOnce descriptors parsed at once
   * @param parseWait how long a descriptor waits for its turn before the request gets 503
   */
  DescriptorInput(boolean allowPrivateAddresses, Set<String> openHosts, Duration deadline,
      int parsesAtOnce, Duration parseWait, AppLimits limits) {
    this.options = ParseOptions.DEFAULT.withLimits(limits);
    this.parses = new Semaphore(parsesAtOnce, true);
    this.parseWait = parseWait;
    this.deadline = deadline;
    this.allowPrivateAddresses = allowPrivateAddresses;
    this.openHosts = openHosts.stream().map(h -> h.toLowerCase(Locale.ROOT))
        .collect(java.util.stream.Collectors.toUnmodifiableSet());
    http.setFollowRedirects(false);
    http.setConnectTimeout(Duration.ofSeconds(5).toMillis());
    // Blocking resolution is fine: at most MAX_CONCURRENT fetches resolve at once.
    SocketAddressResolver resolver = new SocketAddressResolver.Sync();
    http.setSocketAddressResolver((host, port, context, promise) -> resolver.resolve(host, port,
        context, Promise.from(addresses -> {
          String refused = refusal(host, addresses);
          if (refused == null) {
            promise.succeeded(addresses);
          } else {
            promise.failed(new RefusedAddress(refused));
          }
        }, promise::failed)));
    try {
      http.start();
    } catch (Exception e) {
      throw new IllegalStateException("the descriptor fetch client did not start: " + e, e);
    }
  }

  /** An address the fetch must not connect to. */
  private static final class RefusedAddress extends Exception {
    RefusedAddress(String message) {
      super(message, null, false, false);
    }
  }

  @Override
  public void close() {
    try {
      http.stop();
    } catch (Exception e) {
      // stopping: nothing else to do
    }
  }

  /** A descriptor's text and where it came from. */
  record Text(String text, String source, boolean fetched) {}

  /** A parsed descriptor and the warnings it was accepted with. */
  record Parsed<T extends Descriptor>(T descriptor, List<Problem> warnings) {}

  /** Exactly one app from YAML or JSON text. */
  Parsed<AppDescriptor> app(String text, String source) {
    return app(new Text(text, source, false));
  }

  /** Exactly one app; from a fetched document, errors say where, never what it says. */
  Parsed<AppDescriptor> app(Text t) {
    Parsed<Descriptor> p = one(t);
    if (!(p.descriptor() instanceof AppDescriptor app)) {
      throw ApiProblem.badRequest("expected an MLSysOpsApp, got " + p.descriptor().kind().wireName());
    }
    return new Parsed<>(app, p.warnings());
  }

  /** Exactly one descriptor of any kind from YAML or JSON text. */
  Parsed<Descriptor> one(String text, String source) {
    return one(new Text(text, source, false));
  }

  private ParseResult parse(Text t) {
    try {
      if (!parses.tryAcquire(parseWait.toMillis(), TimeUnit.MILLISECONDS)) {
        throw ApiProblem.busy("the server is parsing as many descriptors as it parses at once;"
            + " try again", (int) Math.max(1, parseWait.toSeconds()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiProblem(503, "interrupted while waiting to parse the descriptor");
    }
    try {
      return Descriptors.parse(t.text(), t.source(), options);
    } finally {
      parses.release();
    }
  }

  /** Exactly one descriptor of any kind. */
  Parsed<Descriptor> one(Text t) {
    if (t.text() == null || t.text().isBlank()) {
      throw ApiProblem.badRequest("the descriptor is empty");
    }
    ParseResult r = parse(t);
    if (r.hasErrors() && t.fetched()) {
      // Messages quote values; a fetched document could be any file the server can reach.
      throw ApiProblem.badRequest("the document at \"uri\" is not a valid descriptor: "
          + r.errors().size() + (r.errors().size() == 1 ? " error" : " errors") + " at "
          + String.join(", ", r.errors().stream().map(Problem::path).distinct().limit(10)
              .toList()) + " (upload it to see them)");
    }
    if (r.hasErrors()) {
      throw ApiProblem.invalidDescriptor(
          "the descriptor has " + r.errors().size() + (r.errors().size() == 1 ? " error" : " errors"),
          r.problems());
    }
    if (r.descriptors().size() != 1) {
      throw ApiProblem.badRequest("expected one descriptor, found " + r.descriptors().size());
    }
    return new Parsed<>(r.descriptors().get(0), r.warnings());
  }

  /**
   * The descriptor text of a reference-style body: {@code {"yaml": <object or YAML string>}} or
   * {@code {"uri": "http://…"}}.
   */
  Text referenceBody(ObjectNode body, Principal who) {
    JsonNode yaml = body.get("yaml");
    if (yaml != null && !yaml.isNull()) {
      if (yaml.isTextual()) {
        return new Text(yaml.asText(), "request.yaml", false);
      }
      if (yaml.isObject()) {
        return new Text(Json.write(yaml), "request.yaml", false);
      }
      throw ApiProblem.badRequest("\"yaml\" must be a descriptor object or a YAML string");
    }
    JsonNode uri = body.get("uri");
    if (uri != null && !uri.isNull()) {
      if (!uri.isTextual()) {
        throw ApiProblem.badRequest("\"uri\" must be a string");
      }
      return new Text(fetch(uri.asText(), who), "uri", true);
    }
    throw ApiProblem.badRequest("the body needs \"yaml\" (the descriptor) or \"uri\" (where to fetch it)");
  }

  private String fetch(String text, Principal who) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw ApiProblem.badRequest("\"uri\" is not a URI: " + e.getMessage());
    }
    checkScheme(uri);
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    if (who.role() != Role.ADMIN && !openHosts.contains(host)) {
      throw new ApiProblem(403, "\"uri\": only admins may have the server fetch descriptors"
          + (openHosts.isEmpty() ? "" : " from hosts other than " + String.join(", ",
              new java.util.TreeSet<>(openHosts))) + "; send the descriptor itself");
    }
    if (!fetches.tryAcquire()) {
      throw new ApiProblem(503, "\"uri\": " + MAX_CONCURRENT
          + " descriptor fetches are in progress, the most the server runs at once; try again");
    }
    try {
      long end = System.nanoTime() + deadline.toNanos();
      for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
        long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
        if (left <= 0) {
          break;
        }
        Request request = http.newRequest(uri).timeout(left, TimeUnit.MILLISECONDS);
        ContentResponse res;
        try {
          res = new CompletableResponseListener(request, RequestBodies.MAX_BYTES).send()
              .get(left + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
          throw failure(e.getCause());
        } catch (TimeoutException e) {
          request.abort(e);
          break;
        }
        int status = res.getStatus();
        String location = res.getHeaders().get("Location");
        if (status / 100 == 3 && location != null) {
          URI next = uri.resolve(location.trim());
          checkScheme(next);
          if (!next.getHost().equalsIgnoreCase(uri.getHost())) {
            throw ApiProblem.badRequest("\"uri\": redirected to another host ("
                + next.getHost() + "); the server follows redirects on the same host only");
          }
          uri = next;
          continue;
        }
        if (status / 100 != 2) {
          throw ApiProblem.badRequest("failed to fetch data from URI: HTTP " + status);
        }
        return res.getContentAsString();
      }
      throw ApiProblem.badRequest("failed to fetch data from URI: not done within "
          + deadline.toMillis() + " ms, or more than " + MAX_REDIRECTS + " redirects");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiProblem(503, "interrupted while fetching the URI");
    } catch (IllegalArgumentException e) {
      throw ApiProblem.badRequest("\"uri\" cannot be fetched: " + e.getMessage());
    } finally {
      fetches.release();
    }
  }

  /** What went wrong, said without anything the far side sent. */
  private static ApiProblem failure(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof RefusedAddress r) {
        return ApiProblem.badRequest("\"uri\": " + r.getMessage());
      }
      if (t.getMessage() != null && t.getMessage().startsWith("Buffering capacity")) {
        return new ApiProblem(413, "the document at \"uri\" is larger than 1 MiB");
      }
      if (t instanceof TimeoutException) {
        return ApiProblem.badRequest("failed to fetch data from URI: not done in time");
      }
    }
    return ApiProblem.badRequest("failed to fetch data from URI: "
        + (cause instanceof java.net.UnknownHostException ? "unknown host"
            : cause.getClass().getSimpleName()));
  }

  private static void checkScheme(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
      throw ApiProblem.badRequest("\"uri\" must be an http or https URL");
    }
  }

  /** Why the client must not connect to any of {@code addresses}, or null when it may. */
  private String refusal(String host, List<InetSocketAddress> addresses) {
    for (InetSocketAddress sa : addresses) {
      InetAddress a = sa.getAddress();
      if (a == null) {
        return host + " did not resolve";
      }
      boolean never = a.isLinkLocalAddress() || a.isMulticastAddress() || a.isAnyLocalAddress();
      boolean internal = a.isLoopbackAddress() || a.isSiteLocalAddress() || isUniqueLocal(a)
          || isCarrierGradeNat(a);
      if (never || internal && !allowPrivateAddresses) {
        return host + " resolves to " + a.getHostAddress()
            + ", an address this server does not fetch from"
            + (never ? "" : " (it listens beyond loopback; upload the descriptor instead)");
      }
    }
    return null;
  }

  /** IPv6 unique local addresses, fc00::/7 (Java's isSiteLocalAddress knows only fec0::/10). */
  private static boolean isUniqueLocal(InetAddress a) {
    return a instanceof Inet6Address && (a.getAddress()[0] & 0xFE) == 0xFC;
  }

  /** 100.64.0.0/10, shared address space often used inside clouds. */
  private static boolean isCarrierGradeNat(InetAddress a) {
    byte[] b = a.getAddress();
    return b.length == 4 && (b[0] & 0xFF) == 100 && (b[1] & 0xC0) == 64;
  }
}
