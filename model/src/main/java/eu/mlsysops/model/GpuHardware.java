package eu.mlsysops.model;

/**
 * A node's {@code hardware.gpu}.
 *
 * @param model {@code k80} or {@code k40}, or null
 * @param memory GPU memory in GB, or null
 * @param instances number of GPUs, or null
 * @param performanceIndicator a performance figure, or null
 */
public record GpuHardware(
    String model, Integer memory, Double instances, Double performanceIndicator) {}
