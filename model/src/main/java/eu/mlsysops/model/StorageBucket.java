package eu.mlsysops.model;

/**
 * One {@code storage.buckets} entry.
 *
 * @param bucketId the bucket's unique id
 * @param policyUpdateToken the token MLSysOps needs to update the bucket policy, or null
 * @param gdpr {@code location_restrictions.gdpr}: only GDPR-compliant locations, or null
 * @param redundancy {@code high}, {@code one} or {@code none}, or null (the CRD spells the field
 *     {@code reduncancy}; both spellings are read)
 * @param maxLatency maximum latency, or null
 * @param minDownloadSpeed minimum download speed, or null
 * @param serverSideEncryption {@code on} or {@code off}, or null
 */
public record StorageBucket(
    String bucketId,
    String policyUpdateToken,
    Boolean gdpr,
    String redundancy,
    Double maxLatency,
    Double minDownloadSpeed,
    String serverSideEncryption) {}
