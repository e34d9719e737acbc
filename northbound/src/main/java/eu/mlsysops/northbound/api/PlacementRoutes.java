package eu.mlsysops.northbound.api;

import eu.mlsysops.agent.tier.ContinuumPort;
import eu.mlsysops.agent.tier.PlacementAdvisor;
import eu.mlsysops.model.AppDescriptor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Placement questions: dry runs ({@code POST /api/v1/apps?dryRun=true}, {@code POST
 * /apps/deploy?dry_run=true}, answered here in {@link #dryRunBody}) and {@code GET
 * /api/v1/apps/{name}/components/{component}/placement[?node=N]} ("why there, and why not N").
 */
final class PlacementRoutes {
  private final ContinuumPort continuum;
  private final ContinuumViews views;

  PlacementRoutes(ContinuumPort continuum, ContinuumViews views) {
    this.continuum = continuum;
    this.views = views;
  }

  void register(RouteTable r) {
    r.get("/api/v1/apps/{name}/components/{component}/placement", Role.VIEWER, (ctx, who) -> {
      String name = ctx.pathParam("name");
      continuum.continuum().app(name).filter(s -> who.mayAccessAppOf(views.owner(name)))
          .orElseThrow(() -> ApiProblem.notFound("no app named \"" + name + "\""));
      try {
        Json.send(ctx, 200, explainBody(advisor().explain(name, ctx.pathParam("component"),
            ctx.queryParam("node"))));
      } catch (NoSuchElementException e) {
        throw ApiProblem.notFound(e.getMessage());
      }
    });
  }

  private PlacementAdvisor advisor() {
    return PlacementAdvisor.of(continuum);
  }

  /** The {@code candidates} query parameter: 1 to {@value #MAX_CANDIDATES}, default 10. */
  static int candidatesAsked(io.javalin.http.Context ctx) {
    String v = ctx.queryParam("candidates");
    if (v == null) {
      return DEFAULT_CANDIDATES;
    }
    try {
      int n = Integer.parseInt(v);
      if (n >= 1 && n <= MAX_CANDIDATES) {
        return n;
      }
    } catch (NumberFormatException e) {
      // said below
    }
    throw ApiProblem.badRequest("candidates must be a whole number from 1 to " + MAX_CANDIDATES
        + " (the feasible nodes listed per instance), got \"" + v + "\"");
  }

  /** True when the request asks for a dry run ({@code dryRun} or {@code dry_run}). */
  static boolean dryRunAsked(io.javalin.http.Context ctx) {
    String v = ctx.queryParam("dryRun");
    if (v == null) {
      v = ctx.queryParam("dry_run");
    }
    if (v == null || v.equals("false")) {
      return false;
    }
    if (v.isEmpty() || v.equals("true")) {
      return true;
    }
    throw ApiProblem.badRequest("dryRun must be true or false, got \"" + v + "\"");
  }

  /** Candidates listed per instance of a dry run unless {@code candidates} says otherwise. */
  static final int DEFAULT_CANDIDATES = 10;
  /** The most candidates a dry run lists per instance: its answer stays small at any scale. */
  static final int MAX_CANDIDATES = 100;

  /** Dry runs at once: each places every instance against every node; others wait, then 503. */
  static final int MAX_CONCURRENT_DRY_RUNS = 2;
  private final java.util.concurrent.Semaphore dryRuns =
      new java.util.concurrent.Semaphore(MAX_CONCURRENT_DRY_RUNS, true);

  /** The JSON body of a dry run; {@code candidates} (query) bounds each instance's list. */
  Map<String, Object> dryRunBody(io.javalin.http.Context ctx, AppDescriptor app) {
    int candidates = candidatesAsked(ctx);
    PlacementAdvisor.DryRun d;
    try {
      if (!dryRuns.tryAcquire(DescriptorInput.PARSE_WAIT_SECONDS,
          java.util.concurrent.TimeUnit.SECONDS)) {
        throw ApiProblem.busy(MAX_CONCURRENT_DRY_RUNS + " dry runs are in progress, the most the"
            + " server runs at once; try again", DescriptorInput.PARSE_WAIT_SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiProblem(503, "interrupted while waiting to dry-run the app");
    }
    try {
      d = advisor().dryRun(app, candidates);
    } finally {
      dryRuns.release();
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", d.app());
    m.put("dry_run", true);
    m.put("placeable", d.placeable());
    List<Map<String, Object>> cs = new ArrayList<>();
    for (PlacementAdvisor.ComponentPlan c : d.components()) {
      Map<String, Object> cm = new LinkedHashMap<>();
      cm.put("name", c.component());
      cm.put("cluster", c.cluster());
      cm.put("unschedulable", c.unschedulable());
      List<Map<String, Object>> is = new ArrayList<>();
      for (PlacementAdvisor.InstancePlan i : c.instances()) {
        Map<String, Object> im = new LinkedHashMap<>();
        im.put("slot", i.slot());
        im.put("node", i.node());
        im.put("score", round(i.score()));
        im.put("explanation", i.explanation());
        im.put("candidates", candidates(i.candidates()));
        im.put("feasible", i.feasible());
        im.put("rejected", i.rejected());
        is.add(im);
      }
      cm.put("instances", is);
      cs.add(cm);
    }
    m.put("components", cs);
    return m;
  }

  static Map<String, Object> explainBody(PlacementAdvisor.Explanation e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("app", e.app());
    m.put("component", e.component());
    m.put("cluster", e.cluster());
    m.put("current_nodes", e.currentNodes());
    m.put("best", e.best());
    m.put("summary", e.summary());
    m.put("candidates", candidates(e.ranking()));
    m.put("rejected", e.rejected());
    e.node().ifPresent(n -> {
      Map<String, Object> nm = new LinkedHashMap<>();
      nm.put("name", n.node());
      nm.put("known", n.known());
      nm.put("cluster", n.cluster());
      nm.put("feasible", n.feasible());
      nm.put("failed", n.failed());
      nm.put("score", n.score().map(s -> round(s.score())).orElse(null));
      nm.put("scores", n.score().map(s -> rounded(s.scores())).orElse(Map.of()));
      nm.put("verdict", n.verdict());
      m.put("node", nm);
    });
    return m;
  }

  private static List<Map<String, Object>> candidates(List<PlacementAdvisor.Candidate> cs) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (PlacementAdvisor.Candidate c : cs) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("node", c.node());
      m.put("cluster", c.cluster());
      m.put("score", round(c.score()));
      m.put("scores", rounded(c.scores()));
      out.add(m);
    }
    return out;
  }

  private static Map<String, Double> rounded(Map<String, Double> scores) {
    Map<String, Double> out = new LinkedHashMap<>();
    scores.forEach((k, v) -> out.put(k, round(v)));
    return out;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
