package eu.mlsysops.mlconnector;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;

/**
 * The ML Connector of one continuum: the registry, its artifacts, training, and the serving
 * versions loaded for prediction and explanation. The API and the agents' {@code view.ml()} use
 * it; who may do what (developers their own apps' models, admins the framework's) is the API's
 * to check.
 *
 * <p>Learning goes on: the inputs each serving version is asked about are watched for drift from
 * its training data ({@link DriftMonitor}); on drift, a model trained from telemetry is retrained
 * on the latest window of the same queries, the candidate and the serving version are both scored
 * on the newest quarter of that window (live data neither trained on), and the candidate is
 * promoted only if it is better on the model's metric; the old version stays for a rollback.
 * Drift, retraining and its outcome are told to the {@link #events} listener.
 *
 * <p>Thread-safe. One model trains at a time ({@link Busy} otherwise); predictions run
 * concurrently on the loaded versions; retraining runs on the background executor.
 */
public final class MlService implements AutoCloseable {
  /** The least time between two retrainings of one model on drift. */
  public static final java.time.Duration RETRAIN_COOLDOWN = java.time.Duration.ofMinutes(5);
  /** The largest upload (model, data, code or env file). */
  public static final long MAX_UPLOAD_BYTES = 64L * 1024 * 1024;
  /** What an upload may be, as the reference's {@code file_kind}. */
  public static final Set<String> FILE_KINDS = Set.of("model", "data", "code", "env");

  private final ModelRegistry registry;
  private final ArtifactStore artifacts;
  private final Clock clock;
  /**
   * The serving version of each model asked lately, loaded: a prediction costs no registry read.
   * Dropped whenever what serves may have changed (promote, rollback, a first version, a patch,
   * a delete).
   */
  private final Map<ModelId, LoadedModel> serving = new ConcurrentHashMap<>();
  /** Held while a miss loads and while a change drops: a drop never precedes a stale put. */
  private final Object servingLock = new Object();
  private final Semaphore training = new Semaphore(1);
  private final LongAdder failedPredictions = new LongAdder();
  private final java.util.concurrent.Executor background;
  private final boolean ownsBackground;
  /** The drift monitor of each loaded serving version (dropped with it). */
  private final Map<ModelId, DriftMonitor> monitors = new ConcurrentHashMap<>();
  private final Set<ModelId> retraining = ConcurrentHashMap.newKeySet();
  private final Map<ModelId, Long> lastRetrain = new ConcurrentHashMap<>();
  private volatile java.util.function.BiFunction<String, String,
      eu.mlsysops.telemetry.SeriesSource> tiers;
  private volatile java.util.function.BiConsumer<String, String> events = (kind, message) -> { };

