package eu.mlsysops.model;

/**
 * A node's {@code hardware.mcu}.
 *
 * @param architecture e.g. {@code arm-M4}, or null
 * @param flash flash size as written, or null
 * @param cores number of cores, or null
 * @param frequencyGhz clock in GHz, normalised as described in {@link CpuHardware}, or null
 * @param performanceIndicator a performance figure, or null
 */
public record McuHardware(
    String architecture,
    String flash,
    Integer cores,
    Double frequencyGhz,
    Double performanceIndicator) {}
