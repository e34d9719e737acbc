package eu.mlsysops.mlconnector;

import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/** A model's id: a UUID, as the reference ML Connector's {@code modelid}. */
public record ModelId(String value) {
  private static final Pattern FORM = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

  public ModelId {
    Objects.requireNonNull(value, "value");
    if (!FORM.matcher(value).matches()) {
      throw new IllegalArgumentException("model id: \"" + value + "\" is not a model id");
    }
  }

  /** A new, random id. */
  public static ModelId random() {
    return new ModelId(UUID.randomUUID().toString());
  }

  @Override
  public String toString() {
    return value;
  }
}
