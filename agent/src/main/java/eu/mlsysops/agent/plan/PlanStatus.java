package eu.mlsysops.agent.plan;

/** The life cycle of a plan. Terminal: completed, failed, discarded, timed out. */
public enum PlanStatus {
  PENDING("Pending"),
  SCHEDULED("Scheduled"),
  COMPLETED("Completed"),
  FAILED("Failed"),
  DISCARDED("Discarded"),
  TIMED_OUT("TimedOut");

  private final String wireName;

  PlanStatus(String wireName) {
    this.wireName = wireName;
  }

  /** The name used in logs, the plan store and the API. */
  public String wireName() {
    return wireName;
  }

  public boolean isTerminal() {
    return this != PENDING && this != SCHEDULED;
  }

  /** Parses a wire name. */
  public static PlanStatus fromWire(String s) {
    for (PlanStatus v : values()) {
      if (v.wireName.equalsIgnoreCase(s) || v.name().equalsIgnoreCase(s)) {
        return v;
      }
    }
    throw new IllegalArgumentException(
        "\"" + s + "\" is not a plan status (Pending, Scheduled, Completed, Failed, Discarded,"
            + " TimedOut)");
  }
}
