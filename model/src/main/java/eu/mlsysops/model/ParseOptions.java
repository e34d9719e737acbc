package eu.mlsysops.model;

/**
 * Options for {@link Descriptors#parse(String, String, ParseOptions)}.
 *
 * @param strict when true, fields the CRD schema does not know are errors instead of warnings;
 *     every other check is the same in both modes
 */
public record ParseOptions(boolean strict, AppLimits limits) {
  /** Lenient parsing: unknown fields are warnings. */
  public static final ParseOptions DEFAULT = new ParseOptions(false);

  /** Strict parsing: unknown fields are errors. */
  public static final ParseOptions STRICT = new ParseOptions(true);

  public ParseOptions {
    java.util.Objects.requireNonNull(limits, "limits");
  }

  /** With the default {@link AppLimits}. */
  public ParseOptions(boolean strict) {
    this(strict, AppLimits.DEFAULT);
  }

  /** These options with other app limits. */
  public ParseOptions withLimits(AppLimits other) {
    return new ParseOptions(strict, other);
  }
}
