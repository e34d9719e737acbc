package eu.mlsysops.model;

import java.util.Map;
import java.util.Objects;

/**
 * One entry of a {@code sensors} list (app components and nodes share this shape).
 *
 * <p>A sensor entry is a map with exactly one sensor-type key ({@code camera}, {@code temperature},
 * {@code accelerometer}, ...) whose value describes the sensor, plus optional entry-level fields
 * ({@code protocol}, {@code instances}, {@code endpoint}, {@code endpoint_variable}).
 *
 * @param type the sensor-type key, e.g. {@code camera}
 * @param model the sensor model, e.g. {@code d455}, or null
 * @param attributes every other field, snake_case as written: the sensor's own fields first, then
 *     entry-level fields not already present. Values are {@code String}, {@code Long}, {@code
 *     Double}, {@code Boolean}, {@code List} or {@code Map}.
 */
public record Sensor(String type, String model, Map<String, Object> attributes) {

  /**
   * Copies the attributes; null becomes an empty map.
   *
   * @param type see the record description
   * @param model see the record description
   * @param attributes see the record description
   */
  public Sensor {
    Objects.requireNonNull(type, "type");
    attributes = Immutable.map(attributes);
  }
}
