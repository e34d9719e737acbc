package eu.mlsysops.mlconnector;

import java.util.Locale;

/** How a model is trained here (Tribuo trainers). */
public enum Algorithm {
  /** Linear: least squares (regression) or logistic regression (classification), by SGD. */
  LINEAR,
  /** A CART decision tree. */
  TREE;

  /** The name in JSON: {@code linear}, {@code tree}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The algorithm named {@code text} (any case).
   *
   * @throws IllegalArgumentException naming the algorithms
   */
  public static Algorithm fromWire(String text) {
    for (Algorithm a : values()) {
      if (a.wireName().equalsIgnoreCase(text == null ? "" : text.trim())) {
        return a;
      }
    }
    throw new IllegalArgumentException("\"" + text + "\" is not an algorithm (linear, tree)");
  }
}
