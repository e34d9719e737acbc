package eu.mlsysops.model;

import java.util.List;

/**
 * {@code platform_requirements.cpu}.
 *
 * @param requests CPU requested, e.g. {@code 250m}, or null
 * @param limits CPU limit, or null; never below {@code requests}
 * @param architecture acceptable architectures ({@code amd64}, {@code arm64})
 * @param frequencyGhz required clock in GHz, or null; the descriptor's {@code frequency} is
 *     normalised as described in {@link CpuHardware}
 * @param performanceIndicator a performance hint (e.g. BogoMIPS), or null
 */
public record CpuRequirements(
    Quantity requests,
    Quantity limits,
    List<String> architecture,
    Double frequencyGhz,
    Double performanceIndicator) {

  /**
   * Copies the list; null becomes an empty list.
   *
   * @param requests see the record description
   * @param limits see the record description
   * @param architecture see the record description
   * @param frequencyGhz see the record description
   * @param performanceIndicator see the record description
   */
  public CpuRequirements {
    architecture = Immutable.list(architecture);
  }
}
