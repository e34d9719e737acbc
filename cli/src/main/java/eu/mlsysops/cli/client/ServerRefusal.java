package eu.mlsysops.cli.client;

/**
 * The server answered with a 4xx or 5xx status; carries its body so the problem details can be
 * shown.
 */
final class ServerRefusal extends RuntimeException {
  private final transient ApiResponse response;
  private final String request;

  ServerRefusal(String request, ApiResponse response) {
    super(request + " answered " + response.status());
    this.request = request;
    this.response = response;
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
