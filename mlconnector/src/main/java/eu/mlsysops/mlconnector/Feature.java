package eu.mlsysops.mlconnector;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One feature of a model, as the reference ML Connector's {@code featurelist} describes it.
 *
 * @param name the feature's name (what prediction requests key values by)
 * @param type continuous or categorical
 * @param kind an input of the model, or its target
 * @param units free text ({@code ms}, {@code %}), or null
 */
public record Feature(String name, Type type, Kind kind, String units) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.:-]{0,127}");

  /** Continuous ({@code cont}) or categorical ({@code cat}). */
  public enum Type {
    CONT,
    CAT
  }

  /** An input (the reference's {@code 0}) or the target ({@code 1}). */
  public enum Kind {
    INPUT,
    TARGET
  }

  public Feature {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(kind, "kind");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("feature_name: \"" + name + "\" is not a feature name"
          + " (a letter or _, then up to 127 letters, digits, _ . : -)");
    }
  }

  /** A continuous input. */
  public static Feature input(String name) {
    return new Feature(name, Type.CONT, Kind.INPUT, null);
  }

  /** A continuous target. */
  public static Feature target(String name) {
    return new Feature(name, Type.CONT, Kind.TARGET, null);
  }
}
