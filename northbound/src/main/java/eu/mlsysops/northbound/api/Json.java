package eu.mlsysops.northbound.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JSON in and out: one mapper, responses written with explicit content types. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();
  static final String JSON = "application/json";
  static final String PROBLEM = "application/problem+json";
  static final String PROBLEM_WRITTEN = "mls.problem";

  private Json() {}

  static void send(Context ctx, int status, Object body) {
    ctx.status(status).contentType(JSON).result(write(body));
  }

  static void problem(Context ctx, int status, String detail, List<Map<String, String>> errors) {
    ctx.attribute(PROBLEM_WRITTEN, Boolean.TRUE);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "about:blank");
    body.put("title", ApiProblem.title(status));
    body.put("status", status);
    body.put("detail", detail);
    if (!errors.isEmpty()) {
      body.put("errors", errors);
    }
    // As bytes: for a type without a charset parameter the server would encode text as
    // ISO-8859-1; JSON is UTF-8 (RFC 8259), and details quote names and PromQL (…, →, é).
    ctx.status(status).contentType(PROBLEM)
        .result(write(body).getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  static String write(Object body) {
    try {
      return MAPPER.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** Parses a request body that must be a JSON object; a 400 names what is wrong. */
  static ObjectNode readObject(String text) {
    JsonNode node;
    try {
      node = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw ApiProblem.badRequest("the body is not valid JSON: " + firstLine(e.getOriginalMessage()));
    }
    if (!(node instanceof ObjectNode o)) {
      throw ApiProblem.badRequest("the body must be a JSON object");
    }
    return o;
  }

  /** A value as a JSON tree, or its string form when it does not serialise. */
  static Object safe(Object value) {
    try {
      return MAPPER.valueToTree(value);
    } catch (IllegalArgumentException e) {
      return String.valueOf(value);
    }
  }

  static String iso(long millis) {
    return Instant.ofEpochMilli(millis).toString();
  }

  static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
