package eu.mlsysops.northbound.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.mlsysops.agent.InstancePhase;
import eu.mlsysops.agent.tier.AppStatus;
import eu.mlsysops.agent.tier.ContinuumPort;
import eu.mlsysops.agent.tier.EmbeddedContinuum;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.protocol.Message;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Apps: {@code /api/v1/apps}, the reference's {@code /apps/...} and ML deployments ({@code
 * /ml/...}, apps deployed through {@code /ml/deploy_ml}). Developers see only their own apps; for
 * anyone else's the answer is 404, as if it did not exist.
 */
final class AppRoutes {
  static final String REMOVE_MESSAGE = "Application status updated to 'To_be_removed'.";

  private final ContinuumPort continuum;
  private final NorthboundStore store;
  private final NorthboundEvents events;
  private final ContinuumViews views;
  private final DescriptorInput input;
  private final PlacementRoutes placement;
  // One deploy at a time: the name check, the owner record and the deploy belong together.
  private final ReentrantLock deployLock = new ReentrantLock();

  private final DeveloperQuota quota;

  AppRoutes(ContinuumPort continuum, NorthboundStore store, NorthboundEvents events,
      ContinuumViews views, DescriptorInput input, PlacementRoutes placement,
      DeveloperQuota quota) {
    this.quota = quota;
    this.placement = placement;
    this.continuum = continuum;
    this.store = store;
    this.events = events;
    this.views = views;
    this.input = input;
  }

  void register(RouteTable r) {
    r.get("/api/v1/apps", Role.VIEWER, (ctx, who) ->
        Json.send(ctx, 200, Page.of(ctx, visible(who).stream().map(views::appSummary).toList())));
    r.post("/api/v1/apps", Role.DEVELOPER, this::postApp);
    r.get("/api/v1/apps/{name}", Role.VIEWER, (ctx, who) ->
        Json.send(ctx, 200, views.appDetail(app(ctx.pathParam("name"), who))));
    r.put("/api/v1/apps/{name}", Role.DEVELOPER, this::putApp);
    r.get("/api/v1/apps/{name}/descriptor", Role.VIEWER, this::descriptor);
    r.delete("/api/v1/apps/{name}", Role.DEVELOPER, (ctx, who) -> {
      remove(ctx.pathParam("name"), who, false);
      ctx.status(204);
    });

    r.post("/apps/deploy", Role.DEVELOPER, (ctx, who) -> {
      if (PlacementRoutes.dryRunAsked(ctx)) {
        Json.send(ctx, 200, placement.dryRunBody(ctx, referenceApp(ctx, who).descriptor()));
        return;
      }
      AppDescriptor app = deploy(referenceApp(ctx, who), who, false).descriptor();
      Json.send(ctx, 200, Map.of("app_id", app.name(), "status", "Queued"));
    });
    r.get("/apps/list_all/", Role.VIEWER, (ctx, who) -> Json.send(ctx, 200, listAll(visible(who))));
    r.get("/apps/status/{app_id}", Role.VIEWER, (ctx, who) -> {
      AppStatus s = app(ctx.pathParam("app_id"), who);
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("app_id", s.name());
      body.put("status", s.phase());
      // Components that cannot be placed, with the reason per constraint.
      Map<String, String> stuck = new LinkedHashMap<>();
      s.components().stream().filter(c -> !c.unschedulable().isEmpty())
          .forEach(c -> stuck.put(c.name(), c.unschedulable()));
      if (!stuck.isEmpty()) {
        body.put("unschedulable", stuck);
      }
      Json.send(ctx, 200, body);
    });
    r.get("/apps/apps/details/{app_id}", Role.VIEWER,
        (ctx, who) -> Json.send(ctx, 200, referenceDetails(app(ctx.pathParam("app_id"), who))));
    r.get("/apps/performance/{app_id}", Role.VIEWER,
        (ctx, who) -> Json.send(ctx, 200, performance(app(ctx.pathParam("app_id"), who))));
    r.delete("/apps/remove/{app_id}", Role.DEVELOPER, (ctx, who) -> {
      String name = remove(ctx.pathParam("app_id"), who, false);
      Json.send(ctx, 200, Map.of("app_id", name, "message", REMOVE_MESSAGE));
    });

    r.post("/ml/deploy_ml", Role.DEVELOPER, (ctx, who) -> {
      AppDescriptor app = deploy(referenceApp(ctx, who), who, true).descriptor();
      Json.send(ctx, 200, Map.of("deployment_id", app.name(), "status", "Queued"));
    });
    r.get("/ml/list_all/", Role.VIEWER, (ctx, who) -> Json.send(ctx, 200,
        listAll(visible(who).stream().filter(s -> isMl(s.name())).toList())));
    r.get("/ml/status/{id}", Role.VIEWER, (ctx, who) -> {
      AppStatus s = mlDeployment(ctx.pathParam("id"), who);
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("deployment_id", s.name());
      out.put("status", s.phase());
      out.put("endpoints", endpoints(s));
      Json.send(ctx, 200, out);
    });
    r.delete("/ml/remove/{id}", Role.DEVELOPER, (ctx, who) -> {
      String name = remove(ctx.pathParam("id"), who, true);
      Json.send(ctx, 200, Map.of("deployment_id", name, "message", REMOVE_MESSAGE));
    });
  }

