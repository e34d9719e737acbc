package eu.mlsysops.northbound.api;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Registers routes with the role each needs, authenticating before the handler runs, and keeps the
 * list of routes (the OpenAPI test checks the document covers every one).
 */
final class RouteTable {
  /** A handler that is told who is calling. */
  @FunctionalInterface
  interface ApiHandler {
    void handle(Context ctx, Principal who) throws Exception;
  }

  /** One registered route; {@code role} null means public. */
  record Route(String method, String path, Role role) {}

  private final RoutesConfig routes;
  private final TokenStore tokens;
  private final List<Route> registered = new ArrayList<>();

  /**
   * @param tokens the token store, or null when authentication is off (every caller is admin)
   */
  RouteTable(RoutesConfig routes, TokenStore tokens) {
    this.routes = routes;
    this.tokens = tokens;
  }

  List<Route> routes() {
    return List.copyOf(registered);
  }

  /**
   * The methods registered for a concrete request path ({@code /api/v1/apps/shop} matches
   * {@code /api/v1/apps/{name}}), sorted; empty when no route has that path.
   */
  List<String> methodsFor(String path) {
    String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    java.util.TreeSet<String> methods = new java.util.TreeSet<>();
    for (Route r : registered) {
      String template = r.path().length() > 1 && r.path().endsWith("/")
          ? r.path().substring(0, r.path().length() - 1) : r.path();
      String regex = java.util.regex.Pattern.quote(template)
          .replaceAll("\\{[^}/]+}", "\\\\E[^/]+\\\\Q");
      if (p.matches(regex)) {
        methods.add(r.method());
      }
    }
    return List.copyOf(methods);
  }

  void get(String path, Role role, ApiHandler h) {
    add(HandlerType.GET, path, role, false, h);
  }

  /** A GET that also accepts {@code ?token=} (EventSource cannot send headers). */
  void getWithQueryToken(String path, Role role, ApiHandler h) {
    add(HandlerType.GET, path, role, true, h);
  }

  void post(String path, Role role, ApiHandler h) {
    add(HandlerType.POST, path, role, false, h);
  }

  void put(String path, Role role, ApiHandler h) {
    add(HandlerType.PUT, path, role, false, h);
  }

  void patch(String path, Role role, ApiHandler h) {
    add(HandlerType.PATCH, path, role, false, h);
  }

  void delete(String path, Role role, ApiHandler h) {
    add(HandlerType.DELETE, path, role, false, h);
  }

  private void add(HandlerType method, String path, Role role, boolean queryToken, ApiHandler h) {
    registered.add(new Route(method.name(), path, role));
    Handler wrapped = ctx -> {
      Principal who = role == null ? Principal.UNAUTHENTICATED : authenticate(ctx, queryToken);
      if (role != null && !who.role().includes(role)) {
        throw new ApiProblem(403, "this needs the " + role.wireName() + " role; the token \""
            + who.name() + "\" has " + who.role().wireName());
      }
      h.handle(ctx, who);
    };
    routes.addHttpHandler(method, path, wrapped);
    if (method == HandlerType.GET) {
      // HEAD is a GET without a body, and needs what the GET needs (left to the server it
      // answered 200 to anyone). An event stream is not opened for it.
      routes.addHttpHandler(HandlerType.HEAD, path, ctx -> {
        Principal who = role == null ? Principal.UNAUTHENTICATED : authenticate(ctx, queryToken);
        if (role != null && !who.role().includes(role)) {
          throw new ApiProblem(403, "this needs the " + role.wireName() + " role; the token \""
              + who.name() + "\" has " + who.role().wireName());
        }
        if (queryToken) {
          ctx.status(200).contentType("text/event-stream");
        } else {
          h.handle(ctx, who);
        }
      });
    }
  }

  private Principal authenticate(Context ctx, boolean queryToken) {
    if (tokens == null) {
      return Principal.UNAUTHENTICATED;
    }
    String token = null;
    String header = ctx.header("Authorization");
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      token = header.substring(7).trim();
    } else if (queryToken) {
      token = ctx.queryParam("token");
    }
    if (token == null || token.isEmpty()) {
      ctx.header("WWW-Authenticate", "Bearer");
      throw new ApiProblem(401, "this needs a token: send Authorization: Bearer <token>");
    }
    Optional<Principal> p = tokens.authenticate(token);
    if (p.isEmpty()) {
      ctx.header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      throw new ApiProblem(401, "the token is not valid");
    }
    return p.get();
  }
}
