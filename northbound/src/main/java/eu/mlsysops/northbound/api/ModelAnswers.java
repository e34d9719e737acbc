package eu.mlsysops.northbound.api;

import eu.mlsysops.mlconnector.Feature;
import eu.mlsysops.mlconnector.LoadedModel;
import eu.mlsysops.mlconnector.MlService;
import eu.mlsysops.mlconnector.ModelRegistry;
import eu.mlsysops.mlconnector.ModelSpec;
import eu.mlsysops.mlconnector.ModelVersion;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the model routes answer: models in this API's shape and in the reference's, versions,
 * uploads, predictions, explanations and drift checks, as JSON-ready maps.
 */
final class ModelAnswers {
  private final Supplier<MlService> ml;

  ModelAnswers(Supplier<MlService> ml) {
    this.ml = ml;
  }

  private MlService ml() {
    return ml.get();
  }


  Map<String, Object> model(ModelSpec m) {
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

  Map<String, Object> detail(ModelSpec m) {
    Map<String, Object> out = model(m);
    out.put("versions", ml().versions(m.id()).stream().map(ModelAnswers::version).toList());
    out.put("uploads", ml().uploads(m.id()).stream().map(ModelAnswers::upload).toList());
    return out;
  }

  /** The reference's shape: its field names, with {@code modelid}. */
  Map<String, Object> referenceModel(ModelSpec m) {
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
  Map<String, Object> drift(ModelSpec m) {
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
  Map<String, Object> uploaded(ModelRegistry.Upload u) {
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

  static Map<String, Object> prediction(MlService.Prediction p) {
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

  static Map<String, Object> explanation(MlService.Explained e) {
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

  /** A training job as it stands: {@code {job, model, state, phase, done, version?, error?}}. */
  static Map<String, Object> job(eu.mlsysops.mlconnector.TrainingJob.Snapshot j) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("job", j.id());
    out.put("model", j.model().value());
    out.put("state", j.state().name().toLowerCase(java.util.Locale.ROOT));
    out.put("phase", j.phase());
    out.put("done", j.done());
    if (j.version() > 0) {
      out.put("version", j.version());
    }
    if (j.error() != null) {
      out.put("error", j.error());
    }
    out.put("started", java.time.Instant.ofEpochMilli(j.startedMillis()).toString());
    if (j.endedMillis() > 0) {
      out.put("ended", java.time.Instant.ofEpochMilli(j.endedMillis()).toString());
    }
    return out;
  }
}
