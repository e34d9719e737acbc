package eu.mlsysops.model;

/**
 * A node's {@code hardware.fpga}.
 *
 * @param model e.g. {@code zcu102}, or null
 * @param memory FPGA memory in GB, or null
 * @param performanceIndicator a performance figure, or null
 */
public record FpgaHardware(String model, Integer memory, Double performanceIndicator) {}
