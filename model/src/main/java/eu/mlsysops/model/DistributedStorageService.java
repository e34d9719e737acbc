package eu.mlsysops.model;

/**
 * A node's {@code distributed_storage_service}.
 *
 * @param member whether the node takes part, or null
 * @param availableSpace space offered to the service in GB, or null
 */
public record DistributedStorageService(Boolean member, Double availableSpace) {}
