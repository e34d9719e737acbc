package eu.mlsysops.model;

/**
 * Thrown by {@link Quantity#parse(String)} when a text is not a Kubernetes quantity.
 *
 * <p>The message names the offending text, e.g. {@code "250x" is not a quantity}.
 */
public final class QuantityFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** The rejected text (serialized with the exception). */
  private final String text;

  QuantityFormatException(String text, String reason) {
    super(
        ValueText.quote(text) + " is not a quantity" + (reason == null ? "" : " (" + reason + ")"));
    this.text = text;
  }

  /**
   * Returns the text that failed to parse.
   *
   * @return the rejected text, possibly {@code null}
   */
  public String text() {
    return text;
  }
}
