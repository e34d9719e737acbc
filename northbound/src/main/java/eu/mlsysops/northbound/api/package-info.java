/** The northbound API server: REST routes, authentication, events and the dashboard. */
package eu.mlsysops.northbound.api;
