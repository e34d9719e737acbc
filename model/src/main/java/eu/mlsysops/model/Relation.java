package eu.mlsysops.model;

/** How a measured value must relate to a target, e.g. a QoS metric's {@code relation}. */
public enum Relation {
  /** value &le; target. */
  LOWER_OR_EQUAL("lower_or_equal"),
  /** value &ge; target. */
  GREATER_OR_EQUAL("greater_or_equal"),
  /** value = target, within a relative tolerance of 10<sup>-9</sup>. */
  EQUAL("equal"),
  /** value &lt; target. */
  LOWER_THAN("lower_than"),
  /** value &gt; target. */
  GREATER_THAN("greater_than");

  /** Relative tolerance of {@link #EQUAL}; absolute below magnitude 1. */
  private static final double TOLERANCE = 1e-9;

  private final String wireName;

  Relation(String wireName) {
    this.wireName = wireName;
  }

  /**
   * Returns the descriptor spelling, e.g. {@code lower_or_equal}.
   *
   * @return the wire name
   */
  public String wireName() {
    return wireName;
  }

  /**
   * Looks a relation up by descriptor spelling. Also accepts {@code lower_or_qqual}, the node CRD's
   * misspelling of {@code lower_or_equal}.
   *
   * @param wireName e.g. {@code greater_than}
   * @return the relation
   * @throws IllegalArgumentException if no relation has that spelling
   */
  public static Relation fromWire(String wireName) {
    if ("lower_or_qqual".equals(wireName)) {
      return LOWER_OR_EQUAL;
    }
    for (Relation r : values()) {
      if (r.wireName.equals(wireName)) {
        return r;
      }
    }
    throw new IllegalArgumentException(
        ValueText.quote(wireName)
            + " is not one of lower_or_equal, greater_or_equal, equal, lower_than, greater_than");
  }

  /**
   * Tells whether {@code value} satisfies this relation to {@code target}. {@link #EQUAL} allows a
   * difference of 10<sup>-9</sup> times the larger magnitude (or 10<sup>-9</sup> when both are
   * below 1). NaN never holds.
   *
   * @param value the measured value
   * @param target the target
   * @return true if the relation holds
   */
  public boolean holds(double value, double target) {
    if (Double.isNaN(value) || Double.isNaN(target)) {
      return false;
    }
    return switch (this) {
      case LOWER_OR_EQUAL -> value <= target;
      case GREATER_OR_EQUAL -> value >= target;
      case LOWER_THAN -> value < target;
      case GREATER_THAN -> value > target;
      case EQUAL ->
          value == target
              || Math.abs(value - target)
                  <= TOLERANCE * Math.max(1.0, Math.max(Math.abs(value), Math.abs(target)));
    };
  }
}
