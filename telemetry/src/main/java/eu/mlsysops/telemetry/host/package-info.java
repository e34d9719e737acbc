/**
 * The host collector of a node agent: {@link eu.mlsysops.telemetry.host.HostCollector} reads /proc
 * and /sys and emits node-exporter's metrics. Everything else in the package is internal.
 */
package eu.mlsysops.telemetry.host;
