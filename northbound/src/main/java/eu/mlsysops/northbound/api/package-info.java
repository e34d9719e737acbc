/**
 * The northbound API server: REST routes (the reference-compatible ones and {@code /api/v1}),
 * bearer-token authentication with roles, the event stream and the dashboard. The contract is
 * {@code docs/api.md}; the OpenAPI document is served at {@code /api/v1/openapi.json}.
 *
 * <p>Public: {@link eu.mlsysops.northbound.api.NorthboundServer} (built over an embedded
 * continuum), {@link eu.mlsysops.northbound.api.NorthboundEvents} (the event hub the continuum
 * publishes to), {@link eu.mlsysops.northbound.api.TokenStore} and {@link
 * eu.mlsysops.northbound.api.Role}. Everything else is package-private.
 */
package eu.mlsysops.northbound.api;
