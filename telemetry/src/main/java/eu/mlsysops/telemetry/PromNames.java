package eu.mlsysops.telemetry;

/**
 * How names stored with OpenTelemetry's spelling ({@code http.server.duration}, {@code
 * service.name}) are spelled in Prometheus' world, and how a name written that way finds them.
 *
 * <p>The exposition ({@code GET /metrics}) writes every stored name made valid: each character
 * outside {@code [a-zA-Z0-9_:]} (outside {@code [a-zA-Z0-9_]} for labels) becomes {@code _}, a
 * leading digit gets a {@code _} in front. So that a query copied from what {@code /metrics}
 * shows (or from a Grafana dashboard) means what it says, PromQL takes either spelling: a metric
 * or label name written in a query refers to the stored name that equals it, or, when none does,
 * to the stored names whose valid spelling equals it ({@code sum by (service_name)} groups by
 * {@code service.name}). Results keep the stored names, except that grouping labels are named as
 * written.
 */
public final class PromNames {
  private PromNames() {}

  /** A metric name made valid: {@code [a-zA-Z_:][a-zA-Z0-9_:]*}. */
  public static String metricName(String name) {
    return valid(name, true);
  }

  /** A label name made valid: {@code [a-zA-Z_][a-zA-Z0-9_]*}. */
  public static String labelName(String name) {
    return valid(name, false);
  }

  /**
   * Whether {@code written} refers to {@code stored} through its valid spelling (not whether they
   * are equal: callers look for the exact name first). Allocates only for stored names that are
   * not valid already, and only when {@code written} could be such a spelling (it has a {@code _}).
   */
  public static boolean spells(String written, String stored, boolean metric) {
    return written.indexOf('_') >= 0
        && !written.equals(stored)
        && written.equals(valid(stored, metric));
  }

  /**
   * The value of label {@code name} in {@code labels}: the label of that name, else the first (in
   * name order) whose valid spelling is {@code name}; null when there is neither.
   */
  public static String label(Labels labels, String name) {
    String v = labels.get(name);
    if (v != null || name.indexOf('_') < 0) {
      return v;
    }
    for (int i = 0; i < labels.size(); i++) {
      if (spells(name, labels.name(i), false)) {
        return labels.value(i);
      }
    }
    return null;
  }

  /**
   * Whether label {@code stored} of a series is the one {@code written} refers to, given the
   * series' labels: the same name, or a spelling of it when the series has no label named so.
   */
  public static boolean refersTo(String written, String stored, Labels labels) {
    return written.equals(stored) || (spells(written, stored, false) && labels.get(written) == null);
  }

  private static String valid(String name, boolean colonAllowed) {
    if (name.isEmpty()) {
      return "_";
    }
    StringBuilder sb = null;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || c == '_'
              || (colonAllowed && c == ':')
              || (c >= '0' && c <= '9' && i > 0);
      if (!ok && sb == null) {
        sb = new StringBuilder(name.length() + 1).append(name, 0, i);
      }
      if (sb != null) {
        if (ok) {
          sb.append(c);
        } else if (c >= '0' && c <= '9') {
          sb.append('_').append(c); // a leading digit
        } else {
          sb.append('_');
        }
      }
    }
    return sb == null ? name : sb.toString();
  }
}
