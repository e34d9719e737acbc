package eu.mlsysops.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * What to tell the user when the server said no: the problem+json {@code detail} (or the
 * reference API's {@code {"detail"}}), then each {@code errors[].path: message}; for a 401, where
 * the token came from.
 */
final class ProblemReport {
  private final String headline;
  private final List<String> lines = new ArrayList<>();

  ProblemReport(ServerRefusal refusal, Token token) {
    ApiResponse r = refusal.response();
    JsonNode body = r.json();
    String detail = detail(body.path("detail"));
    if (detail.isEmpty()) {
      detail = Fields.text(body, "title");
    }
    if (detail.isEmpty() && !r.body().isBlank() && body.isMissingNode()) {
      detail = Fields.cut(r.body(), 200);
    }
    if (detail.isEmpty()) {
      detail = refusal.request() + " answered " + r.status() + " " + reasonPhrase(r.status());
    }
    if (r.status() == 401) {
      headline = token.explainRefusal(refusal.server()) + " (it said: " + detail + ")";
    } else if (r.status() == 403) {
      headline = detail + " (the token from " + token.source() + " lacks the role for this)";
    } else {
      headline = detail;
    }
    for (JsonNode e : body.path("errors")) {
      String path = Fields.text(e, "path");
      String msg = Fields.first(e, "message", "msg");
      String sev = Fields.text(e, "severity");
      String line = (path.isEmpty() ? "(document)" : path) + ": " + msg
          + ("warning".equalsIgnoreCase(sev) ? " (warning)" : "");
      if (!line.equals(detail)) { // a single field's problem is often the detail itself
        lines.add(line);
      }
    }
    // FastAPI-style validation errors: {"detail": [{"loc": [...], "msg": "..."}]}
    if (body.path("detail").isArray()) {
      for (JsonNode e : body.path("detail")) {
        List<String> loc = new ArrayList<>();
        e.path("loc").forEach(l -> loc.add(l.asText()));
        lines.add((loc.isEmpty() ? "(document)" : String.join(".", loc)) + ": "
            + Fields.first(e, "msg", "message"));
      }
    }
  }

  private static String detail(JsonNode d) {
    if (d.isTextual()) {
      return d.asText();
    }
    if (d.isArray()) {
      return "the server rejected the request";
    }
    return d.isMissingNode() || d.isNull() ? "" : d.toString();
  }

  String headline() {
    return headline;
  }

  List<String> lines() {
    return lines;
  }

  void print(PrintWriter err) {
    err.println("mls: " + headline);
    for (String l : lines) {
      err.println("  " + l);
    }
  }

  static String reasonPhrase(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 409 -> "Conflict";
      case 413 -> "Content Too Large";
      case 415 -> "Unsupported Media Type";
      case 500 -> "Internal Server Error";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      default -> "";
    };
  }
}
