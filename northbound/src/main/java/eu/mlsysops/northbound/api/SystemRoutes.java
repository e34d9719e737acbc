package eu.mlsysops.northbound.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.PolicyContext;
import eu.mlsysops.agent.plan.PlanQuery;
import eu.mlsysops.agent.plan.PlanRecord;
import eu.mlsysops.agent.plan.PlanStatus;
import eu.mlsysops.agent.tier.ContinuumPort;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.TelemetryQuery;
import eu.mlsysops.telemetry.UnionQuery;
import eu.mlsysops.telemetry.query.QueryException;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything that is not an app: topology, plans, mechanisms, telemetry, the operating mode,
 * tokens, infrastructure registration ({@code /infra/...}) and the health check.
 */
final class SystemRoutes {
  static final int PLAN_SCAN_LIMIT = 10_000;
  static final Duration MAX_WINDOW = Duration.ofDays(1);

  private final ContinuumPort continuum;
  private final ContinuumViews views;
  private final InfraRegistry infra;
  private final DescriptorInput input;
  private final TokenStore tokens;
  private final boolean authEnabled;

  SystemRoutes(ContinuumPort continuum, ContinuumViews views, InfraRegistry infra,
      DescriptorInput input, TokenStore tokens, boolean authEnabled) {
    this.continuum = continuum;
    this.views = views;
    this.infra = infra;
    this.input = input;
    this.tokens = tokens;
    this.authEnabled = authEnabled;
  }