  // ---- handlers ----

  private void postApp(Context ctx, Principal who) {
    String mt = RequestBodies.requireMediaType(ctx, RequestBodies.YAML_OR_JSON);
    String text = RequestBodies.text(ctx);
    DescriptorInput.Parsed<AppDescriptor> p = withUnknownNodes(
        input.app(text, mt.equals("application/json") ? "request.json" : "request.yaml"));
    if (PlacementRoutes.dryRunAsked(ctx)) {
      // Nothing is deployed or recorded: where each component would go, and every score.
      Map<String, Object> body = new LinkedHashMap<>(placement.dryRunBody(ctx, p.descriptor()));
      List<Map<String, String>> warnings = new ArrayList<>();
      String name = p.descriptor().name();
      if (continuum.continuum().app(name).isPresent()) {
        // Placed afresh as if it were not there; but deploying it as it is would be refused.
        warnings.add(ApiProblem.entry("name", "an app named \"" + name + "\" already exists:"
            + " deploying this would be refused (409); change it with PUT /api/v1/apps/" + name
            + " (mls apps update-app)", eu.mlsysops.model.Severity.WARNING.toString()));
      }
      p.warnings().forEach(w -> warnings.add(ApiProblem.entry(w)));
      if (!warnings.isEmpty()) {
        body.put("warnings", warnings);
      }
      Json.send(ctx, 200, body);
      return;
    }
    deploy(p, who, false);
    Map<String, Object> body = new LinkedHashMap<>(views.appDetail(
        continuum.continuum().app(p.descriptor().name()).orElseThrow(() -> ApiProblem.conflict(
            "\"" + p.descriptor().name() + "\" was removed while it was being deployed"))));
    if (!p.warnings().isEmpty()) {
      body.put("warnings", p.warnings().stream().map(ApiProblem::entry).toList());
    }
    ctx.header("Location", "/api/v1/apps/" + p.descriptor().name());
    Json.send(ctx, 201, body);
  }

  /**
   * Adds a warning for each component that names a node the continuum does not know: valid (the
   * node may join later), but it stays Pending until then, which a typo or a placeholder such as
   * {@code node: NODE} would otherwise leave unexplained.
   */
  private DescriptorInput.Parsed<AppDescriptor> withUnknownNodes(
      DescriptorInput.Parsed<AppDescriptor> p) {
    List<eu.mlsysops.model.Problem> warnings = new java.util.ArrayList<>(p.warnings());
    var components = p.descriptor().components();
    for (int i = 0; i < components.size(); i++) {
      var placement = components.get(i).nodePlacement();
      String node = placement == null ? null : placement.node();
      if (node != null && !node.isBlank() && views.node(node).isEmpty()) {
        warnings.add(new eu.mlsysops.model.Problem(eu.mlsysops.model.Severity.WARNING,
            "request", "components[" + i + "].node_placement.node", "no node \"" + node
                + "\" is in the continuum now; the component stays Pending until it joins"));
      }
    }
    return warnings.size() == p.warnings().size() ? p
        : new DescriptorInput.Parsed<>(p.descriptor(), List.copyOf(warnings));
  }

  /** A declarative update: the app's new descriptor, under the same name. */
  private void putApp(Context ctx, Principal who) {
    String name = ctx.pathParam("name");
    AppStatus existing = app(name, who);
    String mt = RequestBodies.requireMediaType(ctx, RequestBodies.YAML_OR_JSON);
    DescriptorInput.Parsed<AppDescriptor> p = input.app(RequestBodies.text(ctx),
        mt.equals("application/json") ? "request.json" : "request.yaml");
    if (!p.descriptor().name().equals(existing.name())) {
      throw ApiProblem.badRequest("name: \"" + p.descriptor().name()
          + "\" does not match the app being updated (\"" + existing.name() + "\"); deploy a"
          + " new app with POST /api/v1/apps");
    }
    checkCommands(p.descriptor(), who);
    boolean updated;
    deployLock.lock();
    try {
      checkQuota(p.descriptor(), who);
      updated = continuum.continuum().update(p.descriptor());
    } catch (IllegalStateException e) {
      if (continuum.continuum().app(existing.name()).isPresent()) {
        throw e; // not "removed meanwhile": a real failure, answered as one
      }
      throw ApiProblem.notFound(e.getMessage());
    } finally {
      deployLock.unlock();
    }
    Map<String, Object> body = new LinkedHashMap<>(views.appDetail(
        continuum.continuum().app(existing.name()).orElseThrow(
            () -> ApiProblem.notFound("no app named \"" + existing.name() + "\""))));
    body.put("updated", updated);
    if (!p.warnings().isEmpty()) {
      body.put("warnings", p.warnings().stream().map(ApiProblem::entry).toList());
    }
    Json.send(ctx, 200, body);
  }

