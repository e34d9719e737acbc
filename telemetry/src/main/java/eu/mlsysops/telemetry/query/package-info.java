/**
 * A PromQL subset evaluated directly against a {@link eu.mlsysops.telemetry.SeriesSource} (an
 * agent's {@link eu.mlsysops.telemetry.MetricStore}): {@link
 * eu.mlsysops.telemetry.query.QueryEngine} parses an expression into a reusable {@link
 * eu.mlsysops.telemetry.query.Query} and evaluates it at an instant or over a range of steps,
 * returning immutable {@link eu.mlsysops.telemetry.query.QueryResult}s. Bad input is reported as a
 * {@link eu.mlsysops.telemetry.query.QueryException} with line and column. The supported language
 * is described in {@code docs/telemetry.md}, section "Store and query".
 */
package eu.mlsysops.telemetry.query;
