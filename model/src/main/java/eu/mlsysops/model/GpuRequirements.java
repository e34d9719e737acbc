package eu.mlsysops.model;

/**
 * {@code platform_requirements.gpu}.
 *
 * @param requests GPUs requested, or null
 * @param limits GPU limit, or null; never below {@code requests}
 * @param model {@code k80} or {@code k40}, or null
 * @param memory GPU memory in GB, or null
 * @param utilizationRequest expected utilisation percentage as written, or null
 * @param performanceIndicator a performance hint, or null
 */
public record GpuRequirements(
    Integer requests,
    Integer limits,
    String model,
    Integer memory,
    String utilizationRequest,
    Double performanceIndicator) {}
