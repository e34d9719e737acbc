package eu.mlsysops.telemetry.otlp;

import eu.mlsysops.telemetry.Labels;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Who may write telemetry to a node's OTLP receivers. With {@link #tokens} every request carries
 * a bearer token ({@code Authorization: Bearer …}; the SDKs send it from {@code
 * OTEL_EXPORTER_OTLP_HEADERS}) that the runtime minted for one instance ({@link #mint}); it names
 * the instance's node, app, component and instance and is signed (HMAC-SHA256) with a key only
 * the agent holds, so nothing needs storing and nothing can be forged. Series that name another
 * node, app, component or instance than the sender's, or a metric the node records itself, are
 * refused, and those that name none are stored as the sender's: an instance reports only as
 * itself ({@link Source#own}). {@link #anyone} lets every request in (local development on loopback).
 */
public final class OtlpCredentials {
  private static final String PREFIX = "mlsotel_";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();
  private static final OtlpCredentials ANYONE = new OtlpCredentials(null);

  private final byte[] key;

  private OtlpCredentials(byte[] key) {
    this.key = key;
  }

  /**
   * Who sent a request: an instance, or {@link #ANYONE} where no token is asked for.
   *
   * @param node the instance's node
   * @param app its app
   * @param component its component
   * @param instance its instance id
   */
  public record Source(String node, String app, String component, String instance) {
    /** A request where credentials are not asked for: it may write any series. */
    public static final Source ANYONE = new Source(null, null, null, null);

    /**
     * Metric name prefixes of what a node agent records itself (host figures, trust, its own
     * health): no instance may write them, whatever its labels.
     */
    public static final List<String> NODE_OWN_PREFIXES = List.of("node_", "mlsysops_", "mls_");

    /**
     * What a node's runtime measures of each instance (autoscaling reads them): no instance may
     * write them either. Other {@code component_*} names (e.g. a request rate) stay the app's.
     */
    public static final List<String> RUNTIME_MEASURED = List.of("component_cpu_utilization",
        "component_cpu_seconds_total", "component_memory_bytes", "component_restarts_total");

    /** Whether a series with these labels may come from this source. */
    public boolean permits(Labels labels) {
      return this == ANYONE
          || (same(labels.get("node"), node) && same(labels.get("app"), app)
              && same(labels.get("component"), component)
              && same(labels.get("instance"), instance));
    }

    /**
     * The labels a series of this source is stored under: what it sent, with the source's node,
     * app, component and instance added where it named none, so that whatever an instance sends
     * is its own (its app's budget, its app's tenant). Null when the series names another node,
     * app, component or instance, or is a metric the node keeps for itself ({@link
     * #NODE_OWN_PREFIXES}). {@link #ANYONE}'s series are stored as sent.
     */
    public Labels own(String metric, Labels labels) {
      if (this == ANYONE) {
        return labels;
      }
      if (!permits(labels) || nodeOwn(metric)) {
        return null;
      }
      Labels out = labels;
      out = stamp(out, "node", node);
      out = stamp(out, "app", app);
      out = stamp(out, "component", component);
      return stamp(out, "instance", instance);
    }

    private static boolean nodeOwn(String metric) {
      if (RUNTIME_MEASURED.contains(metric)) {
        return true;
      }
      for (String p : NODE_OWN_PREFIXES) {
        if (metric.startsWith(p)) {
          return true;
        }
      }
      return false;
    }

    private static Labels stamp(Labels labels, String name, String own) {
      return own == null || labels.get(name) != null ? labels : labels.with(name, own);
    }

    private static boolean same(String label, String own) {
      return label == null || label.equals(own);
    }

    @Override
    public String toString() {
      return this == ANYONE ? "anyone" : app + "/" + component + "/" + instance + "@" + node;
    }
  }

  /** No token asked for: every request may write any series. */
  public static OtlpCredentials anyone() {
    return ANYONE;
  }

  /** Tokens signed with {@code key} (at least 32 bytes). */
  public static OtlpCredentials tokens(byte[] key) {
    if (Objects.requireNonNull(key, "key").length < 32) {
      throw new IllegalArgumentException("key: at least 32 bytes");
    }
    return new OtlpCredentials(key.clone());
  }

  /** Tokens signed with a fresh random key (tokens die with this object). */
  public static OtlpCredentials randomTokens() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return new OtlpCredentials(key);
  }

  /** Whether requests must carry a token. */
  public boolean required() {
    return key != null;
  }

  /** The token of one instance. */
  public String mint(Source s) {
    if (key == null) {
      throw new IllegalStateException("no tokens where anyone may write");
    }
    String claims = B64.encodeToString(String.join("\n", s.node(), s.app(), s.component(),
        s.instance()).getBytes(StandardCharsets.UTF_8));
    return PREFIX + claims + "." + B64.encodeToString(mac(claims));
  }

  /**
   * The source an {@code Authorization} header stands for: {@link Source#ANYONE} where no token
   * is asked for, empty when one is and the header has none, a malformed one or a forged one.
   */
  public Optional<Source> verify(String authorization) {
    if (key == null) {
      return Optional.of(Source.ANYONE);
    }
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    String token = authorization.substring(7).trim();
    int dot = token.lastIndexOf('.');
    if (!token.startsWith(PREFIX) || dot < PREFIX.length()) {
      return Optional.empty();
    }
    String claims = token.substring(PREFIX.length(), dot);
    try {
      if (!MessageDigest.isEqual(mac(claims), B64D.decode(token.substring(dot + 1)))) {
        return Optional.empty();
      }
      String[] f = new String(B64D.decode(claims), StandardCharsets.UTF_8).split("\n", -1);
      return f.length == 4 ? Optional.of(new Source(f[0], f[1], f[2], f[3])) : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** {@code OTEL_EXPORTER_OTLP_HEADERS} carrying a token, as the SDKs read it. */
  public static String headersVariable(String token) {
    return "Authorization=Bearer%20" + token;
  }

  private byte[] mac(String claims) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(key, "HmacSHA256"));
      return m.doFinal(claims.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
