package eu.mlsysops.northbound.api;

import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code ?limit=&offset=} pagination: {@code {items, total, limit, offset}}. */
final class Page {
  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 1_000;

  private Page() {}

  static Map<String, Object> of(Context ctx, List<?> all) {
    int limit = intParam(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
    int offset = intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
    int from = Math.min(offset, all.size());
    int to = Math.min(all.size(), from + limit);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("items", all.subList(from, to));
    m.put("total", all.size());
    m.put("limit", limit);
    m.put("offset", offset);
    return m;
  }

  static int intParam(Context ctx, String name, int dflt, int min, int max) {
    String v = ctx.queryParam(name);
    if (v == null || v.isBlank()) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n < min || n > max) {
        throw ApiProblem.badRequest(name + " must be between " + min + " and " + max + ", got " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw ApiProblem.badRequest(name + ": \"" + v + "\" is not a whole number");
    }
  }
}
