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

  /** The JSON body of a dry run. */
  Map<String, Object> dryRunBody(AppDescriptor app) {
    PlacementAdvisor.DryRun d = advisor().dryRun(app);
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
