package eu.mlsysops.telemetry.otlp;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * How OTLP receivers authenticate ({@code --otlp-auth}, {@code otlp_auth:}): {@code token}
 * (every request carries an instance's token), {@code none} (anyone may write: local development
 * only) or {@code auto}, the default: {@code token} where receivers are reachable from other
 * hosts, or where tenants' instances run as processes of this host (they reach loopback too);
 * {@code none} only on a loopback address with no such instances (simulated or containerised
 * workloads), so that no workload ever writes telemetry as another.
 */
public enum OtlpAuthMode {
  AUTO,
  TOKEN,
  NONE;

  /**
   * Reads a mode.
   *
   * @throws IllegalArgumentException naming the allowed values
   */
  public static OtlpAuthMode parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException("\"" + text + "\" is not auto, token or none");
    }
  }

  /**
   * Whether receivers bound to {@code bind} ask for tokens.
   *
   * @param localWorkloads whether instances run as processes of this host
   */
  public boolean tokens(String bind, boolean localWorkloads) {
    return this == TOKEN || (this == AUTO && (localWorkloads || !loopback(bind)));
  }

  /** Whether {@code bind} reaches only this host. */
  public static boolean loopback(String bind) {
    try {
      return InetAddress.getByName(bind).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * The credentials receivers bound to {@code bind} use: fresh random tokens, or anyone.
   *
   * @param localWorkloads whether instances run as processes of this host
   */
  public OtlpCredentials credentials(String bind, boolean localWorkloads) {
    return tokens(bind, localWorkloads) ? OtlpCredentials.randomTokens()
        : OtlpCredentials.anyone();
  }
}