  /** No such model, or no such version. */
  public static final class NotFound extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotFound(String message) {
      super(message);
    }
  }

  /** A version's file is missing or corrupt: it cannot serve until replaced or rolled back. */
  public static final class Broken extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Broken(String message) {
      super(message);
    }
  }

  /** Another model is training; try again when it is done. */
  public static final class Busy extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Busy(String message) {
      super(message);
    }
  }

  /**
   * @param dir where the registry ({@code models.db}) and artifacts go, e.g. {@code
   *     <data-dir>/ml}
   */
  public MlService(Path dir, Clock clock) {
    this(dir, clock, java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "mls-ml-learning");
      t.setDaemon(true);
      return t;
    }), true);
  }

  /** As above, retraining on {@code background} (tests pass one that runs at once). */
  public MlService(Path dir, Clock clock, java.util.concurrent.Executor background) {
    this(dir, clock, background, false);
  }

  private MlService(Path dir, Clock clock, java.util.concurrent.Executor background,
      boolean owns) {
    this.registry = new ModelRegistry(dir.resolve("models.db"));
    this.artifacts = new ArtifactStore(dir.resolve("artifacts"));
    this.clock = Objects.requireNonNull(clock, "clock");
    this.background = Objects.requireNonNull(background, "background");
    this.ownsBackground = owns;
  }

  /**
   * Where retraining on drift reads telemetry: a tier's stores by name, as the token name given
   * may see them (null: everything); null when they cannot be read so.
   */
  public void telemetry(java.util.function.BiFunction<String, String,
      eu.mlsysops.telemetry.SeriesSource> tiers) {
    this.tiers = tiers;
  }

  /** Who is told of drift, retraining and its outcome: {@code (kind, message)}, kind {@code ml}. */
  public void events(java.util.function.BiConsumer<String, String> listener) {
    this.events = Objects.requireNonNull(listener, "listener");
  }

  // ---- models

  /** Registers a model. */
  public ModelSpec register(ModelSpec spec) {
    registry.add(spec);
    return spec;
  }

  /**
   * A model.
   *
   * @throws NotFound when there is none
   */
  public ModelSpec model(ModelId id) {
    return registry.model(id).orElseThrow(() -> new NotFound("no model " + id));
  }

  /** Every model, oldest first. */
  public List<ModelSpec> models() {
    return registry.models();
  }

  /** Changes a model's name, tags or hyperparameters (null: unchanged). */
  public ModelSpec update(ModelId id, String name, List<String> tags, Map<String, Double> params) {
    ModelSpec next = model(id).with(name, tags, params);
    registry.update(next);
    forget(id);
    return next;
  }

  /** Forgets a model and its versions. */
  public void delete(ModelId id) {
    if (!registry.delete(id)) {
      throw new NotFound("no model " + id);
    }
    forget(id);
  }

  /** The model's versions, oldest first. */
  public List<ModelVersion> versions(ModelId id) {
    model(id);
    return registry.versions(id);
  }

  /** The model's uploads, oldest first. */
  public List<ModelRegistry.Upload> uploads(ModelId id) {
    model(id);
    return registry.uploads(id);
  }

  // ---- uploads and training

  /**
   * Keeps a file for a model. A {@code model} file must be a Tribuo model (its serialised {@code
   * ModelProto}) or an ONNX model of the model's kind and inputs: it becomes a new candidate
   * version (serving at once if none serves yet).
   *
   * @throws IllegalArgumentException naming {@code file_kind} or {@code file} when they are wrong
   * @throws ArtifactStore.TooLarge past {@link #MAX_UPLOAD_BYTES}
   */
  public ModelRegistry.Upload upload(ModelId id, String kind, String filename, InputStream in)
      throws IOException {
    ModelSpec spec = model(id);
    if (!FILE_KINDS.contains(kind)) {
      throw new IllegalArgumentException("file_kind: \"" + kind + "\" is not one of "
          + new java.util.TreeSet<>(FILE_KINDS));
    }
    ArtifactStore.Stored s = artifacts.put(in, MAX_UPLOAD_BYTES, "file");
    if (kind.equals("model")) {
      try (LoadedModel m = LoadedModel.of(spec, new ModelVersion(id, 0, Stage.CANDIDATE,
          Map.of(), Map.of(), s.sha256(), 0, null, 0), artifacts.get(s.sha256()))) {
        checkKind(spec, m);
      }
      addVersion(spec, id, Stage.CANDIDATE, Map.of(), Map.of(), s.sha256(), null);
    }
    ModelRegistry.Upload u = new ModelRegistry.Upload(id, kind, s.sha256(), s.size(), filename,
        clock.millis());
    registry.addUpload(u);
    return u;
  }

  private static void checkKind(ModelSpec spec, LoadedModel m) {
    String mismatch = m.mismatch();
    if (mismatch != null) {
      throw new IllegalArgumentException("file: " + mismatch);
    }
    try {
      m.predict(m.baseline());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("file: the model does not predict a "
          + spec.kind().wireName() + " from the inputs " + spec.inputs() + ": " + e.getMessage(),
          e);
    }
  }

  /**
   * Trains a new version on a data upload ({@code data}: its SHA-256; null: the latest data
   * upload). It is a candidate, serving at once if none serves yet.
   *
   * @throws IllegalArgumentException when there is no data, or it does not fit the model
   * @throws Busy when another model is training
   */
  public ModelVersion train(ModelId id, String data) {
    ModelSpec spec = model(id);
    if (!training.tryAcquire()) {
      throw new Busy("another model is training; one trains at a time");
    }
    try {
      return trainHolding(spec, data);
    } finally {
      training.release();
    }
  }

  /** {@link #train}, with the training slot held. */
  private ModelVersion trainHolding(ModelSpec spec, String data) {
    return trainHolding(spec, data, (phase, done) -> {});
  }

  /** {@link #train}, with the training slot held, saying how far it got. */
  private ModelVersion trainHolding(ModelSpec spec, String data, Training.Progress progress) {
    ModelId id = spec.id();
    List<ModelRegistry.Upload> uploads = registry.uploads(id).stream()
        .filter(u -> u.kind().equals("data")).toList();
    String sha = data;
    if (sha == null) {
      sha = uploads.stream().max(Comparator.comparingLong(ModelRegistry.Upload::createdMillis))
          .map(ModelRegistry.Upload::sha256)
          .orElseThrow(() -> new IllegalArgumentException("data: model " + spec.name()
              + " has no data upload (POST a CSV with file_kind data first)"));
    } else if (uploads.stream().noneMatch(u -> u.sha256().equals(data))) {
      // Only this model's own uploads: another model's data is not its to learn from.
      throw new IllegalArgumentException("data: " + data + " is not a data upload of model "
          + spec.name());
    }
    progress.at("reading the data", 0.05);
    Training.Trained t = Training.train(spec, CsvTable.parse(artifacts.get(sha), spec), progress);
    progress.at("keeping the version", 0.95); // the last point at which a cancel keeps nothing
    ArtifactStore.Stored file = artifacts.put(t.model().serialize().toByteArray());
    return addVersion(spec, id, Stage.CANDIDATE, t.metrics(), t.baseline(), file.sha256(), sha);
  }

  /**
   * Trains a new version on telemetry: the rows {@code data} takes from {@code source} now become
   * a data upload of the model (named {@code telemetry-<millis>.csv}), which trains as {@link
   * #train} does.
   *
   * @throws IllegalArgumentException naming the feature whose expression is wrong or gives no
   *     single series, or when the rows cannot train
   */
  public ModelVersion trainFromTelemetry(ModelId id, TelemetryDataset data,
      eu.mlsysops.telemetry.SeriesSource source) throws IOException {
    ModelSpec spec = model(id);
    if (!training.tryAcquire()) { // before the queries: they may cost remote round trips
      throw new Busy("another model is training; one trains at a time");
    }
    try {
      return fromTelemetryHolding(spec, data, source, (phase, done) -> {});
    } finally {
      training.release();
    }
  }

  private ModelVersion fromTelemetryHolding(ModelSpec spec, TelemetryDataset data,
      eu.mlsysops.telemetry.SeriesSource source, Training.Progress progress) {
    progress.at("querying telemetry", 0.02);
    long now = clock.millis();
    byte[] csv = data.csv(spec, source, now);
    progress.at("keeping the rows", 0.04);
    ModelRegistry.Upload u;
    try {
      u = upload(spec.id(), "data", "telemetry-" + now + ".csv",
          new java.io.ByteArrayInputStream(csv));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    ModelVersion v = trainHolding(spec, u.sha256(), progress);
    registry.setSource(spec.id(), data.toJson());
    return v;
  }

  // ---- training jobs

  /** Jobs kept for asking after they end (the oldest ended ones go first). */
  static final int MAX_JOBS_KEPT = 100;

  private final Map<String, TrainingJob> jobs = new java.util.LinkedHashMap<>();

  /**
   * Trains as {@link #train} does, in the background: the job says how far it got and how it
   * ended, and may be cancelled.
   *
   * @throws Busy when another model is training
   */
  public TrainingJob startTraining(ModelId id, String data) {
    ModelSpec spec = model(id);
    return startJob(spec, job -> trainHolding(spec, data, job::at));
  }

  /** Trains as {@link #trainFromTelemetry} does, in the background (see {@link #startTraining}). */
  public TrainingJob startTrainingFromTelemetry(ModelId id, TelemetryDataset data,
      eu.mlsysops.telemetry.SeriesSource source) {
    ModelSpec spec = model(id);
    return startJob(spec, job -> fromTelemetryHolding(spec, data, source, job::at));
  }

  /**
   * A training job of the model.
   *
   * @throws NotFound when there is none of that id for the model
   */
  public TrainingJob job(ModelId model, String jobId) {
    synchronized (jobs) {
      TrainingJob j = jobs.get(jobId);
      if (j == null || !j.model().equals(model)) {
        throw new NotFound("model " + model + " has no training job " + jobId);
      }
      return j;
    }
  }

  private TrainingJob startJob(ModelSpec spec,
      java.util.function.Function<TrainingJob, ModelVersion> work) {
    if (!training.tryAcquire()) {
      throw new Busy("another model is training; one trains at a time");
    }
    TrainingJob job = new TrainingJob(java.util.UUID.randomUUID().toString(), spec.id(),
        clock.millis());
    synchronized (jobs) {
      jobs.values().removeIf(j -> jobs.size() >= MAX_JOBS_KEPT
          && j.snapshot().state() != TrainingJob.State.RUNNING);
      jobs.put(job.id(), job);
    }
    Runnable run = () -> {
      try {
        ModelVersion v = work.apply(job);
        job.ended(TrainingJob.State.DONE, v.version(), null, clock.millis());
      } catch (TrainingJob.Cancelled c) {
        job.ended(TrainingJob.State.CANCELLED, 0, null, clock.millis());
      } catch (RuntimeException e) {
        job.ended(TrainingJob.State.FAILED, 0, e.getMessage() == null ? e.toString()
            : e.getMessage(), clock.millis());
      } finally {
        training.release();
      }
    };
    try {
      background.execute(run);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      training.release();
      throw new Busy("the ML Connector is closing");
    }
    return job;
  }

  /**
   * Adds the model's next version (its number taken and the row inserted as one step: uploads and
   * training may add versions at once), its parent the version serving now; serving at once if
   * none serves yet.
   */
  private ModelVersion addVersion(ModelSpec spec, ModelId id, Stage stage,
      Map<String, Double> metrics, Map<String, Double> baseline, String artifact, String data) {
    ModelVersion v;
    synchronized (registry) { // its own methods lock it too: this holds the pair together
      v = new ModelVersion(id, registry.nextVersion(id), stage, metrics, baseline, artifact,
          servingVersion(id), data, clock.millis());
      registry.addVersion(v);
    }
    if (registry.serving(spec.id()).isEmpty()) {
      registry.promote(spec.id(), v.version());
      forget(spec.id());
      return v.at(Stage.SERVING);
    }
    return v;
  }

  private int servingVersion(ModelId id) {
    return registry.serving(id).map(ModelVersion::version).orElse(0);
  }

  /** Makes {@code version} the serving one; the one before is retired (kept for a rollback). */
  public ModelVersion promote(ModelId id, int version) {
    model(id);
    if (!registry.promote(id, version)) {
      throw new NotFound("model " + id + " has no version " + version);
    }
    forget(id);
    return registry.serving(id).orElseThrow();
  }

  /** Serves the version that served before the current one again. */
  public ModelVersion rollback(ModelId id) {
    ModelVersion current = registry.serving(id)
        .orElseThrow(() -> new NotFound("model " + id + " has no serving version"));
    ModelVersion previous = registry.versions(id).stream()
        .filter(v -> v.stage() == Stage.RETIRED && v.version() != current.version())
        .max(Comparator.comparingInt(ModelVersion::version))
        .orElseThrow(() -> new IllegalArgumentException("model " + id + " has no retired version"
            + " to go back to"));
    return promote(id, previous.version());
  }

  // ---- deployments

  /**
   * Deploys a model: keeps {@code d} (its model must exist).
   *
   * @throws IllegalArgumentException naming {@code deployment_id} when one of that id exists
   */
  public Deployment deploy(Deployment d) {
    model(d.model());
    if (!registry.addDeployment(d)) {
      throw new IllegalArgumentException("deployment_id: \"" + d.id() + "\" exists already");
    }
    return d;
  }

  /** Every deployment, oldest first. */
  public List<Deployment> deployments() {
    return registry.deployments();
  }

  /**
   * One deployment.
   *
   * @throws NotFound when there is none of that id
   */
  public Deployment deployment(String id) {
    return registry.deployments().stream().filter(d -> d.id().equals(id)).findFirst()
        .orElseThrow(() -> new NotFound("no deployment " + id));
  }

  /**
   * Removes a deployment (the model stays).
   *
   * @throws NotFound when there is none of that id
   */
  public void undeploy(String id) {
    if (!registry.removeDeployment(id)) {
      throw new NotFound("no deployment " + id);
    }
  }

  // ---- serving

  /**
   * What serves now, as agents in other processes take it ({@link ServedModels}): every model's
   * serving version with its file's hash and size.
   */
  public List<ServedModels.Entry> servingEntries() {
    List<ServedModels.Entry> out = new ArrayList<>();
    for (ModelSpec spec : models()) {
      registry.serving(spec.id()).ifPresent(v -> {
        long size;
        try {
          size = artifacts.size(v.artifact());
        } catch (IllegalStateException missing) {
          return; // not servable anywhere; the API says why when asked
        }
        out.add(new ServedModels.Entry(spec.id().value(), v.version(), v.artifact(), size,
            ServedModels.describe(spec, v)));
      });
    }
    return out;
  }

  /**
   * The file of a version that serves now (checked against its hash), for an agent that lacks
   * it; empty for any other file: data and code uploads do not leave the continuum.
   */
  public Optional<byte[]> servingFile(String sha256) {
    for (ModelSpec spec : models()) {
      Optional<ModelVersion> v = registry.serving(spec.id());
      if (v.isPresent() && v.get().artifact().equals(sha256)) {
        return Optional.of(artifacts.get(sha256));
      }
    }
    return Optional.empty();
  }

  /** What a model predicted, and which version did. */
  public record Prediction(ModelId model, int version, LoadedModel.Output output) {}

  /** An explained prediction. */
  public record Explained(ModelId model, int version, double value, double baseValue,
      Map<String, Double> contributions, String method, int samples, String label) {}

  /**
   * The serving version of a model, loaded.
   *
   * @throws NotFound when the model or a serving version is missing
   */
  public LoadedModel serving(ModelId id) {
    LoadedModel cached = serving.get(id);
    if (cached != null) {
      return cached;
    }
    synchronized (servingLock) {
      cached = serving.get(id);
      if (cached != null) {
        return cached;
      }
      ModelSpec spec = model(id);
      ModelVersion v = registry.serving(id)
          .orElseThrow(() -> new NotFound("model " + spec.name() + " has no serving version yet"
              + " (train it or upload a model file)"));
      byte[] file;
      try {
        file = artifacts.get(v.artifact());
      } catch (IllegalStateException e) {
        throw new Broken("model " + spec.name() + " v" + v.version() + " cannot be served: "
            + e.getMessage() + "; upload it again or roll back");
      }
      LoadedModel m = LoadedModel.of(spec, v, file);
      serving.put(id, m);
      if (v.data() != null) {
        // The training data is read off the asking thread (a policy's analysis, say).
        background.execute(() -> watchFrom(spec, m));
      }
      return m;
    }
  }

  /** Starts watching {@code m}'s inputs against its training data, if it still serves. */
  private void watchFrom(ModelSpec spec, LoadedModel m) {
    try {
      DriftMonitor monitor = new DriftMonitor(spec.inputs(),
          CsvTable.parse(artifacts.get(m.version().data()), spec).x());
      synchronized (servingLock) {
        if (serving.get(spec.id()) == m) {
          monitors.put(spec.id(), monitor);
        }
      }
    } catch (RuntimeException e) {
      events.accept("ml", named(spec) + ": its inputs are not watched for drift: "
          + e.getMessage());
    }
  }

  /** Drops a model's loaded serving version: what serves changed. */
  private void forget(ModelId id) {
    LoadedModel old;
    synchronized (servingLock) {
      old = serving.remove(id);
      monitors.remove(id);
      errorTests.remove(id);
    }
    if (old != null) {
      // A prediction may still be using it: its native parts (an ONNX session) go a minute
      // later, long after any prediction (microseconds) that began before the change.
      java.util.concurrent.CompletableFuture.delayedExecutor(1, java.util.concurrent.TimeUnit
          .MINUTES).execute(old::close);
    }
  }

  /**
   * Predicts with the serving version.
   *
   * @throws IllegalArgumentException naming a feature that is missing, extra or not a number
   */
  public Prediction predict(ModelId id, Map<String, ?> features) {
    LoadedModel m = serving(id);
    double[] x = m.vector(features);
    Prediction p = new Prediction(id, m.version().version(), m.predict(x));
    watch(id, x);
    return p;
  }

  /** Predicts with the serving version and explains the prediction. */
  public Explained explain(ModelId id, Map<String, ?> features) {
    LoadedModel m = serving(id);
    double[] x = m.vector(features);
    Explainer.Explanation e = Explainer.explain(m, x, 1);
    watch(id, x);
    return new Explained(id, m.version().version(), e.value(), e.baseValue(), e.contributions(),
        e.method(), e.samples(), e.label());
  }

  /**
   * For policies: a prediction (explained when {@code explain}: contributions and base value;
   * otherwise without, which is what keeps a prediction to microseconds), or empty when there is
   * no such model, no serving version, the features do not fit, or the model fails or gives no
   * number; such failures are counted ({@link #failedPredictions}) and never thrown, so a model
   * never stops an agent.
   */
  public Optional<Explained> forPolicy(ModelId id, Map<String, Double> features,
      boolean explain) {
    try {
      Explained e;
      if (explain) {
        e = explain(id, features);
      } else {
        Prediction p = predict(id, features);
        e = new Explained(id, p.version(), p.output().value(), Double.NaN, Map.of(), "none", 0,
            p.output().label());
      }
      if (!Double.isFinite(e.value())) {
        failedPredictions.increment();
        return Optional.empty();
      }
      return Optional.of(e);
    } catch (RuntimeException e) {
      failedPredictions.increment();
      return Optional.empty();
    }
  }

  // ---- continual learning

  /** The latest drift check of a model's serving version, if one ran. */
  public Optional<DriftMonitor.Report> drift(ModelId id) {
    DriftMonitor m = monitors.get(id);
    return m == null ? Optional.empty() : Optional.ofNullable(m.last());
  }

  private void watch(ModelId id, double[] x) {
    DriftMonitor monitor = monitors.get(id);
    DriftMonitor.Report r = monitor == null ? null : monitor.observe(x);
    if (r == null || r.drifted().isEmpty() || !mayRetrain(id)) {
      return;
    }
    ModelSpec spec = model(id);
    StringBuilder what = new StringBuilder();
    for (String f : r.drifted()) {
      DriftMonitor.FeatureStats s = r.features().get(f);
      what.append(what.length() == 0 ? "" : ", ").append(f).append(String.format(
          " (PSI %.2f, KS %.2f > %.2f)", s.psi(), s.ks(), s.ksCritical()));
    }
    onDrift(spec, "its inputs drifted from its training data: " + what);
  }

  /**
   * A serving version drifted (inputs or errors): said as an event, and a model trained from
   * telemetry is retrained in the background; called with the retraining slot taken.
   */
  private void onDrift(ModelSpec spec, String what) {
    ModelId id = spec.id();
    long now = clock.millis();
    events.accept("ml", named(spec) + ": " + what);
    Optional<String> source = registry.source(id);
    if (source.isEmpty() || tiers == null) {
      events.accept("ml", named(spec) + ": not retrained (it was not trained from"
          + " telemetry; upload new data and train it)");
      lastRetrain.put(id, now);
      retraining.remove(id);
      return;
    }
    background.execute(() -> retrain(spec, TelemetryDataset.fromJson(source.get())));
  }

  /** Takes the retraining slot of a model, unless it retrained within the cooldown or is at it. */
  private boolean mayRetrain(ModelId id) {
    Long last = lastRetrain.get(id);
    return (last == null || clock.millis() - last >= RETRAIN_COOLDOWN.toMillis())
        && retraining.add(id);
  }

  // ---- what actually happened: the prediction error

  /** The error drift test of each serving version that was told outcomes (dropped with it). */
  private final Map<ModelId, ErrorDrift> errorTests = new ConcurrentHashMap<>();
  /** When each telemetry-trained model's error was last checked ({@link #checkErrors}). */
  private final Map<ModelId, Long> errorsCheckedUntil = new ConcurrentHashMap<>();

  /**
   * What actually happened for a prediction of the serving version: {@code actual} is the true
   * target for {@code features} (a number, or a classifier's label as text). The error (absolute,
   * or 0/1 for a class) feeds a Page–Hinkley test ({@link ErrorDrift}, scaled to the version's
   * holdout error); a lasting rise is drift, handled as drift of the inputs is (an event, and
   * retraining for a model trained from telemetry).
   *
   * @return the error
   * @throws IllegalArgumentException naming the feature that does not fit, or a non-numeric
   *     actual value of a regression
   */
  public double observe(ModelId id, Map<String, ?> features, String actual) {
    ModelSpec spec = model(id);
    LoadedModel m = serving(id);
    LoadedModel.Output o = m.predict(m.vector(features));
    double error;
    if (spec.kind() == ModelKind.CLASSIFICATION) {
      error = actual.equals(o.label()) ? 0 : 1;
    } else {
      double truth;
      try {
        truth = Double.parseDouble(actual.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("actual: \"" + actual + "\" is not a number");
      }
      if (!Double.isFinite(truth)) {
        throw new IllegalArgumentException("actual: not a finite number");
      }
      error = Math.abs(o.value() - truth);
    }
    ErrorDrift test;
    boolean drifted;
    synchronized (servingLock) {
      if (serving.get(id) != m) {
        return error; // what serves changed meanwhile: this outcome is of another version
      }
      test = errorTests.computeIfAbsent(id, k -> ErrorDrift.forVersion(m.version(), spec.kind()));
      double before = test.meanError();
      long seen = test.errors();
      drifted = test.add(error);
      if (drifted && mayRetrain(id)) {
        String trained = spec.kind() == ModelKind.CLASSIFICATION
            ? String.format("accuracy %.3g", m.version().metrics().getOrDefault("accuracy",
                Double.NaN))
            : String.format("MAE %.4g", m.version().metrics().getOrDefault("mae", Double.NaN));
        double mean = (before * seen + error) / (seen + 1);
        String what = String.format("its prediction error rose: %.4g on the latest outcome,"
            + " %.4g on average over the last %d, with %s on its holdout when trained", error,
            mean, seen + 1, trained);
        background.execute(() -> onDrift(spec, what));
      }
    }
    return error;
  }

  /**
   * Checks the serving versions of models trained from telemetry against what their telemetry
   * says happened since the last check: each step's features are predicted and compared with the
   * target, as {@link #observe}. Called periodically by the continuum (its clock).
   */
  public void checkErrors() {
    if (tiers == null) {
      return;
    }
    long now = clock.millis();
    for (ModelSpec spec : models()) {
      ModelId id = spec.id();
      Optional<String> json = registry.source(id);
      if (json.isEmpty() || registry.serving(id).isEmpty()) {
        continue;
      }
      TelemetryDataset data = TelemetryDataset.fromJson(json.get());
      long from = errorsCheckedUntil.getOrDefault(id, now - data.step().toMillis());
      errorsCheckedUntil.put(id, now);
      try {
        eu.mlsysops.telemetry.SeriesSource source = tiers.apply(data.level(), data.readableBy());
        if (source == null) {
          continue;
        }
        // The steps since the last check (at least one), at most the model's own window.
        java.time.Duration window = java.time.Duration.ofMillis(Math.min(
            Math.max(now - from, data.step().toMillis()), data.window().toMillis()));
        CsvTable rows = CsvTable.parse(data.within(window).csv(spec, source, now), spec);
        for (int i = 0; i < rows.rows(); i++) {
          Map<String, Object> f = new java.util.LinkedHashMap<>();
          for (int j = 0; j < rows.inputs().size(); j++) {
            f.put(rows.inputs().get(j), rows.x()[i][j]);
          }
          observe(id, f, rows.target()[i]);
        }
      } catch (RuntimeException e) {
        // No step with every value yet, a tier that does not answer: checked again next time.
      }
    }
  }

  /**
   * Trains a candidate on the first three quarters of the latest window of the model's telemetry,
   * scores it and the serving version on the newest quarter, and promotes it if it is better.
   */
  private void retrain(ModelSpec spec, TelemetryDataset data) {
    ModelId id = spec.id();
    try {
      if (!training.tryAcquire()) {
        events.accept("ml", named(spec) + ": retraining put off (another model is"
            + " training)");
        return;
      }
      try {
        long now = clock.millis();
        eu.mlsysops.telemetry.SeriesSource source = tiers.apply(data.level(), data.readableBy());
        if (source == null) {
          throw new IllegalArgumentException("its telemetry cannot be read as "
              + data.readableBy() + " here");
        }
        byte[] csv = data.csv(spec, source, now);
        CsvTable rows = CsvTable.parse(csv, spec);
        int cut = rows.rows() * 3 / 4;
        int[] older = java.util.stream.IntStream.range(0, cut).toArray();
        int[] newest = java.util.stream.IntStream.range(cut, rows.rows()).toArray();
        if (newest.length == 0) {
          throw new IllegalArgumentException("too few rows in the latest " + data.window());
        }
        CsvTable recent = rows.subset(newest);
        Training.Trained t = Training.train(spec, rows.subset(older));
        LoadedModel current = serving(id);
        double theirs = score(spec, current, recent);
        double mine;
        try (LoadedModel candidate = new LoadedModel(spec, current.version(), t.model())) {
          mine = score(spec, candidate, recent);
        }
        String scores = String.format("%s %.4g on the newest %d rows vs %.4g of v%d",
            spec.metric(), mine, recent.rows(), theirs, current.version().version());
        if (!spec.better(mine, theirs)) {
          // Nothing kept: a candidate that loses would only pile up, drift after drift.
          events.accept("ml", named(spec) + ": retrained on drift; the candidate was"
              + " not better (" + scores + "), v" + current.version().version() + " serves on");
          return;
        }
        ModelRegistry.Upload u = new ModelRegistry.Upload(id, "data", artifacts.put(csv).sha256(),
            csv.length, "telemetry-" + now + ".csv", now);
        registry.addUpload(u);
        ModelVersion v = addVersion(spec, id, Stage.CANDIDATE, t.metrics(), t.baseline(),
            artifacts.put(t.model().serialize().toByteArray()).sha256(), u.sha256());
        promote(id, v.version());
        events.accept("ml", named(spec) + ": retrained on drift; v" + v.version()
            + " promoted (" + scores + "); v" + current.version().version()
            + " stays for a rollback");
      } finally {
        training.release();
      }
    } catch (RuntimeException e) {
      events.accept("ml", named(spec) + ": retraining on drift failed: "
          + e.getMessage());
    } finally {
      lastRetrain.put(id, clock.millis());
      retraining.remove(id);
    }
  }

  /** How events name a model: {@code model NAME [APP]} (the app lets its developer see them). */
  private static String named(ModelSpec spec) {
    return "model " + spec.name() + (spec.app() == null ? "" : " [" + spec.app() + "]");
  }

  /** A version's score on rows on the model's metric. */
  static double score(ModelSpec spec, LoadedModel m, CsvTable rows) {
    double total = 0;
    for (int i = 0; i < rows.rows(); i++) {
      LoadedModel.Output o = m.predict(rows.x()[i]);
      String truth = rows.target()[i];
      switch (spec.metric()) {
        case "accuracy" -> total += truth.equals(o.label()) ? 1 : 0;
        case "mae" -> total += Math.abs(o.value() - Double.parseDouble(truth));
        default -> {
          double d = o.value() - Double.parseDouble(truth);
          total += d * d;
        }
      }
    }
    double mean = total / rows.rows();
    return spec.metric().equals("rmse") ? Math.sqrt(mean) : mean;
  }

  /** Predictions for policies that gave no answer. */
  public long failedPredictions() {
    return failedPredictions.sum();
  }

  @Override
  public void close() {
    synchronized (servingLock) {
      serving.values().forEach(LoadedModel::close);
      serving.clear();
    }
    if (ownsBackground && background instanceof java.util.concurrent.ExecutorService e) {
      e.shutdownNow();
    }
    registry.close();
  }
}
