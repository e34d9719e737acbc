/**
 * The client side of the {@code mls} command line: commands that call the northbound REST API
 * ({@code docs/api.md}) of a running continuum agent.
 *
 * <p>Every command takes the common options of {@link eu.mlsysops.cli.client.ClientOptions}
 * ({@code --server}, {@code --token}, {@code --data-dir}, {@code -o}) and exits with a code scripts
 * can trust: 0 ok, 1 the server said no (4xx/5xx) or the thing was not found, 2 usage error, 3 the
 * server could not be reached.
 */
package eu.mlsysops.cli.client;
