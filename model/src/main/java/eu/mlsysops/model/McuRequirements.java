package eu.mlsysops.model;

import java.util.List;

/**
 * {@code platform_requirements.mcu}: requirements on a microcontroller.
 *
 * @param requests MCU requested, or null
 * @param limits MCU limit, or null; never below {@code requests}
 * @param architecture acceptable architectures, e.g. {@code arm-m4}
 * @param flash required flash size as written, or null
 * @param frequencyGhz required clock in GHz, normalised as described in {@link CpuHardware}, or
 *     null
 * @param performanceIndicator a performance hint, or null
 */
public record McuRequirements(
    Quantity requests,
    Quantity limits,
    List<String> architecture,
    String flash,
    Double frequencyGhz,
    Double performanceIndicator) {

  /**
   * Copies the list; null becomes an empty list.
   *
   * @param requests see the record description
   * @param limits see the record description
   * @param architecture see the record description
   * @param flash see the record description
   * @param frequencyGhz see the record description
   * @param performanceIndicator see the record description
   */
  public McuRequirements {
    architecture = Immutable.list(architecture);
  }
}
