/**
 * Node trust and anomaly detection: {@link eu.mlsysops.security.TrustEngine} turns registrations,
 * heartbeats, failures and node telemetry into a per-node reputation (identity, behaviour,
 * capability) that placement filters on, and {@link eu.mlsysops.security.AnomalyDetector} finds
 * unusual telemetry (Random Cut Forest). See {@code docs/trust.md}.
 */
package eu.mlsysops.security;
