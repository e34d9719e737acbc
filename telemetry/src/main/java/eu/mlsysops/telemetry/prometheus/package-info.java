/**
 * Prometheus interoperability: {@link eu.mlsysops.telemetry.prometheus.PrometheusExposition} writes
 * a {@link eu.mlsysops.telemetry.TelemetryQuery} in the text exposition format 0.0.4 for an agent's
 * {@code /metrics}.
 */
package eu.mlsysops.telemetry.prometheus;
