package eu.mlsysops.model;

/** A component's container restart policy. */
public enum RestartPolicy {
  /** Always restart (the default). */
  ALWAYS("Always"),
  /** Restart only after a failure. */
  ON_FAILURE("OnFailure"),
  /** Never restart. */
  NEVER("Never");

  private final String wireName;

  RestartPolicy(String wireName) {
    this.wireName = wireName;
  }

  /**
   * Returns the descriptor spelling, e.g. {@code OnFailure}.
   *
   * @return the wire name
   */
  public String wireName() {
    return wireName;
  }

  /**
   * Looks a policy up by its exact descriptor spelling (variants such as {@code on_failure} are
   * normalised earlier, by the parser).
   *
   * @param wireName e.g. {@code OnFailure}
   * @return the policy
   * @throws IllegalArgumentException if no policy has that spelling
   */
  public static RestartPolicy fromWire(String wireName) {
    for (RestartPolicy p : values()) {
      if (p.wireName.equals(wireName)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        ValueText.quote(wireName) + " is not one of Always, OnFailure, Never");
  }
}
