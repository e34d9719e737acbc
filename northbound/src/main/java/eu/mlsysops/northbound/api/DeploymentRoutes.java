package eu.mlsysops.northbound.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.mlsysops.agent.tier.ContinuumPort;
import eu.mlsysops.mlconnector.Deployment;
import eu.mlsysops.mlconnector.MlService;
import eu.mlsysops.mlconnector.ModelSpec;
import eu.mlsysops.mlconnector.Stage;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The reference ML Connector's deployment routes, with its bodies and answers: {@code POST
 * /deployment/add}, {@code GET /deployment/all}, {@code GET /deployment/get/status/{id}}, {@code
 * DELETE /deployment/{id}}, and the model server's {@code POST /deployment/{id}/prediction}.
 * Models run in process wherever a policy asks them, so a deployment is where a model is meant to
 * serve and an endpoint of its own; its status says whether that can work now: {@code Pending}
 * while the model has no serving version, {@code Failed} when its placement names a cluster or
 * node the continuum does not have, {@code Running} otherwise. A deployment belongs to its model:
 * who may change the model may deploy it, who may read the model sees its deployments.
 */
final class DeploymentRoutes {
  private final ContinuumPort continuum;
  private final ModelAccess access;

  DeploymentRoutes(ContinuumPort continuum, ModelAccess access) {
    this.continuum = continuum;
    this.access = access;
  }

  void register(ModelRoutes.Guarded r) {
    r.post("/deployment/add", Role.DEVELOPER, (ctx, who) -> {
      Deployment d = ml().deploy(deployment(ModelBodies.body(ctx), who));
      Json.send(ctx, 201, answer(d));
    });
    r.get("/deployment/all", Role.VIEWER, (ctx, who) -> {
      int skip = Page.intParam(ctx, "skip", 0, 0, Integer.MAX_VALUE);
      int limit = Page.intParam(ctx, "limit", 100, 1, Page.MAX_LIMIT);
      Json.send(ctx, 200, ml().deployments().stream().filter(d -> readable(d, who))
          .skip(skip).limit(limit).map(this::answer).toList());
    });
    r.get("/deployment/get/status/{id}", Role.VIEWER, (ctx, who) -> {
      Status s = status(find(ctx, who));
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("response", s.status());
      out.put("reason", s.reason());
      Json.send(ctx, 200, out);
    });
    r.delete("/deployment/{id}", Role.DEVELOPER, (ctx, who) -> {
      Deployment d = find(ctx, who);
      access.writable(d.model().value(), who);
      ml().undeploy(d.id());
      Json.send(ctx, 200, Map.of("message", "Deployment was deleted successfully"));
    });
    r.post("/deployment/{id}/prediction", Role.VIEWER, (ctx, who) -> {
      Deployment d = find(ctx, who);
      ObjectNode b = ModelBodies.body(ctx);
      Map<String, Object> features = ModelBodies.features(b, "data");
      Map<String, Object> out = new LinkedHashMap<>();
      MlService.Prediction p = ml().predict(d.model(), features);
      out.put("inference", p.output().label() != null ? p.output().label() : p.output().value());
      out.put("version", p.version());
      if (b.path("explanation").asBoolean(false)) {
        Map<String, Object> e = ModelAnswers.explanation(ml().explain(d.model(), features));
        e.keySet().removeAll(List.of("model", "version", "value"));
        out.put("explanation", e);
      }
      Json.send(ctx, 200, out);
    });
  }

  private MlService ml() {
    return continuum.ml();
  }

  private boolean readable(Deployment d, Principal who) {
    try {
      access.readable(d.model().value(), who);
      return true;
    } catch (ApiProblem notTheirs) {
      return false;
    }
  }

  /** The deployment of the path's id, if {@code who} may read its model; 404 otherwise. */
  private Deployment find(Context ctx, Principal who) {
    String id = ctx.pathParam("id");
    Deployment d;
    try {
      d = ml().deployment(id);
    } catch (MlService.NotFound e) {
      throw ApiProblem.notFound("no deployment " + id);
    }
    if (!readable(d, who)) {
      throw ApiProblem.notFound("no deployment " + id); // another tenant's does not exist
    }
    return d;
  }

