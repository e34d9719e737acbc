package eu.mlsysops.northbound.api;

import eu.mlsysops.model.Problem;
import java.util.List;
import java.util.Map;

/**
 * A request that cannot be served, answered as {@code application/problem+json} (RFC 9457). Thrown
 * by route handlers; the server's exception handler writes it.
 */
final class ApiProblem extends RuntimeException {
  private final int status;
  private final List<Map<String, String>> errors;
  private final int retryAfterSeconds;

  ApiProblem(int status, String detail) {
    this(status, detail, List.of());
  }

  ApiProblem(int status, String detail, List<Map<String, String>> errors) {
    this(status, detail, errors, 0);
  }

  private ApiProblem(int status, String detail, List<Map<String, String>> errors,
      int retryAfterSeconds) {
    super(detail, null, false, false);
    this.status = status;
    this.errors = List.copyOf(errors);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** A 503 for work the server bounds: the client may try again after {@code seconds}. */
  static ApiProblem busy(String detail, int seconds) {
    return new ApiProblem(503, detail, List.of(), seconds);
  }

  /** Seconds for a {@code Retry-After} header, or 0 for none. */
  int retryAfterSeconds() {
    return retryAfterSeconds;
  }

  int status() {
    return status;
  }

  List<Map<String, String>> errors() {
    return errors;
  }

  static ApiProblem badRequest(String detail) {
    return new ApiProblem(400, detail);
  }

  /** A 400 listing descriptor problems (errors and warnings) with their field paths. */
  static ApiProblem invalidDescriptor(String detail, List<Problem> problems) {
    return new ApiProblem(400, detail, problems.stream().map(ApiProblem::entry).toList());
  }

  static ApiProblem notFound(String detail) {
    return new ApiProblem(404, detail);
  }

  static ApiProblem conflict(String detail) {
    return new ApiProblem(409, detail);
  }

  static Map<String, String> entry(Problem p) {
    return entry(p.path(), p.message(), p.severity().toString());
  }

  static Map<String, String> entry(String path, String message, String severity) {
    return Map.of("path", path == null ? "" : path, "message", message, "severity", severity);
  }

  /** The RFC 9457 title of a status. */
  static String title(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 406 -> "Not Acceptable";
      case 409 -> "Conflict";
      case 413 -> "Content Too Large";
      case 415 -> "Unsupported Media Type";
      case 500 -> "Internal Server Error";
      case 503 -> "Service Unavailable";
      default -> "HTTP " + status;
    };
  }
}
