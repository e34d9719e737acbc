package eu.mlsysops.telemetry;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One condition on a label, as PromQL writes it: {@code node="n1"}, {@code mode!="idle"}, {@code
 * code=~"5.."}, {@code path!~"/health.*"}. A series without the label is treated as having the
 * empty value, so {@code x=""} selects series that lack {@code x} and {@code x!=""} those that
 * carry it. Regular expressions are fully anchored (Java syntax, which agrees with RE2 for the
 * usual cases).
 *
 * <p>Immutable and thread-safe.
 */
public final class LabelMatcher {

  /** How the label's value is compared. */
  public enum Type {
    /** The value equals the given string. */
    EQUAL("="),
    /** The value differs from the given string. */
    NOT_EQUAL("!="),
    /** The whole value matches the regular expression. */
    REGEX("=~"),
    /** The whole value does not match the regular expression. */
    NOT_REGEX("!~");

    private final String symbol;

    Type(String symbol) {
      this.symbol = symbol;
    }

    /** The operator as PromQL writes it. */
    public String symbol() {
      return symbol;
    }
  }

  private final String name;
  private final Type type;
  private final String value;
  private final Pattern pattern;

  private LabelMatcher(String name, Type type, String value) {
    this.name = Objects.requireNonNull(name, "name");
    this.type = Objects.requireNonNull(type, "type");
    this.value = Objects.requireNonNull(value, "value");
    this.pattern =
        type == Type.REGEX || type == Type.NOT_REGEX ? Pattern.compile("(?:" + value + ")") : null;
  }

  /**
   * A matcher of the given type.
   *
   * @throws java.util.regex.PatternSyntaxException when a regex matcher's value is not a valid
   *     regular expression
   */
  public static LabelMatcher of(String name, Type type, String value) {
    return new LabelMatcher(name, type, value);
  }

  /** {@code name="value"}. */
  public static LabelMatcher equal(String name, String value) {
    return new LabelMatcher(name, Type.EQUAL, value);
  }

  /** {@code name!="value"}. */
  public static LabelMatcher notEqual(String name, String value) {
    return new LabelMatcher(name, Type.NOT_EQUAL, value);
  }

  /** {@code name=~"regex"}, anchored at both ends. */
  public static LabelMatcher regex(String name, String regex) {
    return new LabelMatcher(name, Type.REGEX, regex);
  }

  /** {@code name!~"regex"}, anchored at both ends. */
  public static LabelMatcher notRegex(String name, String regex) {
    return new LabelMatcher(name, Type.NOT_REGEX, regex);
  }

  /** The label name. */
  public String name() {
    return name;
  }

  /** The comparison. */
  public Type type() {
    return type;
  }

  /** The value or regular expression compared with. */
  public String value() {
    return value;
  }

  /** Whether a label value (null when the series lacks the label) satisfies this matcher. */
  public boolean matches(String labelValue) {
    String v = labelValue == null ? "" : labelValue;
    return switch (type) {
      case EQUAL -> value.equals(v);
      case NOT_EQUAL -> !value.equals(v);
      case REGEX -> pattern.matcher(v).matches();
      case NOT_REGEX -> !pattern.matcher(v).matches();
    };
  }

  /** Whether the series with these labels satisfies this matcher. */
  public boolean matches(Labels labels) {
    return matches(labels.get(name));
  }

  /** True for an equality matcher with a non-empty value, the kind a label index can answer. */
  boolean isIndexable() {
    return type == Type.EQUAL && !value.isEmpty();
  }

  boolean isRegex() {
    return pattern != null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LabelMatcher m
        && m.name.equals(name)
        && m.type == type
        && m.value.equals(value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, type, value);
  }

  /** PromQL form: {@code name="value"} with the value quoted and escaped. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(name).append(type.symbol).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        default -> b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
