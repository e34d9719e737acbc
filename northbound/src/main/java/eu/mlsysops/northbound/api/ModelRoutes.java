package eu.mlsysops.northbound.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.mlsysops.agent.tier.ContinuumPort;
import eu.mlsysops.mlconnector.Algorithm;
import eu.mlsysops.mlconnector.ArtifactStore;
import eu.mlsysops.mlconnector.Feature;
import eu.mlsysops.mlconnector.LoadedModel;
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

  ModelRoutes(ContinuumPort continuum, ContinuumViews views) {
    this.continuum = continuum;
    this.views = views;
  }

  void register(RouteTable table) {
    // Retraining on drift reads a developer's telemetry as that developer may see it, as the
    // first training did (the registry keeps whose view it was).
    ml().telemetry((level, who) -> who == null ? continuum.telemetry(level)
        : new VisibleTelemetry(continuum.telemetry(level),
            views.visibility(new Principal(who, Role.DEVELOPER))));
    Guarded r = new Guarded(table);
    r.post("/api/v1/models", Role.DEVELOPER, (ctx, who) ->
        Json.send(ctx, 201, model(ml().register(spec(body(ctx), who, false)))));
    r.get("/api/v1/models", Role.VIEWER, (ctx, who) ->
        Json.send(ctx, 200, Page.of(ctx, visible(who).stream().map(this::model).toList())));
    r.get("/api/v1/models/{id}", Role.VIEWER, (ctx, who) ->
        Json.send(ctx, 200, detail(readable(ctx, who))));
    r.patch("/api/v1/models/{id}", Role.DEVELOPER, (ctx, who) ->
        Json.send(ctx, 200, model(patch(writable(ctx, who), body(ctx)))));
    r.delete("/api/v1/models/{id}", Role.DEVELOPER, (ctx, who) -> {
      ml().delete(writable(ctx, who).id());
      ctx.status(204);
    });
    r.post("/api/v1/models/{id}/upload", Role.DEVELOPER, (ctx, who) ->
        Json.send(ctx, 201, uploaded(upload(ctx, writable(ctx, who)))));
    r.post("/api/v1/models/{id}/train", Role.DEVELOPER, (ctx, who) -> {
      ModelSpec m = writable(ctx, who);
      ObjectNode b = optionalBody(ctx);
      if (b.has("telemetry")) {
        Json.send(ctx, 201, version(trainFromTelemetry(m, b.get("telemetry"), who)));
        return;
      }
      Json.send(ctx, 201, version(ml().train(m.id(), text(b, "data"))));
    });
    r.get("/api/v1/models/{id}/versions", Role.VIEWER, (ctx, who) ->
        Json.send(ctx, 200, Page.of(ctx, ml().versions(readable(ctx, who).id()).stream()
            .map(ModelRoutes::version).toList())));
    r.get("/api/v1/models/{id}/drift", Role.VIEWER, (ctx, who) ->
        Json.send(ctx, 200, drift(readable(ctx, who))));
    r.post("/api/v1/models/{id}/promote", Role.DEVELOPER, (ctx, who) -> {
      ModelSpec m = writable(ctx, who);
      JsonNode v = body(ctx).get("version");
      if (v == null || !v.canConvertToInt() || v.asInt() < 1) {
        throw ApiProblem.badRequest("version: required, a version number (1, 2, …)");
      }
      Json.send(ctx, 200, version(ml().promote(m.id(), v.asInt())));
    });
    r.post("/api/v1/models/{id}/rollback", Role.DEVELOPER, (ctx, who) ->
        Json.send(ctx, 200, version(ml().rollback(writable(ctx, who).id()))));
    r.post("/api/v1/models/{id}/predict", Role.VIEWER, (ctx, who) -> {
      ModelSpec m = readable(ctx, who);
      ObjectNode b = body(ctx);
      Map<String, Object> out = prediction(ml().predict(m.id(), features(b, "features")));
      if (b.path("explanation").asBoolean(false)) { // the reference model server's flag
        Map<String, Object> e = explanation(ml().explain(m.id(), features(b, "features")));
        e.keySet().removeAll(List.of("model", "version", "value"));
        out.put("explanation", e);
      }
      Json.send(ctx, 200, out);
    });
    r.post("/api/v1/models/{id}/explain", Role.VIEWER, (ctx, who) ->
        Json.send(ctx, 200, explanation(ml().explain(readable(ctx, who).id(),
            features(body(ctx), "features")))));
    reference(r);
  }

  /** The reference ML Connector's routes, bodies and answers. */
  private void reference(Guarded r) {
    r.post("/model/add", Role.DEVELOPER, (ctx, who) ->
        Json.send(ctx, 201, referenceModel(ml().register(spec(body(ctx), who, true)))));
    r.get("/model/all", Role.VIEWER, (ctx, who) -> {
      int skip = Page.intParam(ctx, "skip", 0, 0, Integer.MAX_VALUE);
      int limit = Page.intParam(ctx, "limit", 100, 1, Page.MAX_LIMIT);
      Json.send(ctx, 200, visible(who).stream().skip(skip).limit(limit)
          .map(this::referenceModel).toList());
    });
    r.get("/model/getkind/{kind}", Role.VIEWER, (ctx, who) -> {
      ModelKind kind = kind(ctx.pathParam("kind"), "kind");
      Json.send(ctx, 200, visible(who).stream().filter(m -> m.kind() == kind)
          .map(this::referenceModel).toList());
    });
    r.get("/model/search", Role.VIEWER, (ctx, who) -> {
      List<String> tags = ctx.queryParams("tags");
      Json.send(ctx, 200, visible(who).stream().filter(m -> m.tags().containsAll(tags))
          .map(this::referenceModel).toList());
    });
    r.get("/model/{id}", Role.VIEWER, (ctx, who) ->
        Json.send(ctx, 200, referenceModel(readable(ctx, who))));
    r.patch("/model/{id}", Role.DEVELOPER, (ctx, who) ->
        Json.send(ctx, 200, referenceModel(patch(writable(ctx, who), body(ctx)))));
    r.delete("/model/{id}", Role.DEVELOPER, (ctx, who) -> {
      ModelSpec m = writable(ctx, who);
      ml().delete(m.id());
      Json.send(ctx, 200, Map.of("modelid", m.id().value(), "deleted", true));
    });
    r.post("/model/{id}/upload", Role.DEVELOPER, (ctx, who) ->
        Json.send(ctx, 201, uploaded(upload(ctx, writable(ctx, who)))));
  }

  /**
   * Registers routes whose handlers' ML Connector errors become problems: bad input 400 (naming
   * the field or feature), no such model 404, another training under way 429, too large 413.
   */
  private record Guarded(RouteTable table) {
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

  // ---- who may see and change what

  private boolean mayRead(Principal who, ModelSpec m) {
    return who.role() != Role.DEVELOPER || (m.app() != null && views.visibility(who).app(m.app()));
  }

  private List<ModelSpec> visible(Principal who) {
    return ml().models().stream().filter(m -> mayRead(who, m)).toList();
  }

  private ModelSpec find(Context ctx, Principal who) {
    ModelId id;
    try {
      id = new ModelId(ctx.pathParam("id"));
    } catch (IllegalArgumentException e) {
      throw ApiProblem.notFound("no model " + ctx.pathParam("id"));
    }
    try {
      ModelSpec m = ml().model(id);
      if (!mayRead(who, m)) {
        throw ApiProblem.notFound("no model " + id); // other tenants' models do not exist
      }
      return m;
    } catch (MlService.NotFound e) {
      throw ApiProblem.notFound(e.getMessage());
    }
  }

  private ModelSpec readable(Context ctx, Principal who) {
    return find(ctx, who);
  }

  private ModelSpec writable(Context ctx, Principal who) {
    ModelSpec m = find(ctx, who);
    if (m.app() == null && who.role() != Role.ADMIN) {
      throw new ApiProblem(403, "model " + m.id() + " is a framework model (of no app): only"
          + " admins change it");
    }
    return m;
  }

  // ---- bodies

  private static ObjectNode body(Context ctx) {
    return Json.readObject(RequestBodies.text(ctx));
  }

  private static ObjectNode optionalBody(Context ctx) {
    String text = RequestBodies.text(ctx);
    return text.isBlank() ? Json.MAPPER.createObjectNode() : Json.readObject(text);
  }

  private static String text(ObjectNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw ApiProblem.badRequest(field + ": must be text");
    }
    return n.asText();
  }

  private static ModelKind kind(String text, String field) {
    try {
      return ModelKind.fromWire(text);
    } catch (IllegalArgumentException e) {
      throw ApiProblem.badRequest(field + ": " + e.getMessage());
    }
  }

  /**
   * A model from this API's body ({@code name, kind, algorithm, features[{name, type, kind,
   * units}], hyperparameters{}, metric, tags[], app}) or the reference's ({@code modelname,
   * modelkind, featurelist[{feature_name, type, kind, units}], hyperparameter[],
   * modelperformance[], modeltags[]}, and the rest kept as submitted).
   */
  private ModelSpec spec(ObjectNode b, Principal who, boolean reference) {
    String name = text(b, reference ? "modelname" : "name");
    if (name == null || name.isBlank()) {
      throw ApiProblem.badRequest((reference ? "modelname" : "name") + ": required");
    }
    ModelKind kind = kind(text(b, reference ? "modelkind" : "kind"),
        reference ? "modelkind" : "kind");
    Algorithm algorithm;
    try {
      String a = text(b, "algorithm");
      algorithm = a == null ? Algorithm.LINEAR : Algorithm.fromWire(a);
    } catch (IllegalArgumentException e) {
      throw ApiProblem.badRequest("algorithm: " + e.getMessage());
    }
    String app = text(b, "app");
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
    Map<String, Double> params = hyperparameters(b.get(reference ? "hyperparameter"
        : "hyperparameters"), reference ? "hyperparameter" : "hyperparameters");
    for (Map.Entry<String, Double> p : new ArrayList<>(params.entrySet())) {
      if (!HYPERPARAMETERS.contains(p.getKey())) {
        if (reference) {
          params.remove(p.getKey()); // the reference's free-form entries: kept as submitted
        } else {
          throw ApiProblem.badRequest("hyperparameters." + p.getKey() + ": not a hyperparameter"
              + " here " + HYPERPARAMETERS);
        }
      } else if (!(p.getValue() > 0) || Double.isInfinite(p.getValue())) {
        throw ApiProblem.badRequest((reference ? "hyperparameter." : "hyperparameters.")
            + p.getKey() + ": must be a positive number, got " + p.getValue());
      }
    }
    try {
      return new ModelSpec(ModelId.random(), name, kind, algorithm,
          features(b.get(reference ? "featurelist" : "features"),
              reference ? "featurelist" : "features"),
          params, metric(b, reference), strings(b.get(reference ? "modeltags" : "tags"),
              reference ? "modeltags" : "tags"),
          who.name(), app, continuum.clock().millis(), extra);
    } catch (IllegalArgumentException e) {
      // The record speaks the reference's field names; this API's are others.
      throw ApiProblem.badRequest(reference ? e.getMessage() : e.getMessage()
          .replace("featurelist:", "features:").replace("modelperformance:", "metric:")
          .replace(" (kind 1)", "").replace(" (kind 0)", ""));
    }
  }

  /** The hyperparameters training here reads (others are refused: they would do nothing). */
  static final java.util.Set<String> HYPERPARAMETERS = new java.util.TreeSet<>(List.of("epochs",
      "learning_rate", "max_depth", "alpha", "l1_ratio", "seed"));

  private static List<Feature> features(JsonNode n, String field) {
    if (n == null || !n.isArray() || n.isEmpty()) {
      throw ApiProblem.badRequest(field + ": required, a list of features");
    }
    List<Feature> out = new ArrayList<>();
    for (int i = 0; i < n.size(); i++) {
      JsonNode f = n.get(i);
      String at = field + "[" + i + "]";
      boolean reference = field.equals("featurelist");
      String name = f.hasNonNull("feature_name") ? f.get("feature_name").asText()
          : f.path("name").asText(null);
      if (name == null) {
        throw ApiProblem.badRequest(at + (reference ? ".feature_name" : ".name") + ": required");
      }
      String type = f.path("type").asText("cont");
      Feature.Type t = switch (type.toLowerCase(java.util.Locale.ROOT)) {
        case "cont", "continuous" -> Feature.Type.CONT;
        case "cat", "categorical" -> Feature.Type.CAT;
        default -> throw ApiProblem.badRequest(at + ".type: \"" + type + "\" is not cont or cat");
      };
      JsonNode k = f.path("kind");
      String kind = k.isMissingNode() ? "0" : k.asText();
      Feature.Kind fk = switch (kind.toLowerCase(java.util.Locale.ROOT)) {
        case "0", "input" -> Feature.Kind.INPUT;
        case "1", "target" -> Feature.Kind.TARGET;
        default -> throw ApiProblem.badRequest(at + ".kind: \"" + kind + "\" is not "
            + (reference ? "0 (input) or 1 (target)" : "input or target"));
      };
      try {
        out.add(new Feature(name, t, fk, f.hasNonNull("units") ? f.get("units").asText() : null));
      } catch (IllegalArgumentException e) {
        throw ApiProblem.badRequest(at + "." + e.getMessage());
      }
    }
    return out;
  }

  /** {@code {"epochs": 50}}, or the reference's {@code [{"parameter": "epochs", "value": 50}]}. */
  private static Map<String, Double> hyperparameters(JsonNode n, String field) {
    Map<String, Double> out = new LinkedHashMap<>();
    if (n == null || n.isNull()) {
      return out;
    }
    if (n.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        out.put(e.getKey(), number(e.getValue(), field + "." + e.getKey()));
      }
      return out;
    }
    if (!n.isArray()) {
      throw ApiProblem.badRequest(field + ": must be an object or a list");
    }
    for (int i = 0; i < n.size(); i++) {
      JsonNode p = n.get(i);
      String name = p.hasNonNull("parameter") ? p.get("parameter").asText()
          : p.path("name").asText(null);
      if (name == null || !p.has("value")) {
        continue; // the reference allows free-form entries; only name/value pairs are used
      }
      out.put(name, number(p.get("value"), field + "[" + i + "].value"));
    }
    return out;
  }

  private static double number(JsonNode v, String field) {
    if (v.isNumber()) {
      return v.asDouble();
    }
    if (v.isTextual()) {
      try {
        return Double.parseDouble(v.asText());
      } catch (NumberFormatException e) {
        // below
      }
    }
    throw ApiProblem.badRequest(field + ": not a number");
  }

  private static String metric(ObjectNode b, boolean reference) {
    if (!reference) {
      return text(b, "metric");
    }
    JsonNode p = b.get("modelperformance");
    if (p != null && p.isArray() && !p.isEmpty()) {
      JsonNode first = p.get(0);
      String m = first.isTextual() ? first.asText() : first.path("metric").asText(null);
      return m == null ? null : m.toLowerCase(java.util.Locale.ROOT);
    }
    return null;
  }

  private static List<String> strings(JsonNode n, String field) {
    List<String> out = new ArrayList<>();
    if (n == null || n.isNull()) {
      return out;
    }
    if (!n.isArray()) {
      throw ApiProblem.badRequest(field + ": must be a list of text");
    }
    n.forEach(t -> out.add(t.asText()));
    return out;
  }

  private static Map<String, Object> features(ObjectNode body, String field) {
    JsonNode f = body.get(field);
    if (f == null && body.has("data")) {
      f = body.get("data"); // the reference model server's body
    }
    if (f == null || !f.isObject()) {
      throw ApiProblem.badRequest(field + ": required, an object of feature name to number");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = f.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), e.getValue().isNumber() ? e.getValue().asDouble()
          : e.getValue().asText());
    }
    return out;
  }

  /**
   * {@code {"level": "node|cluster|continuum", "window": "30m", "step": "15s", "features": {input:
   * PROMQL}, "target": PROMQL}}, read from the tier's telemetry as the caller may see it (a
   * developer, only its own apps' series and the infrastructure's).
   */
  private ModelVersion trainFromTelemetry(ModelSpec m, JsonNode t, Principal who)
      throws IOException {
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
    java.time.Duration window = duration(t.path("window").asText("30m"), "telemetry.window");
    java.time.Duration step = duration(t.path("step").asText("15s"), "telemetry.step");
    eu.mlsysops.telemetry.UnionQuery store = continuum.telemetry(level);
    Visibility v = views.visibility(who);
    eu.mlsysops.telemetry.SeriesSource source = v.all() ? store : new VisibleTelemetry(store, v);
    return ml().trainFromTelemetry(m.id(), new eu.mlsysops.mlconnector.TelemetryDataset(
        level, features, target, window, step, v.all() ? null : who.name()), source);
  }

  private static java.time.Duration duration(String text, String field) {
    try {
      return SystemRoutes.window(text);
    } catch (ApiProblem e) {
      throw ApiProblem.badRequest(field + ": \"" + text + "\" is not a duration from 1ms to 24h"
          + " (e.g. 15s, 5m, 1h)");
    }
  }

  private ModelSpec patch(ModelSpec m, ObjectNode b) {
    String name = text(b, b.has("modelname") ? "modelname" : "name");
    List<String> tags = b.has("modeltags") ? strings(b.get("modeltags"), "modeltags")
        : b.has("tags") ? strings(b.get("tags"), "tags") : null;
    Map<String, Double> params = b.has("hyperparameter")
        ? hyperparameters(b.get("hyperparameter"), "hyperparameter")
        : b.has("hyperparameters") ? hyperparameters(b.get("hyperparameters"), "hyperparameters")
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

  // ---- answers

  private Map<String, Object> model(ModelSpec m) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", m.id().value());
    out.put("name", m.name());
    out.put("kind", m.kind().wireName());
    out.put("algorithm", m.algorithm().wireName());
    List<Map<String, Object>> fs = new ArrayList<>();
    for (Feature f : m.features()) {
      Map<String, Object> fm = new LinkedHashMap<>();
      fm.put("name", f.name());
      fm.put("type", f.type() == Feature.Type.CONT ? "cont" : "cat");
      fm.put("kind", f.kind() == Feature.Kind.INPUT ? "input" : "target");
      fm.put("units", f.units());
      fs.add(fm);
    }
    out.put("features", fs);
    out.put("hyperparameters", m.hyperparameters());
    out.put("metric", m.metric());
    out.put("tags", m.tags());
    out.put("app", m.app());
    out.put("owner", m.owner());
    out.put("created", Json.iso(m.createdMillis()));
    out.put("serving_version", ml().versions(m.id()).stream()
        .filter(v -> v.stage() == eu.mlsysops.mlconnector.Stage.SERVING)
        .map(ModelVersion::version).findFirst().orElse(null));
    return out;
  }

  private Map<String, Object> detail(ModelSpec m) {
    Map<String, Object> out = model(m);
    out.put("versions", ml().versions(m.id()).stream().map(ModelRoutes::version).toList());
    out.put("uploads", ml().uploads(m.id()).stream().map(ModelRoutes::upload).toList());
    return out;
  }

  /** The reference's shape: its field names, with {@code modelid}. */
  private Map<String, Object> referenceModel(ModelSpec m) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("modelid", m.id().value());
    out.put("modelname", m.name());
    out.put("modelkind", m.kind().wireName());
    List<Map<String, Object>> fs = new ArrayList<>();
    for (Feature f : m.features()) {
      Map<String, Object> fm = new LinkedHashMap<>();
      fm.put("feature_name", f.name());
      fm.put("type", f.type() == Feature.Type.CONT ? "cont" : "cat");
      fm.put("kind", f.kind() == Feature.Kind.INPUT ? 0 : 1);
      fm.put("units", f.units());
      fs.add(fm);
    }
    out.put("featurelist", fs);
    List<Map<String, Object>> hp = new ArrayList<>();
    m.hyperparameters().forEach((k, v) -> hp.add(Map.of("parameter", k, "value", v)));
    out.put("hyperparameter", m.extra().getOrDefault("hyperparameter", hp));
    out.put("modelperformance", m.extra().getOrDefault("modelperformance",
        List.of(Map.of("metric", m.metric()))));
    for (String f : List.of("trainingresource", "runresource", "inference", "drift_detection")) {
      out.put(f, m.extra().getOrDefault(f, List.of()));
    }
    out.put("modeltags", m.tags());
    out.put("algorithm", m.algorithm().wireName());
    out.put("app", m.app());
    return out;
  }

  /** The latest drift check of the serving version: per feature PSI and KS, which drifted. */
  private Map<String, Object> drift(ModelSpec m) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", m.id().value());
    var report = ml().drift(m.id());
    out.put("checked", report.isPresent());
    out.put("inputs", report.map(r -> r.inputs()).orElse(0L));
    out.put("drifted", report.map(r -> r.drifted()).orElse(List.of()));
    Map<String, Object> features = new LinkedHashMap<>();
    report.ifPresent(r -> r.features().forEach((name, s) -> features.put(name, Map.of(
        "psi", s.psi(), "ks", s.ks(), "ks_critical", s.ksCritical()))));
    out.put("features", features);
    return out;
  }

  static Map<String, Object> version(ModelVersion v) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", v.model().value());
    out.put("version", v.version());
    out.put("stage", v.stage().wireName());
    out.put("metrics", v.metrics());
    out.put("baseline", v.baseline());
    out.put("artifact", v.artifact());
    out.put("parent", v.parent() == 0 ? null : v.parent());
    out.put("data", v.data());
    out.put("created", Json.iso(v.createdMillis()));
    return out;
  }

  /** An upload, with the version a model file became. */
  private Map<String, Object> uploaded(ModelRegistry.Upload u) {
    Map<String, Object> out = upload(u);
    if (u.kind().equals("model")) {
      ml().versions(u.model()).stream().filter(v -> v.artifact().equals(u.sha256()))
          .reduce((a, b) -> b).ifPresent(v -> out.put("version", v.version()));
    }
    return out;
  }

  private static Map<String, Object> upload(ModelRegistry.Upload u) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", u.model().value());
    out.put("file_kind", u.kind());
    out.put("sha256", u.sha256());
    out.put("size", u.size());
    out.put("filename", u.filename());
    out.put("created", Json.iso(u.createdMillis()));
    return out;
  }

  private static Map<String, Object> prediction(MlService.Prediction p) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", p.model().value());
    out.put("version", p.version());
    LoadedModel.Output o = p.output();
    out.put("value", o.value());
    if (o.label() != null) {
      out.put("label", o.label());
      out.put("probabilities", o.probabilities());
    }
    out.put("inference", o.label() != null ? o.label() : o.value()); // the reference's field
    return out;
  }

  private static Map<String, Object> explanation(MlService.Explained e) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", e.model().value());
    out.put("version", e.version());
    out.put("value", e.value());
    out.put("base_value", e.baseValue());
    out.put("contributions", e.contributions());
    out.put("method", e.method());
    out.put("samples", e.samples());
    if (e.label() != null) {
      out.put("label", e.label());
    }
    return out;
  }
}
