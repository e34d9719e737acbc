package eu.mlsysops.kubernetes;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Kubernetes names and label values from MLSysOps names. Descriptor names may hold characters or
 * lengths Kubernetes refuses; a name that had to change gets a short hash suffix so that two
 * different inputs never map to the same object.
 */
final class Names {
  static final String GROUP = "mlsysops.eu";
  static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  static final String MANAGER = "mlsysops";
  static final String APP = GROUP + "/app";
  static final String COMPONENT = GROUP + "/component";
  static final String NODE = GROUP + "/node";
  static final String SLOT = GROUP + "/slot";
  static final String GENERATION = GROUP + "/generation";
  static final String INSTANCE_ID = GROUP + "/instance-id";
  static final String APP_NAME = GROUP + "/app-name";
  static final String COMPONENT_NAME = GROUP + "/component-name";
  static final String NODE_NAME = GROUP + "/node-name";
  static final String STOPPING = GROUP + "/stopping";

  private static final int MAX_DNS_LABEL = 63;

  private Names() {}

  /**
   * A DNS-1035 label (lower case alphanumerics and '-', starting with a letter, at most 63): used
   * for pod and service names.
   */
  static String dnsLabel(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    StringBuilder b = new StringBuilder(lower.length());
    for (char c : lower.toCharArray()) {
      b.append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '-');
    }
    String s = b.toString().replaceAll("-+", "-").replaceAll("^-|-$", "");
    if (s.isEmpty() || !(s.charAt(0) >= 'a' && s.charAt(0) <= 'z')) {
      s = "m-" + s;
    }
    return fit(s, name, !s.equals(name));
  }

  /** A label value (alphanumerics, '-', '_', '.', at most 63, alphanumeric at both ends). */
  static String labelValue(String value) {
    StringBuilder b = new StringBuilder(value.length());
    for (char c : value.toCharArray()) {
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_'
              || c == '.';
      b.append(ok ? c : '_');
    }
    String s = b.toString().replaceAll("^[-_.]+|[-_.]+$", "");
    return fit(s.isEmpty() ? "x" : s, value, !s.equals(value));
  }

  private static String fit(String s, String original, boolean changed) {
    if (!changed && s.length() <= MAX_DNS_LABEL) {
      return s;
    }
    String hash = hash(original);
    int keep = Math.min(s.length(), MAX_DNS_LABEL - hash.length() - 1);
    String head = s.substring(0, keep).replaceAll("[-_.]+$", "");
    return head.isEmpty() ? "m" + hash : head + "-" + hash;
  }

  private static String hash(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
