package eu.mlsysops.model;

/**
 * {@code platform_requirements.fpga}.
 *
 * @param model e.g. {@code zcu102}, or null
 * @param memory FPGA memory in GB, or null
 * @param utilizationRequest expected utilisation percentage as written, or null
 * @param performanceIndicator a performance hint, or null
 */
public record FpgaRequirements(
    String model, Integer memory, String utilizationRequest, Double performanceIndicator) {}
