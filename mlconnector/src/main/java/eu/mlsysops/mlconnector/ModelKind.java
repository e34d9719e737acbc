package eu.mlsysops.mlconnector;

import java.util.Locale;

/** What a model predicts. */
public enum ModelKind {
  /** A number (latency, power). */
  REGRESSION,
  /** One of a set of labels (QoS met or not, an anomaly's class). */
  CLASSIFICATION;

  /** The name in JSON: {@code regression}, {@code classification}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The kind named {@code text} (any case).
   *
   * @throws IllegalArgumentException naming the kinds
   */
  public static ModelKind fromWire(String text) {
    for (ModelKind k : values()) {
      if (k.wireName().equalsIgnoreCase(text == null ? "" : text.trim())) {
        return k;
      }
    }
    throw new IllegalArgumentException("\"" + text + "\" is not a model kind (regression,"
        + " classification)");
  }
}
