package eu.mlsysops.northbound.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.mlsysops.agent.tier.ContinuumPort;
import eu.mlsysops.mlconnector.Algorithm;
import eu.mlsysops.mlconnector.ArtifactStore;
import eu.mlsysops.mlconnector.MlService;
import eu.mlsysops.mlconnector.ModelId;
import eu.mlsysops.mlconnector.ModelKind;
import eu.mlsysops.mlconnector.ModelRegistry;
import eu.mlsysops.mlconnector.ModelSpec;
import eu.mlsysops.mlconnector.ModelVersion;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ML Connector's routes: {@code /api/v1/models…} (this API's shape) and the reference ML
 * Connector's {@code /model/…} routes with its bodies. Developers manage the models of their own
 * apps and see only those; models of no app are the framework's, which only admins manage;
 * viewers read every model and may ask any for predictions.
 */
final class ModelRoutes {
  private final ContinuumPort continuum;
  private final ContinuumViews views;
  private final ModelAnswers answers;
  private final ModelAccess access;

  ModelRoutes(ContinuumPort continuum, ContinuumViews views) {
    this.continuum = continuum;
    this.views = views;
    this.answers = new ModelAnswers(continuum::ml);
    this.access = new ModelAccess(continuum::ml, views);
  }

  void register(RouteTable table) {
    // Retraining on drift reads a developer's telemetry as that developer may see it, as the
    // first training did (the registry keeps whose view it was).
    ml().telemetry((level, who) -> who == null ? continuum.telemetry(level)
        : new VisibleTelemetry(continuum.telemetry(level),
            views.visibility(new Principal(who, Role.DEVELOPER))));
    Guarded r = new Guarded(table);
    r.post("/api/v1/models", Role.DEVELOPER, (ctx, who) ->
        Json.send(ctx, 201, answers.model(ml().register(spec(ModelBodies.body(ctx), who, false)))));
    r.get("/api/v1/models", Role.VIEWER, (ctx, who) ->
        Json.send(ctx, 200, Page.of(ctx, visible(who).stream().map(answers::model).toList())));
    r.get("/api/v1/models/{id}", Role.VIEWER, (ctx, who) ->
        Json.send(ctx, 200, answers.detail(readable(ctx, who))));
    r.patch("/api/v1/models/{id}", Role.DEVELOPER, (ctx, who) ->
        Json.send(ctx, 200, answers.model(patch(writable(ctx, who), ModelBodies.body(ctx)))));
    r.delete("/api/v1/models/{id}", Role.DEVELOPER, (ctx, who) -> {
      ml().delete(writable(ctx, who).id());
      ctx.status(204);
    });
    r.post("/api/v1/models/{id}/upload", Role.DEVELOPER, (ctx, who) ->
        Json.send(ctx, 201, answers.uploaded(upload(ctx, writable(ctx, who)))));
    r.post("/api/v1/models/{id}/train", Role.DEVELOPER, (ctx, who) -> {
      ModelSpec m = writable(ctx, who);
      ObjectNode b = ModelBodies.optionalBody(ctx);
      if (asyncAsked(ctx)) {
        // A job: 202 at once, then GET its progress and outcome, DELETE to cancel it.
        eu.mlsysops.mlconnector.TrainingJob job = b.has("telemetry")
            ? startFromTelemetry(m, b.get("telemetry"), who)
            : ml().startTraining(m.id(), ModelBodies.text(b, "data"));
        ctx.header("Location", "/api/v1/models/" + m.id() + "/jobs/" + job.id());
        Json.send(ctx, 202, ModelAnswers.job(job.snapshot()));
        return;
      }
      if (b.has("telemetry")) {
        Json.send(ctx, 201, ModelAnswers.version(trainFromTelemetry(m, b.get("telemetry"), who)));
        return;
      }
      Json.send(ctx, 201, ModelAnswers.version(ml().train(m.id(), ModelBodies.text(b, "data"))));
    });
    r.get("/api/v1/models/{id}/jobs/{job}", Role.VIEWER, (ctx, who) -> Json.send(ctx, 200,
        ModelAnswers.job(ml().job(readable(ctx, who).id(), ctx.pathParam("job")).snapshot())));
    r.delete("/api/v1/models/{id}/jobs/{job}", Role.DEVELOPER, (ctx, who) -> {
      eu.mlsysops.mlconnector.TrainingJob job = ml().job(writable(ctx, who).id(),
          ctx.pathParam("job"));
      job.cancel();
      Json.send(ctx, 200, ModelAnswers.job(job.snapshot()));
    });
    r.get("/api/v1/models/{id}/versions", Role.VIEWER, (ctx, who) ->
        Json.send(ctx, 200, Page.of(ctx, ml().versions(readable(ctx, who).id()).stream()
            .map(ModelAnswers::version).toList())));
    r.get("/api/v1/models/{id}/drift", Role.VIEWER, (ctx, who) ->
        Json.send(ctx, 200, answers.drift(readable(ctx, who))));
    r.post("/api/v1/models/{id}/promote", Role.DEVELOPER, (ctx, who) -> {
      ModelSpec m = writable(ctx, who);
      JsonNode v = ModelBodies.body(ctx).get("version");
      if (v == null || !v.canConvertToInt() || v.asInt() < 1) {
        throw ApiProblem.badRequest("version: required, a version number (1, 2, …)");
      }
      Json.send(ctx, 200, ModelAnswers.version(ml().promote(m.id(), v.asInt())));
    });
    r.post("/api/v1/models/{id}/rollback", Role.DEVELOPER, (ctx, who) ->
        Json.send(ctx, 200, ModelAnswers.version(ml().rollback(writable(ctx, who).id()))));
    r.post("/api/v1/models/{id}/predict", Role.VIEWER, (ctx, who) -> {
      ModelSpec m = readable(ctx, who);
      ObjectNode b = ModelBodies.body(ctx);
      Map<String, Object> features = ModelBodies.features(b, "features");
      Map<String, Object> out = ModelAnswers.prediction(ml().predict(m.id(), features));
      if (b.path("explanation").asBoolean(false)) { // the reference model server's flag
        Map<String, Object> e = ModelAnswers.explanation(ml().explain(m.id(), features));
        e.keySet().removeAll(List.of("model", "version", "value"));
        out.put("explanation", e);
      }
      Json.send(ctx, 200, out);
    });
    r.post("/api/v1/models/{id}/observe", Role.DEVELOPER, (ctx, who) -> {
      // What actually happened: the serving version's error feeds its drift test.
      ModelSpec m = writable(ctx, who);
      ObjectNode b = ModelBodies.body(ctx);
      JsonNode actual = b.get("actual");
      if (actual == null || !(actual.isNumber() || actual.isTextual())) {
        throw ApiProblem.badRequest("actual: required, the true target (a number, or a class's"
            + " label)");
      }
      String truth = actual.isNumber() && actual.asDouble() == Math.rint(actual.asDouble())
          && Math.abs(actual.asDouble()) < 1e15 ? Long.toString(actual.asLong()) : actual.asText();
      double error = ml().observe(m.id(), ModelBodies.features(b, "features"), truth);
      Json.send(ctx, 200, Map.of("model", m.id().value(), "error", error));
    });
    r.post("/api/v1/models/{id}/explain", Role.VIEWER, (ctx, who) ->
        Json.send(ctx, 200, ModelAnswers.explanation(ml().explain(readable(ctx, who).id(),
            ModelBodies.features(ModelBodies.body(ctx), "features")))));
    reference(r);
    new DeploymentRoutes(continuum, access).register(r);
  }

