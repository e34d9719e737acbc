/**
 * OTLP ingest: receivers for OTLP/gRPC ({@link eu.mlsysops.telemetry.otlp.OtlpGrpcReceiver}) and
 * OTLP/HTTP ({@link eu.mlsysops.telemetry.otlp.OtlpHttpReceiver}), the translation of OTLP metrics
 * into {@link eu.mlsysops.telemetry.Sample}s ({@link
 * eu.mlsysops.telemetry.otlp.OtlpMetricsTranslator}) and back ({@link
 * eu.mlsysops.telemetry.otlp.OtlpMetricsEncoder}), and where logs and traces go ({@link
 * eu.mlsysops.telemetry.otlp.SignalForwarder}). Label mapping, flattening rules, limits and error
 * behaviour are described in {@code docs/telemetry.md}.
 *
 * <p>Only the types documented here are API; every other type of this package is package-private.
 */
package eu.mlsysops.telemetry.otlp;