  /** A deployment from the reference's body ({@code MLDeploymentCreate}). */
  private Deployment deployment(ObjectNode b, Principal who) {
    String model = ModelBodies.text(b, "modelid");
    if (model == null) {
      throw ApiProblem.badRequest("modelid: required");
    }
    ModelSpec spec = access.writable(model, who);
    JsonNode inference = b.get("inference_data");
    if (inference == null || !inference.isInt()) {
      throw ApiProblem.badRequest("inference_data: required, 0 (values in the request)");
    }
    if (inference.asInt() != 0) {
      // A link would have the server fetch whatever it names for anyone who may deploy.
      throw ApiProblem.badRequest("inference_data: " + inference.asInt() + " is not supported"
          + " here (1, a link to a CSV file, would have the server fetch it): use 0 and send the"
          + " values");
    }
    JsonNode placement = b.get("placement");
    if (placement == null || !placement.isObject()) {
      throw ApiProblem.badRequest("placement: required, {clusterID, node, continuum}");
    }
    ObjectNode pl = (ObjectNode) placement;
    JsonNode atContinuum = pl.get("continuum");
    if (atContinuum != null && !atContinuum.isBoolean()) {
      throw ApiProblem.badRequest("placement.continuum: must be true or false");
    }
    String id = ModelBodies.text(b, "deployment_id");
    try {
      return new Deployment(id == null ? UUID.randomUUID().toString() : id, spec.id(),
          ModelBodies.text(b, "ownerid"), placementText(pl, "clusterID"),
          placementText(pl, "node"), atContinuum != null && atContinuum.asBoolean(),
          who.name(), continuum.clock().millis());
    } catch (IllegalArgumentException e) {
      throw ApiProblem.badRequest(e.getMessage());
    }
  }

  private static String placementText(ObjectNode placement, String field) {
    try {
      String v = ModelBodies.text(placement, field);
      return v == null || v.isBlank() ? null : v;
    } catch (ApiProblem e) {
      throw ApiProblem.badRequest("placement." + field + ": must be text");
    }
  }

  /** Whether a deployment can serve now, and why not. */
  record Status(String status, String reason) {}

  Status status(Deployment d) {
    boolean serving = ml().versions(d.model()).stream().anyMatch(v -> v.stage() == Stage.SERVING);
    if (!serving) {
      return new Status("Pending", "model " + d.model() + " has no serving version yet (train it"
          + " or upload a model file)");
    }
    List<ContinuumPort.NodeSummary> nodes = continuum.knownNodes();
    boolean anyCluster = d.cluster() == null || d.cluster().equals("*");
    if (!anyCluster && nodes.stream().noneMatch(n -> d.cluster().equals(n.cluster()))) {
      return new Status("Failed", "placement.clusterID: no cluster " + d.cluster()
          + " in the continuum");
    }
    if (d.node() != null && !d.node().equals("*")) {
      var node = nodes.stream().filter(n -> n.name().equals(d.node())).findFirst();
      if (node.isEmpty()) {
        return new Status("Failed", "placement.node: no node " + d.node() + " in the continuum");
      }
      if (!anyCluster && !d.cluster().equals(node.get().cluster())) {
        return new Status("Failed", "placement.node: " + d.node() + " is not in cluster "
            + d.cluster());
      }
    }
    return new Status("Running", "");
  }

  /** The reference's {@code MLDeploymentReturn}, with this deployment's status and endpoint. */
  private Map<String, Object> answer(Deployment d) {
    Map<String, Object> placement = new LinkedHashMap<>();
    placement.put("clusterID", d.cluster());
    placement.put("node", d.node());
    placement.put("continuum", d.continuum());
    Status s = status(d);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("modelid", d.model().value());
    out.put("ownerid", d.owner());
    out.put("placement", placement);
    out.put("deployment_id", d.id());
    out.put("status", s.status());
    out.put("reason", s.reason());
    out.put("endpoint", "/deployment/" + d.id() + "/prediction");
    return out;
  }
}
