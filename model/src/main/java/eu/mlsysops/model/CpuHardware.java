package eu.mlsysops.model;

import java.util.List;

/**
 * A node's {@code hardware.cpu}.
 *
 * <p><b>Frequency units.</b> The CRD says Hz, the examples write both {@code 1.4} and {@code 14000}
 * for the same CPUs. Every {@code frequency} field is normalised to GHz by magnitude {@code v}:
 *
 * <ul>
 *   <li>{@code v < 100}: GHz as written;
 *   <li>{@code 100 <= v <= 10000}: MHz, divided by 1000;
 *   <li>{@code 10^7 <= v < 10^11}: Hz, divided by 10<sup>9</sup>;
 *   <li>otherwise no unit gives a plausible clock: the digits are read as GHz with the decimal
 *       point after the first digit ({@code 14000} becomes 1.4), and a warning says so.
 * </ul>
 *
 * A value above 10 GHz also draws a warning; zero or negative values are errors. The result is
 * always below 100, so a written descriptor reads back the same.
 *
 * @param model the CPU model name, or null
 * @param architecture {@code amd64} or {@code arm64}, or null
 * @param cores number of cores, or null
 * @param frequencyGhz the available clock frequencies in GHz
 * @param performanceIndicator a performance figure (e.g. BogoMIPS), or null
 */
public record CpuHardware(
    String model,
    String architecture,
    Integer cores,
    List<Double> frequencyGhz,
    Double performanceIndicator) {

  /**
   * Copies the list; null becomes an empty list.
   *
   * @param model see the record description
   * @param architecture see the record description
   * @param cores see the record description
   * @param frequencyGhz see the record description
   * @param performanceIndicator see the record description
   */
  public CpuHardware {
    frequencyGhz = Immutable.list(frequencyGhz);
  }
}
