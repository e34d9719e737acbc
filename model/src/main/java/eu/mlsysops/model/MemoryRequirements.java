package eu.mlsysops.model;

/**
 * {@code platform_requirements.memory}, in bytes.
 *
 * @param requests memory requested, e.g. {@code 64Mi}, or null
 * @param limits memory limit, or null; never below {@code requests}
 */
public record MemoryRequirements(Quantity requests, Quantity limits) {}