  /** The reference ML Connector's routes, bodies and answers. */
  private void reference(Guarded r) {
    r.post("/model/add", Role.DEVELOPER, (ctx, who) ->
        Json.send(ctx, 201, answers.referenceModel(ml().register(
            spec(ModelBodies.body(ctx), who, true)))));
    r.get("/model/all", Role.VIEWER, (ctx, who) -> {
      int skip = Page.intParam(ctx, "skip", 0, 0, Integer.MAX_VALUE);
      int limit = Page.intParam(ctx, "limit", 100, 1, Page.MAX_LIMIT);
      Json.send(ctx, 200, visible(who).stream().skip(skip).limit(limit)
          .map(answers::referenceModel).toList());
    });
    r.get("/model/getkind/{kind}", Role.VIEWER, (ctx, who) -> {
      ModelKind kind = ModelBodies.kind(ctx.pathParam("kind"), "kind");
      Json.send(ctx, 200, visible(who).stream().filter(m -> m.kind() == kind)
          .map(answers::referenceModel).toList());
    });
    r.get("/model/search", Role.VIEWER, (ctx, who) -> {
      List<String> tags = ctx.queryParams("tags");
      Json.send(ctx, 200, visible(who).stream().filter(m -> m.tags().containsAll(tags))
          .map(answers::referenceModel).toList());
    });
    r.get("/model/{id}", Role.VIEWER, (ctx, who) ->
        Json.send(ctx, 200, answers.referenceModel(readable(ctx, who))));
    r.patch("/model/{id}", Role.DEVELOPER, (ctx, who) ->
        Json.send(ctx, 200, answers.referenceModel(
            patch(writable(ctx, who), ModelBodies.body(ctx)))));
    r.delete("/model/{id}", Role.DEVELOPER, (ctx, who) -> {
      ModelSpec m = writable(ctx, who);
      ml().delete(m.id());
      Json.send(ctx, 200, Map.of("modelid", m.id().value(), "deleted", true));
    });
    r.post("/model/{id}/upload", Role.DEVELOPER, (ctx, who) ->
        Json.send(ctx, 201, answers.uploaded(upload(ctx, writable(ctx, who)))));
  }

