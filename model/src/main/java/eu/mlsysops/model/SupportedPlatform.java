package eu.mlsysops.model;

import java.util.List;

/**
 * A platform implementing a node acceleration API.
 *
 * @param name {@code cpu}, {@code gpu}, {@code fpga} or {@code tpu}, or null
 * @param supportedFrameworks frameworks offered (the CRD spells the field {@code
 *     suported_frameworks}; both spellings are read)
 */
public record SupportedPlatform(String name, List<String> supportedFrameworks) {

  /**
   * Copies the list; null becomes an empty list.
   *
   * @param name see the record description
   * @param supportedFrameworks see the record description
   */
  public SupportedPlatform {
    supportedFrameworks = Immutable.list(supportedFrameworks);
  }
}
