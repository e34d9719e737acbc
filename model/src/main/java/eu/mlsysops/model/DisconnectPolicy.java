package eu.mlsysops.model;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What happens to an app's instances on a node that stops answering, in the style of Nomad's
 * {@code disconnect} block. An extension of the reference CRD: the field is optional, and an app
 * without it gets the agent's defaults ({@link #DEFAULT}).
 *
 * <pre>
 * disconnect:
 *   lost_after: 30s          # how long a node may be unreachable before its instances are lost
 *   replace: true            # start replacements for lost instances (false: wait for the node)
 *   reconcile: best_score    # on heal, when both run:
 *                            # keep_original | keep_replacement | best_score
 * </pre>
 *
 * @param lostAfter how long after the node became unreachable its instances count as lost, or null
 *     for the cluster agent's grace period
 * @param replace whether lost instances are replaced on other nodes
 * @param reconcile which instance stays when the original node comes back after a replacement
 */
public record DisconnectPolicy(Duration lostAfter, boolean replace, Reconcile reconcile) {

  /** The cluster's grace period, replace, best score. */
  public static final DisconnectPolicy DEFAULT =
      new DisconnectPolicy(null, true, Reconcile.BEST_SCORE);

  /**
   * Fills in the default reconcile mode.
   *
   * @param lostAfter see the record description
   * @param replace see the record description
   * @param reconcile see the record description
   */
  public DisconnectPolicy {
    reconcile = reconcile == null ? Reconcile.BEST_SCORE : reconcile;
    if (lostAfter != null && (lostAfter.isNegative() || lostAfter.isZero())) {
      throw new IllegalArgumentException("lost_after must be positive: " + lostAfter);
    }
  }

  /** Which instance survives when a lost node returns and its instance was replaced. */
  public enum Reconcile {
    /** The instance on the returning node stays; the replacement stops. */
    KEEP_ORIGINAL("keep_original"),
    /** The replacement stays; the instance on the returning node stops. */
    KEEP_REPLACEMENT("keep_replacement"),
    /** The instance on the node the placer scores higher now stays. */
    BEST_SCORE("best_score");

    private final String wireName;

    Reconcile(String wireName) {
      this.wireName = wireName;
    }

    /**
     * Returns the descriptor spelling, e.g. {@code keep_original}.
     *
     * @return the wire name
     */
    public String wireName() {
      return wireName;
    }

    /**
     * Looks a mode up by its descriptor spelling.
     *
     * @param wireName e.g. {@code best_score}
     * @return the mode
     * @throws IllegalArgumentException if no mode has that spelling
     */
    public static Reconcile fromWire(String wireName) {
      for (Reconcile r : values()) {
        if (r.wireName.equals(wireName)) {
          return r;
        }
      }
      throw new IllegalArgumentException(
          ValueText.quote(wireName) + " is not one of keep_original, keep_replacement, best_score");
    }
  }

  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

  /**
   * Parses a duration as Go and Nomad write them: {@code 500ms}, {@code 30s}, {@code 5m}, {@code
   * 1h}, {@code 1m30s}.
   *
   * @param text the duration
   * @return the duration
   * @throws IllegalArgumentException when the text is not such a duration
   */
  public static Duration parseDuration(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    Matcher m = PART.matcher(t);
    int at = 0;
    double millis = 0;
    while (at < t.length() && m.find(at) && m.start() == at) {
      double v = Double.parseDouble(m.group(1));
      millis +=
          switch (m.group(2)) {
            case "ms" -> v;
            case "s" -> v * 1000;
            case "m" -> v * 60_000;
            default -> v * 3_600_000;
          };
      at = m.end();
    }
    if (t.isEmpty() || at != t.length()) {
      throw new IllegalArgumentException(
          ValueText.quote(text) + " is not a duration (e.g. 500ms, 30s, 5m, 1h, 1m30s)");
    }
    return Duration.ofMillis(Math.round(millis));
  }

  /**
   * Writes a duration the way {@link #parseDuration} reads it.
   *
   * @param d the duration
   * @return e.g. {@code 30s} or {@code 1500ms}
   */
  public static String formatDuration(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
