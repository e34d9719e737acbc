package eu.mlsysops.model;

import java.math.BigDecimal;

/**
 * Normalises a descriptor {@code frequency} to GHz; the rule is documented on {@link CpuHardware}.
 */
final class FrequencyUnits {
  private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);
  private static final BigDecimal TEN_THOUSAND = BigDecimal.valueOf(10_000);
  private static final BigDecimal TEN_MILLION = BigDecimal.valueOf(10_000_000);
  private static final BigDecimal HUNDRED_GIGA = BigDecimal.valueOf(100_000_000_000L);
  private static final BigDecimal PLAUSIBLE_MAX_GHZ = BigDecimal.TEN;

  private FrequencyUnits() {}

  /**
   * How a positive value was read.
   *
   * @param ghz the frequency in GHz, always below 100
   * @param guessed true when no unit gave a plausible clock and the digits were reinterpreted
   */
  record Reading(BigDecimal ghz, boolean guessed) {
    /** True when the result is still higher than any CPU clock we know of. */
    boolean implausiblyHigh() {
      return ghz.compareTo(PLAUSIBLE_MAX_GHZ) > 0;
    }
  }

  /** Reads a positive frequency; the caller rejects zero and negative values. */
  static Reading toGhz(BigDecimal value) {
    if (value.compareTo(HUNDRED) < 0) {
      return new Reading(value, false);
    }
    if (value.compareTo(TEN_THOUSAND) <= 0) {
      return new Reading(value.movePointLeft(3).stripTrailingZeros(), false);
    }
    if (value.compareTo(TEN_MILLION) >= 0 && value.compareTo(HUNDRED_GIGA) < 0) {
      return new Reading(value.movePointLeft(9).stripTrailingZeros(), false);
    }
    // floor(log10(value)) for value >= 1 is precision - scale - 1.
    int magnitude = value.precision() - value.scale() - 1;
    return new Reading(value.movePointLeft(magnitude).stripTrailingZeros(), true);
  }
}
