package eu.mlsysops.model;

/**
 * A container port.
 *
 * @param containerPort the port on the component's address (1..65535), or null
 * @param hostIp the host address to bind, or null
 * @param hostPort the host port (1..65535), or null; equals {@code containerPort} with host
 *     networking
 * @param name the port name, unique within the component, or null
 * @param protocol {@code TCP}, {@code UDP} or {@code SCTP}, or null (Kubernetes defaults to TCP)
 */
public record Port(
    Integer containerPort, String hostIp, Integer hostPort, String name, String protocol) {}