  void register(RouteTable r) {
    r.get("/api/v1/continuum", Role.VIEWER,
        (ctx, who) -> Json.send(ctx, 200, views.continuumTree(views.visibility(who))));
    r.get("/api/v1/clusters", Role.VIEWER, (ctx, who) -> Json.send(ctx, 200,
        Page.of(ctx, views.clusters(views.visibility(who)))));
    r.get("/api/v1/clusters/{id}", Role.VIEWER, (ctx, who) -> Json.send(ctx, 200,
        views.cluster(ctx.pathParam("id"), views.visibility(who)).orElseThrow(
            () -> ApiProblem.notFound("no cluster \"" + ctx.pathParam("id") + "\""))));
    r.get("/api/v1/nodes", Role.VIEWER, (ctx, who) -> Json.send(ctx, 200,
        Page.of(ctx, views.nodes(views.visibility(who)))));
    r.get("/api/v1/nodes/{name}", Role.VIEWER, this::node);
    r.get("/api/v1/plans", Role.VIEWER, this::plans);
    r.get("/api/v1/plans/{id}", Role.VIEWER, this::plan);
    r.get("/api/v1/mechanisms", Role.VIEWER, this::mechanisms);
    r.get("/api/v1/telemetry", Role.VIEWER, this::telemetry);
    r.put("/api/v1/mode/{mode}", Role.ADMIN, this::setMode);
    r.post("/api/v1/tokens", Role.ADMIN, this::createToken);
    r.get("/api/v1/tokens", Role.ADMIN, (ctx, who) -> {
      List<Map<String, Object>> items = new ArrayList<>();
      for (TokenStore.Info t : tokens.list()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", t.name());
        m.put("role", t.role().wireName());
        m.put("created", t.created());
        m.put("expires", t.expires().isEmpty() ? null : t.expires());
        m.put("expired", t.expired());
        m.put("allow_commands", t.allowCommands());
        items.add(m);
      }
      Json.send(ctx, 200, Map.of("items", items));
    });
    r.delete("/api/v1/tokens/{name}", Role.ADMIN, (ctx, who) -> {
      String name = ctx.pathParam("name");
      try {
        if (!tokens.revoke(name)) {
          throw ApiProblem.notFound("no token \"" + name + "\"");
        }
      } catch (IllegalStateException e) {
        throw ApiProblem.conflict(e.getMessage());
      }
      Json.send(ctx, 200, Map.of("revoked", name));
    });

    r.post("/infra/register", Role.ADMIN, (ctx, who) -> {
      RequestBodies.requireMediaType(ctx, RequestBodies.JSON);
      ObjectNode body = Json.readObject(RequestBodies.text(ctx));
      Json.send(ctx, 200,
          infra.register(input.one(input.referenceBody(body, who)).descriptor(), ctx));
    });
    r.get("/infra/list/", Role.VIEWER, (ctx, who) -> Json.send(ctx, 200, infra.list()));
    r.get("/infra/node/{id}", Role.VIEWER,
        (ctx, who) -> Json.send(ctx, 200, infra.node(ctx.pathParam("id"))));
    r.get("/infra/cluster/{id}", Role.VIEWER,
        (ctx, who) -> Json.send(ctx, 200, infra.cluster(ctx.pathParam("id"))));
    r.get("/infra/datacenter/{id}", Role.VIEWER,
        (ctx, who) -> Json.send(ctx, 200, infra.datacenter(ctx.pathParam("id"))));
    r.delete("/infra/unregister/{id}", Role.ADMIN,
        (ctx, who) -> Json.send(ctx, 200, infra.unregister(ctx.pathParam("id"))));

    r.get("/manage/ping", null, (ctx, who) -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("status", "ok");
      m.put("agent", continuum.continuum().id());
      m.put("mode", views.mode());
      Json.send(ctx, 200, m);
    });
    r.put("/manage/mode/{mode}", Role.ADMIN, this::setMode);
  }

  private void node(Context ctx, Principal who) {
    String name = ctx.pathParam("name");
    Map<String, Object> n = new LinkedHashMap<>(views.node(name, views.visibility(who))
        .orElseThrow(() -> ApiProblem.notFound("no node \"" + name + "\"")));
    n.put("descriptor", views.nodeDescriptor(name).map(d -> {
      try {
        return Json.MAPPER.readTree(Descriptors.toJson(d));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException("descriptor JSON does not parse back", e);
      }
    }).orElse(null));
    Json.send(ctx, 200, n);
  }

  private void plans(Context ctx, Principal who) {
    PlanStatus status = null;
    String s = ctx.queryParam("status");
    if (s != null && !s.isBlank()) {
      try {
        status = PlanStatus.fromWire(s.trim());
      } catch (IllegalArgumentException e) {
        throw ApiProblem.badRequest("status: " + e.getMessage());
      }
    }
    String agent = blankToNull(ctx.queryParam("agent"));
    String tier = blankToNull(ctx.queryParam("tier"));
    if (tier != null && !ContinuumPort.TIERS.contains(tier)) {
      throw ApiProblem.badRequest("tier: \"" + tier + "\" is not a tier (continuum, cluster,"
          + " node)");
    }
    List<PlanRecord> found = continuum.planLog().query(new PlanQuery(status,
        blankToNull(ctx.queryParam("policy")), blankToNull(ctx.queryParam("app")), null,
        PLAN_SCAN_LIMIT));
    String self = continuum.continuum().id();
    java.util.Set<String> clusterIds = new java.util.HashSet<>();
    continuum.continuum().clusters().forEach(c -> clusterIds.add(c.id()));
    List<Map<String, Object>> out = new ArrayList<>();
    Visibility visible = views.visibility(who);
    for (PlanRecord p : found) {
      if (!visible.app(p.app())) {
        continue; // another tenant's, or the infrastructure's (it may name other tenants' apps)
      }
      // Plans of every agent, local or remote, are in this log; an agent's tier is where it sits.
      String agentTier = p.agent().equals(self) ? "continuum"
          : clusterIds.contains(p.agent()) ? "cluster" : "node";
      if ((agent == null || agent.equals(p.agent())) && (tier == null || tier.equals(agentTier))) {
        Map<String, Object> m = plan(p);
        m.put("tier", agentTier);
        out.add(m);
      }
    }
    Json.send(ctx, 200, Page.of(ctx, out));
  }

  private void plan(Context ctx, Principal who) {
    String id = ctx.pathParam("id");
    List<PlanRecord> history = continuum.planLog().history(id);
    if (history.isEmpty() || !views.visibility(who).app(history.get(0).app())) {
      throw ApiProblem.notFound("no plan \"" + id + "\"");
    }
    Map<String, Object> m = plan(history.get(history.size() - 1));
    List<Map<String, Object>> h = new ArrayList<>();
    for (PlanRecord p : history) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("status", p.status().wireName());
      e.put("reason", p.reason());
      e.put("time", Json.iso(p.updatedMillis()));
      h.add(e);
    }
    m.put("history", h);
    Json.send(ctx, 200, m);
  }

  static Map<String, Object> plan(PlanRecord p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", p.id());
    m.put("agent", p.agent());
    m.put("policy", p.policy());
    m.put("app", p.app());
    m.put("core", p.core());
    m.put("status", p.status().wireName());
    m.put("reason", p.reason());
    m.put("explanation", p.explanation());
    m.put("inputs", p.inputs());
    List<Map<String, Object>> cs = new ArrayList<>();
    for (Command c : p.commands()) {
      cs.add(Map.of("mechanism", c.mechanism(), "action", c.action(), "args", c.args()));
    }
    m.put("commands", cs);
    m.put("created", Json.iso(p.createdMillis()));
    m.put("updated", Json.iso(p.updatedMillis()));
    m.put("attempts", p.attempts());
    return m;
  }

  private void mechanisms(Context ctx, Principal who) {
    String agent = blankToNull(ctx.queryParam("agent"));
    List<Map<String, Object>> out = new ArrayList<>();
    // Agents here read directly, agents in other processes as their latest report said.
    for (ContinuumPort.MechanismView m : continuum.mechanisms()) {
      if (agent != null && !agent.equals(m.agent())) {
        continue;
      }
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("agent", m.agent());
      e.put("name", m.name());
      e.put("options", Json.safe(m.options()));
      e.put("state", Json.safe(m.state()));
      out.add(e);
    }
    Json.send(ctx, 200, Page.of(ctx, out));
  }

  private void telemetry(Context ctx, Principal who) {
    String level = ctx.queryParam("level") == null ? "continuum" : ctx.queryParam("level");
    if (!ContinuumPort.TIERS.contains(level)) {
      throw ApiProblem.badRequest("level: \"" + level + "\" is not a tier (continuum, cluster,"
          + " node)");
    }
    Visibility visible = views.visibility(who);
    UnionQuery tier = continuum.telemetry(level);
    TelemetryQuery store = visible.all() ? tier : new VisibleTelemetry(tier, visible);
    String metric = blankToNull(ctx.queryParam("metric"));
    try {
      if (metric == null) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("metrics", store.metricNames());
        warnings(m, tier);
        Json.send(ctx, 200, m);
        return;
      }
      telemetrySeries(ctx, store, metric, tier);
    } catch (QueryException e) { // a remote store's limit
      throw ApiProblem.badRequest("metric: " + e.getMessage());
    } catch (eu.mlsysops.telemetry.StoreUnavailable e) {
      throw new ApiProblem(503, e.getMessage());
    }
  }

  private static void warnings(Map<String, Object> body, UnionQuery tier) {
    List<String> warnings = tier.warnings();
    if (!warnings.isEmpty()) {
      body.put("warnings", warnings);
    }
  }

  private void telemetrySeries(Context ctx, TelemetryQuery store, String metric,
      UnionQuery tier) {
    Duration window = window(ctx.queryParam("window"));
    Map<String, String> matchers = new LinkedHashMap<>();
    ctx.queryParamMap().forEach((k, v) -> {
      if (k.startsWith("label.") && k.length() > 6 && !v.isEmpty()) {
        matchers.put(k.substring(6), v.get(0));
      }
    });
    List<Map<String, Object>> series = new ArrayList<>();
    for (TelemetryQuery.Series s : store.range(metric, matchers, window)) {
      List<List<Number>> points = new ArrayList<>();
      for (Sample p : s.samples()) {
        points.add(List.of(p.timestampMillis(), p.value()));
      }
      series.add(Map.of("labels", s.labels().map(), "points", points));
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("metric", metric);
    m.put("series", series);
    warnings(m, tier);
    Json.send(ctx, 200, m);
  }

  static Duration window(String text) {
    if (text == null || text.isBlank()) {
      return Duration.ofSeconds(60);
    }
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      Duration d;
      if (t.endsWith("ms")) {
        d = Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      } else if (t.endsWith("s")) {
        d = Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
      } else if (t.endsWith("m")) {
        d = Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
      } else if (t.endsWith("h")) {
        d = Duration.ofHours(Long.parseLong(t.substring(0, t.length() - 1)));
      } else {
        d = Duration.ofSeconds(Long.parseLong(t));
      }
      if (d.isNegative() || d.isZero() || d.compareTo(MAX_WINDOW) > 0) {
        throw ApiProblem.badRequest("window must be positive and at most 24h, got \"" + text + "\"");
      }
      return d;
    } catch (NumberFormatException | ArithmeticException e) {
      throw ApiProblem.badRequest("window: \"" + text + "\" is not a duration (e.g. 60s, 5m, 1h)");
    }
  }

  private void setMode(Context ctx, Principal who) {
    String m = ctx.pathParam("mode").trim().toLowerCase(Locale.ROOT);
    PolicyContext.Mode mode = switch (m) {
      case "0", "heuristic" -> PolicyContext.Mode.HEURISTIC;
      case "1", "ml" -> PolicyContext.Mode.ML;
      default -> throw ApiProblem.badRequest(
          "mode must be heuristic (0) or ml (1), got \"" + ctx.pathParam("mode") + "\"");
    };
    continuum.setMode(mode);
    Json.send(ctx, 200, Map.of("mode", views.mode()));
  }

  private void createToken(Context ctx, Principal who) {
    if (!authEnabled) {
      throw ApiProblem.conflict("authentication is off (--no-auth): tokens are not checked");
    }
    RequestBodies.requireMediaType(ctx, RequestBodies.JSON);
    ObjectNode body = Json.readObject(RequestBodies.text(ctx));
    JsonNode roleNode = body.get("role");
    JsonNode nameNode = body.get("name");
    if (roleNode == null || !roleNode.isTextual()) {
      throw new ApiProblem(400, "role is required",
          List.of(ApiProblem.entry("role", "required: admin, developer or viewer", "error")));
    }
    if (nameNode == null || !nameNode.isTextual()) {
      throw new ApiProblem(400, "name is required",
          List.of(ApiProblem.entry("name", "required: who the token is for", "error")));
    }
    Role role;
    try {
      role = Role.fromWire(roleNode.asText());
    } catch (IllegalArgumentException e) {
      throw new ApiProblem(400, e.getMessage(), List.of(ApiProblem.entry("role", e.getMessage(), "error")));
    }
    JsonNode commandsNode = body.get("allow_commands");
    if (commandsNode != null && !commandsNode.isBoolean()) {
      throw new ApiProblem(400, "allow_commands must be true or false", List.of(ApiProblem.entry(
          "allow_commands", "must be true or false", "error")));
    }
    boolean allowCommands = commandsNode != null && commandsNode.asBoolean();
    JsonNode ttlNode = body.get("ttl");
    Duration ttl = null;
    if (ttlNode != null && !ttlNode.isNull()) {
      try {
        if (!ttlNode.isTextual()) {
          throw new IllegalArgumentException("must be a duration such as \"30m\" or \"24h\"");
        }
        ttl = eu.mlsysops.model.DisconnectPolicy.parseDuration(ttlNode.asText());
        if (ttl.isZero()) {
          throw new IllegalArgumentException("must be longer than zero");
        }
      } catch (IllegalArgumentException e) {
        throw new ApiProblem(400, "ttl: " + e.getMessage(),
            List.of(ApiProblem.entry("ttl", e.getMessage(), "error")));
      }
    }
    String token;
    try {
      token = tokens.create(role, nameNode.asText(), allowCommands, ttl);
    } catch (IllegalArgumentException e) {
      throw new ApiProblem(400, e.getMessage(), List.of(ApiProblem.entry("name", e.getMessage(), "error")));
    } catch (IllegalStateException e) {
      throw ApiProblem.conflict(e.getMessage());
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("token", token);
    m.put("role", role.wireName());
    m.put("name", nameNode.asText());
    m.put("allow_commands", allowCommands);
    m.put("expires", tokens.list().stream().filter(t -> t.name().equals(nameNode.asText()))
        .map(TokenStore.Info::expires).filter(e -> !e.isEmpty()).findFirst().orElse(null));
    Json.send(ctx, 201, m);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
