package eu.mlsysops.telemetry.otlp;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * How OTLP receivers authenticate ({@code --otlp-auth}, {@code otlp_auth:}): {@code token}
 * (every request carries an instance's token), {@code none} (anyone may write: local development
 * only) or {@code auto}, the default: {@code none} on a loopback address, {@code token} anywhere
 * else, so that receivers reachable from other hosts never take anonymous telemetry.
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

  /** Whether receivers bound to {@code bind} ask for tokens. */
  public boolean tokens(String bind) {
    return this == TOKEN || (this == AUTO && !loopback(bind));
  }

  /** Whether {@code bind} reaches only this host. */
  public static boolean loopback(String bind) {
    try {
      return InetAddress.getByName(bind).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** The credentials receivers bound to {@code bind} use: fresh random tokens, or anyone. */
  public OtlpCredentials credentials(String bind) {
    return tokens(bind) ? OtlpCredentials.randomTokens() : OtlpCredentials.anyone();
  }
}
