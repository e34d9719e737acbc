package eu.mlsysops.security;

import java.util.Locale;

/** Coarse trust bands, for colours and events: high ≥ 0.8, medium ≥ 0.5, low below. */
public enum TrustLevel {
  LOW,
  MEDIUM,
  HIGH;

  /** The band of a score. */
  public static TrustLevel of(double score) {
    return score >= 0.8 ? HIGH : score >= 0.5 ? MEDIUM : LOW;
  }

  /** {@code high}, {@code medium} or {@code low}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