  /**
   * Registers routes whose handlers' ML Connector errors become problems: bad input 400 (naming
   * the field or feature), no such model 404, another training under way 429, too large 413.
   */
  record Guarded(RouteTable table) {
    void get(String path, Role role, RouteTable.ApiHandler h) {
      table.get(path, role, guard(h));
    }

    void post(String path, Role role, RouteTable.ApiHandler h) {
      table.post(path, role, guard(h));
    }

    void patch(String path, Role role, RouteTable.ApiHandler h) {
      table.patch(path, role, guard(h));
    }

    void delete(String path, Role role, RouteTable.ApiHandler h) {
      table.delete(path, role, guard(h));
    }

    private static RouteTable.ApiHandler guard(RouteTable.ApiHandler h) {
      return (ctx, who) -> {
        try {
          h.handle(ctx, who);
        } catch (ApiProblem e) {
          throw e;
        } catch (MlService.NotFound e) {
          throw ApiProblem.notFound(e.getMessage());
        } catch (MlService.Busy e) {
          throw new ApiProblem(429, e.getMessage());
        } catch (MlService.Broken e) {
          throw new ApiProblem(503, e.getMessage());
        } catch (ArtifactStore.TooLarge e) {
          throw new ApiProblem(413, e.getMessage());
        } catch (eu.mlsysops.telemetry.StoreUnavailable e) {
          throw new ApiProblem(503, e.getMessage());
        } catch (IllegalArgumentException e) {
          throw ApiProblem.badRequest(e.getMessage());
        }
      };
    }
  }

  private MlService ml() {
    return continuum.ml();
  }

  // ---- who may see and change what (ModelAccess)

  private List<ModelSpec> visible(Principal who) {
    return access.visible(who);
  }

  private ModelSpec readable(Context ctx, Principal who) {
    return access.readable(ctx.pathParam("id"), who);
  }

  private ModelSpec writable(Context ctx, Principal who) {
    return access.writable(ctx.pathParam("id"), who);
  }

  // ---- bodies

