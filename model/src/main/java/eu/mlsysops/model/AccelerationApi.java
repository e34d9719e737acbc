package eu.mlsysops.model;

/**
 * An acceleration API call a container uses.
 *
 * @param callName e.g. {@code image_inference}
 * @param requiredFramework {@code pytorch}, {@code tensorflow}, {@code opencl} or {@code *}, or
 *     null
 */
public record AccelerationApi(String callName, String requiredFramework) {}
