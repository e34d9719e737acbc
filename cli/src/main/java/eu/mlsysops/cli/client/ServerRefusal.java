package eu.mlsysops.cli.client;

/**
 * The server answered with a 4xx or 5xx status; carries its body so the problem details can be
 * shown.
 */
final class ServerRefusal extends RuntimeException {
  private final transient ApiResponse response;
  private final String request;
  private final String server;

  /** @param server the server asked, e.g. {@code http://127.0.0.1:8080} */
  ServerRefusal(String request, ApiResponse response, String server) {
    super(request + " answered " + response.status());
    this.request = request;
    this.response = response;
    this.server = server;
  }

  /** The server that answered. */
  String server() {
    return server;
  }

  /** What was asked, e.g. {@code GET /api/v1/apps/shop}. */
  String request() {
    return request;
  }

  ApiResponse response() {
    return response;
  }

  int status() {
    return response.status();
  }
}