  /**
   * A model from this API's body ({@code name, kind, algorithm, features[{name, type, kind,
   * units}], hyperparameters{}, metric, tags[], app}) or the reference's ({@code modelname,
   * modelkind, featurelist[{feature_name, type, kind, units}], hyperparameter[],
   * modelperformance[], modeltags[]}, and the rest kept as submitted).
   */
  private ModelSpec spec(ObjectNode b, Principal who, boolean reference) {
    String name = ModelBodies.text(b, reference ? "modelname" : "name");
    if (name == null || name.isBlank()) {
      throw ApiProblem.badRequest((reference ? "modelname" : "name") + ": required");
    }
    ModelKind kind = ModelBodies.kind(ModelBodies.text(b, reference ? "modelkind" : "kind"),
        reference ? "modelkind" : "kind");
    Algorithm algorithm;
    try {
      String a = ModelBodies.text(b, "algorithm");
      algorithm = a == null ? Algorithm.LINEAR : Algorithm.fromWire(a);
    } catch (IllegalArgumentException e) {
      throw ApiProblem.badRequest("algorithm: " + e.getMessage());
    }
    String app = ModelBodies.text(b, "app");
    if (app == null && who.role() != Role.ADMIN) {
      throw new ApiProblem(403, "app: a model of no app is a framework model, which only admins"
          + " register; name one of your apps");
    }
    if (app != null && !views.visibility(who).app(app)) {
      throw new ApiProblem(403, "app: you have no app named \"" + app + "\"");
    }
    if (app != null && views.owner(app) == null) {
      throw ApiProblem.badRequest("app: there is no app named \"" + app + "\"");
    }
    Map<String, Object> extra = new LinkedHashMap<>();
    if (reference) {
      for (String f : List.of("trainingresource", "runresource", "inference", "drift_detection",
          "modelperformance", "hyperparameter")) {
        if (b.has(f)) {
          extra.put(f, Json.MAPPER.convertValue(b.get(f), Object.class));
        }
      }
    }
    Map<String, Double> params = ModelBodies.hyperparameters(b.get(reference ? "hyperparameter"
        : "hyperparameters"), reference ? "hyperparameter" : "hyperparameters");
    for (Map.Entry<String, Double> p : new ArrayList<>(params.entrySet())) {
      if (!ModelBodies.HYPERPARAMETERS.contains(p.getKey())) {
        if (reference) {
          params.remove(p.getKey()); // the reference's free-form entries: kept as submitted
        } else {
          throw ApiProblem.badRequest("hyperparameters." + p.getKey() + ": not a hyperparameter"
              + " here " + ModelBodies.HYPERPARAMETERS);
        }
      } else if (!(p.getValue() > 0) || Double.isInfinite(p.getValue())) {
        throw ApiProblem.badRequest((reference ? "hyperparameter." : "hyperparameters.")
            + p.getKey() + ": must be a positive number, got " + p.getValue());
      }
    }
    try {
      return new ModelSpec(ModelId.random(), name, kind, algorithm,
          ModelBodies.features(b.get(reference ? "featurelist" : "features"),
              reference ? "featurelist" : "features"),
          params, ModelBodies.metric(b, reference),
          ModelBodies.strings(b.get(reference ? "modeltags" : "tags"),
              reference ? "modeltags" : "tags"),
          who.name(), app, continuum.clock().millis(), extra);
    } catch (IllegalArgumentException e) {
      // The record speaks the reference's field names; this API's are others.
      throw ApiProblem.badRequest(reference ? e.getMessage() : e.getMessage()
          .replace("featurelist:", "features:").replace("modelperformance:", "metric:")
          .replace(" (kind 1)", "").replace(" (kind 0)", ""));
    }
  }


  /**
   * {@code {"level": "node|cluster|continuum", "window": "30m", "step": "15s", "features": {input:
   * PROMQL}, "target": PROMQL}}, read from the tier's telemetry as the caller may see it (a
   * developer, only its own apps' series and the infrastructure's).
   */
  private static boolean asyncAsked(Context ctx) {
    String v = ctx.queryParam("async");
    if (v == null || v.equals("false")) {
      return false;
    }
    if (v.equals("true")) {
      return true;
    }
    throw ApiProblem.badRequest("async: \"" + v + "\" is not true or false");
  }

  private eu.mlsysops.mlconnector.TrainingJob startFromTelemetry(ModelSpec m, JsonNode t,
      Principal who) {
    Telemetry q = telemetry(m, t, who);
    return ml().startTrainingFromTelemetry(m.id(), q.dataset(), q.source());
  }

  private ModelVersion trainFromTelemetry(ModelSpec m, JsonNode t, Principal who)
      throws IOException {
    Telemetry q = telemetry(m, t, who);
    return ml().trainFromTelemetry(m.id(), q.dataset(), q.source());
  }

  /** A training on telemetry, checked: what to query, and the tier as the caller may see it. */
  private record Telemetry(eu.mlsysops.mlconnector.TelemetryDataset dataset,
      eu.mlsysops.telemetry.SeriesSource source) {}

