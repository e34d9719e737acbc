package eu.mlsysops.model;

/**
 * {@code network_resources.basic_interface}.
 *
 * @param name the technology, e.g. {@code wifi}, {@code ethernet}, or null
 * @param range the range of a wireless interface, or null
 * @param interfaceName the OS interface name, or null
 * @param applicationTrafficPermission whether application traffic may use it, or null
 */
public record BasicInterface(
    String name, Double range, String interfaceName, Boolean applicationTrafficPermission) {}
