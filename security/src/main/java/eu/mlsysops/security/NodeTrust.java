package eu.mlsysops.security;

import java.util.List;
import java.util.Locale;

/**
 * How far a node is trusted now, and why.
 *
 * <p>{@code score = identity × behaviour^0.6 × capability^0.4}: an unidentified node gets 0
 * whatever it does, a weakness in any component pulls the whole down, and behaviour weighs more
 * than declared-vs-observed capability.
 *
 * @param node the node's name
 * @param score overall trust, 0..1
 * @param identity 1 when registered with a descriptor consistent with how it identifies itself
 * @param behaviour {@code exp(−M)}, M the decayed sum of penalties (failures, missed heartbeats,
 *     telemetry anomalies)
 * @param capability the worst ratio between what the node declares and what it reports
 * @param level the band of {@code score}
 * @param reasons what lowered it, most important first; empty when fully trusted
 * @param atMillis when it was computed
 */
public record NodeTrust(
    String node, double score, double identity, double behaviour, double capability,
    TrustLevel level, List<String> reasons, long atMillis) {

  public NodeTrust {
    reasons = List.copyOf(reasons);
  }

  /** E.g. {@code 0.42: 3 failed instances in the last 10 min; memory reported 2 GiB vs …}. */
  public String explain() {
    String s = String.format(Locale.ROOT, "%.2f", score);
    return reasons.isEmpty() ? s + ": no issues" : s + ": " + String.join("; ", reasons);
  }
}