  private Telemetry telemetry(ModelSpec m, JsonNode t, Principal who) {
    if (!t.isObject()) {
      throw ApiProblem.badRequest("telemetry: must be an object {level, window, step, features,"
          + " target}");
    }
    String level = t.path("level").asText("continuum");
    if (!ContinuumPort.TIERS.contains(level)) {
      throw ApiProblem.badRequest("telemetry.level: \"" + level + "\" is not a tier (continuum,"
          + " cluster, node)");
    }
    Map<String, String> features = new LinkedHashMap<>();
    JsonNode fs = t.path("features");
    if (!fs.isObject() || fs.isEmpty()) {
      throw ApiProblem.badRequest("telemetry.features: required, an object of input name to"
          + " PromQL");
    }
    fs.properties().forEach(e -> features.put(e.getKey(), e.getValue().asText()));
    String target = t.path("target").asText(null);
    if (target == null || target.isBlank()) {
      throw ApiProblem.badRequest("telemetry.target: required, a PromQL expression");
    }
    java.time.Duration window = ModelBodies.duration(t.path("window").asText("30m"),
        "telemetry.window");
    java.time.Duration step = ModelBodies.duration(t.path("step").asText("15s"), "telemetry.step");
    eu.mlsysops.telemetry.UnionQuery store = continuum.telemetry(level);
    Visibility v = views.visibility(who);
    eu.mlsysops.telemetry.SeriesSource source = v.all() ? store : new VisibleTelemetry(store, v);
    return new Telemetry(new eu.mlsysops.mlconnector.TelemetryDataset(
        level, features, target, window, step, v.all() ? null : who.name()), source);
  }

  private ModelSpec patch(ModelSpec m, ObjectNode b) {
    String name = ModelBodies.text(b, b.has("modelname") ? "modelname" : "name");
    List<String> tags = b.has("modeltags") ? ModelBodies.strings(b.get("modeltags"), "modeltags")
        : b.has("tags") ? ModelBodies.strings(b.get("tags"), "tags") : null;
    Map<String, Double> params = b.has("hyperparameter")
        ? ModelBodies.hyperparameters(b.get("hyperparameter"), "hyperparameter")
        : b.has("hyperparameters")
            ? ModelBodies.hyperparameters(b.get("hyperparameters"), "hyperparameters")
        : null;
    for (Iterator<String> it = b.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!Set.of("name", "modelname", "tags", "modeltags", "hyperparameters", "hyperparameter")
          .contains(f)) {
        throw ApiProblem.badRequest(f + ": cannot be changed (name, tags and hyperparameters"
            + " can; features and kind make a new model)");
      }
    }
    return ml().update(m.id(), name, tags, params);
  }

  private ModelRegistry.Upload upload(Context ctx, ModelSpec m) throws IOException {
    String type = RequestBodies.mediaType(ctx);
    if (type != null && type.startsWith("multipart/form-data")) {
      UploadedFile file;
      String kind;
      try {
        file = ctx.uploadedFile("file");
        kind = ctx.formParam("file_kind");
      } catch (RuntimeException e) {
        throw tooLargeOrBad(e);
      }
      if (file == null) {
        throw ApiProblem.badRequest("file: required (a multipart part named file)");
      }
      if (kind == null || kind.isBlank()) {
        throw ApiProblem.badRequest("file_kind: required (model, data, code or env)");
      }
      try (InputStream in = file.content()) {
        return store(m, kind, file.filename(), in);
      }
    }
    String kind = ctx.queryParam("file_kind");
    try (InputStream in = ctx.bodyInputStream()) {
      return store(m, kind == null ? "data" : kind, ctx.queryParam("filename"), in);
    }
  }

  private ModelRegistry.Upload store(ModelSpec m, String kind, String filename, InputStream in)
      throws IOException {
    try {
      return ml().upload(m.id(), kind, filename, in);
    } catch (ArtifactStore.TooLarge e) {
      throw new ApiProblem(413, e.getMessage());
    }
  }

  private static ApiProblem tooLargeOrBad(RuntimeException e) {
    String msg = String.valueOf(e.getMessage());
    if (msg.contains("exceeds") || msg.toLowerCase(java.util.Locale.ROOT).contains("too large")) {
      return new ApiProblem(413, "file: larger than the limit of " + MlService.MAX_UPLOAD_BYTES
          + " bytes");
    }
    return ApiProblem.badRequest("the multipart body could not be read: " + msg);
  }

}
