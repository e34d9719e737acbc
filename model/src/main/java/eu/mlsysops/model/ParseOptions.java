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

  /**
   * Lenient parsing with the largest app limits any server allows: for descriptors a server
   * accepted already (its stores, its agent links, a client that leaves the limits to the
   * server). A limit raised with {@code --app-limits} must not make them unreadable.
   */
  public static final ParseOptions ACCEPTED = new ParseOptions(false,
      new AppLimits(AppLimits.MAX_COMPONENTS, AppLimits.MAX_INSTANCES));

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