  private void descriptor(Context ctx, Principal who) {
    AppStatus s = app(ctx.pathParam("name"), who);
    AppDescriptor d = continuum.continuum().descriptor(s.name())
        .orElseThrow(() -> ApiProblem.notFound("no app named \"" + s.name() + "\""));
    String format = ctx.queryParam("format");
    if (format == null || format.equals("json")) {
      ctx.status(200).contentType(Json.JSON).result(Descriptors.toJson(d));
    } else if (format.equals("yaml")) {
      ctx.status(200).contentType("application/yaml").result(Descriptors.toYaml(d));
    } else {
      throw ApiProblem.badRequest("format must be yaml or json, got \"" + format + "\"");
    }
  }

  private DescriptorInput.Parsed<AppDescriptor> referenceApp(Context ctx, Principal who) {
    RequestBodies.requireMediaType(ctx, RequestBodies.JSON);
    ObjectNode body = Json.readObject(RequestBodies.text(ctx));
    if (!body.has("yaml") && !body.has("uri") && looksLikeDescriptor(body)) {
      // The reference's /ml/deploy_ml takes the descriptor itself as the body.
      return input.app(Json.write(body), "request.json");
    }
    return input.app(input.referenceBody(body, who));
  }

  private static boolean looksLikeDescriptor(ObjectNode body) {
    return body.has("kind") || body.has("apiVersion")
        || body.properties().stream().anyMatch(e -> e.getKey().startsWith("MLSysOps"));
  }

  /**
   * Where nodes run instances as local processes, a container's {@code command} runs on the host:
   * only admins may deploy one, and developers whose token allows it, and those only where the
   * runtime drops privileges to an unprivileged user (else the command would run as this process
   * and could read its tokens).
   */
  private void checkCommands(AppDescriptor app, Principal who) {
    // With clusters in other processes this continuum cannot know how their nodes run
    // instances: it assumes they may be local processes (fail closed).
    boolean processes = continuum.runtimeKind() == EmbeddedContinuum.RuntimeKind.PROCESS
        || continuum.remoteClusters();
    if (!processes || who.role() == Role.ADMIN) {
      return;
    }
    for (int i = 0; i < app.components().size(); i++) {
      var containers = app.components().get(i).containers();
      for (int j = 0; j < containers.size(); j++) {
        if (containers.get(j).command().isEmpty()) {
          continue;
        }
        String path = "components[" + i + "].containers[" + j + "].command";
        if (!who.mayRunCommands()) {
          throw new ApiProblem(403, path + ": nodes here run (or may run) commands as local"
              + " processes; only admins may deploy them, or developers whose token was created"
              + " with allow_commands", List.of(ApiProblem.entry(path, "needs the admin role or a token"
                  + " with allow_commands", "error")));
        }
        var workloads = continuum.workloads();
        if (workloads.isPresent() && !workloads.get().dropsPrivileges()) {
          throw new ApiProblem(403, path + ": this host cannot run instances as an unprivileged"
              + " user (" + workloads.get().detail() + "), so only admins may deploy commands",
              List.of(ApiProblem.entry(path, "needs the admin role on this host", "error")));
        }
      }
    }
  }

  /** Under the deploy lock: the developer's apps with {@code app} (replacing its old version). */
  private void checkQuota(AppDescriptor app, Principal who) {
    if (who.role() != Role.DEVELOPER) {
      return;
    }
    List<AppDescriptor> others = new java.util.ArrayList<>();
    store.apps().forEach((name, record) -> {
      if (record.owner().equals(who.name()) && !name.equals(app.name())) {
        continuum.continuum().descriptor(name).ifPresent(others::add);
      }
    });
    quota.check(who.name(), app, others);
  }

  // ---- operations ----

  DescriptorInput.Parsed<AppDescriptor> deploy(DescriptorInput.Parsed<AppDescriptor> p,
      Principal who, boolean ml) {
    AppDescriptor app = p.descriptor();
    checkCommands(app, who);
    deployLock.lock();
    try {
      if (continuum.continuum().app(app.name()).isPresent()) {
        throw ApiProblem.conflict("an app named \"" + app.name() + "\" already exists; change it"
            + " with PUT /api/v1/apps/" + app.name() + " (mls apps update-app)");
      }
      checkQuota(app, who);
      // Owner first: an app must never be visible without its owner.
      store.putApp(app.name(), who.name(), ml);
      events.forget(app.name());
      try {
        continuum.continuum().deploy(app);
      } catch (IllegalStateException e) {
        store.removeApp(app.name());
        throw ApiProblem.conflict(e.getMessage());
      } catch (RuntimeException e) {
        store.removeApp(app.name());
        throw e;
      }
    } finally {
      deployLock.unlock();
    }
    return p;
  }

