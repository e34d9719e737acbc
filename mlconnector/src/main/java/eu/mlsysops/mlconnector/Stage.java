package eu.mlsysops.mlconnector;

import java.util.Locale;

/** Where a model version stands. At most one version of a model is serving. */
public enum Stage {
  /** Trained or uploaded, not used for decisions yet. */
  CANDIDATE,
  /** What predictions use. */
  SERVING,
  /** Served before; kept for a rollback. */
  RETIRED;

  /** The name in JSON: {@code candidate}, {@code serving}, {@code retired}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The stage a wire name names. */
  static Stage fromWire(String text) {
    return valueOf(text.toUpperCase(Locale.ROOT));
  }
}