  private String remove(String name, Principal who, boolean mlOnly) {
    // Under the deploy lock: a deploy of the same name running meanwhile must not have its
    // owner removed after it (the app would then belong to nobody, invisible to its developer).
    deployLock.lock();
    try {
      AppStatus s = mlOnly ? mlDeployment(name, who) : app(name, who);
      if (!continuum.continuum().remove(s.name())) {
        throw ApiProblem.notFound("no app named \"" + name + "\"");
      }
      store.removeApp(s.name());
      events.forget(s.name());
      return s.name();
    } finally {
      deployLock.unlock();
    }
  }

  private List<AppStatus> visible(Principal who) {
    return continuum.continuum().apps().stream()
        .filter(s -> who.mayAccessAppOf(views.owner(s.name()))).toList();
  }

  private AppStatus app(String name, Principal who) {
    return continuum.continuum().app(name)
        .filter(s -> who.mayAccessAppOf(views.owner(name)))
        .orElseThrow(() -> ApiProblem.notFound("no app named \"" + name + "\""));
  }

  private AppStatus mlDeployment(String id, Principal who) {
    if (!isMl(id)) {
      throw ApiProblem.notFound("no ML deployment \"" + id + "\"");
    }
    return app(id, who);
  }

  /**
   * Where an ML deployment answers: each running instance's node and the ports its containers
   * declare (the host port when one is given).
   */
  private List<Map<String, Object>> endpoints(AppStatus s) {
    Optional<AppDescriptor> d = continuum.continuum().descriptor(s.name());
    List<Map<String, Object>> out = new ArrayList<>();
    for (AppStatus.ComponentStatus c : s.components()) {
      List<String> ports = new ArrayList<>();
      d.flatMap(app -> app.component(c.name())).ifPresent(comp -> comp.containers().forEach(
          ct -> ct.ports().forEach(p -> {
            Integer port = p.hostPort() != null ? p.hostPort() : p.containerPort();
            if (port != null) {
              ports.add(port + "/" + (p.protocol() == null ? "TCP" : p.protocol()));
            }
          })));
      for (Message.InstanceReport i : c.instances()) {
        if (InstancePhase.of(i.state()) == InstancePhase.RUNNING) {
          Map<String, Object> e = new LinkedHashMap<>();
          e.put("component", c.name());
          e.put("instance", i.instanceId());
          e.put("node", i.node());
          e.put("ports", ports);
          out.add(e);
        }
      }
    }
    return out;
  }

  private boolean isMl(String name) {
    return store.app(name).map(NorthboundStore.AppRecord::ml).orElse(false);
  }

  // ---- reference shapes ----

  private static Map<String, Object> listAll(List<AppStatus> apps) {
    if (apps.isEmpty()) {
      return Map.of("status", "No data in the system.");
    }
    Map<String, Object> status = new LinkedHashMap<>();
    apps.forEach(s -> status.put(s.name(), s.phase()));
    return Map.of("System_status", status);
  }

  private static Map<String, Object> referenceDetails(AppStatus s) {
    List<Map<String, Object>> comps = new ArrayList<>();
    for (AppStatus.ComponentStatus c : s.components()) {
      List<Map<String, Object>> pods = new ArrayList<>();
      for (Message.InstanceReport r : c.instances()) {
        Map<String, Object> pod = new LinkedHashMap<>();
        pod.put("pod_name", r.instanceId());
        pod.put("pod_status", r.state());
        pod.put("node_name", r.node());
        pod.put("cluster_name", c.cluster());
        pods.add(pod);
      }
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("cluster", c.cluster());
      details.put("desired", c.desired());
      details.put("running", c.running());
      details.put("unschedulable", c.unschedulable());
      details.put("pods", pods);
      comps.add(Map.of("name", c.name(), "details", details));
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("app_id", s.name());
    m.put("state", s.phase());
    m.put("components", comps);
    return m;
  }

  private Map<String, Object> performance(AppStatus s) {
    AppDescriptor d = continuum.continuum().descriptor(s.name()).orElse(null);
    List<Map<String, Object>> metrics = new ArrayList<>();
    if (d != null) {
      d.components().forEach(c -> views.qos(s.name(), c).forEach(q -> {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("component", c.name());
        m.putAll(q);
        metrics.add(m);
      }));
    }
    return Map.of("app_id", s.name(), "metrics", metrics);
  }
}
