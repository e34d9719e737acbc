package eu.mlsysops.mlconnector;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The ML Connector's serving versions in an agent of another process, where there is no registry:
 * the continuum's {@link MlService} lists what serves ({@link MlService#servingEntries}), the
 * entries travel over the agent link with each file's SHA-256, and here the files are kept by
 * hash (checked when read) and loaded on first use. Policies ask as they ask the service itself
 * ({@link #forPolicy}): a model that is missing, not yet arrived, does not take the features,
 * fails or answers NaN gives an empty answer, counted, never an exception.
 *
 * <p>Thread-safe: the set changes on the link's thread while policies predict on theirs.
 */
public final class ServedModels implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One serving version as it travels.
   *
   * @param descriptor the model's spec and the version, as {@link #describe} writes them
   */
  public record Entry(String modelId, int version, String sha256, long size, String descriptor) {
    public Entry {
      Objects.requireNonNull(modelId, "modelId");
      Objects.requireNonNull(sha256, "sha256");
      Objects.requireNonNull(descriptor, "descriptor");
    }
  }

  private record Served(ModelSpec spec, ModelVersion version) {}

  private final ArtifactStore files;
  private volatile Map<ModelId, Served> serving = Map.of();
  private final ConcurrentHashMap<ModelId, LoadedModel> loaded = new ConcurrentHashMap<>();
  private final LongAdder failed = new LongAdder();

  /** @param dir where files are kept by hash (created 0700) */
  public ServedModels(Path dir) {
    this.files = new ArtifactStore(dir);
  }

  /** What an entry carries besides the file: the model's spec and the version, as JSON. */
  public static String describe(ModelSpec spec, ModelVersion version) {
    try {
      return JSON.writeValueAsString(Map.of("spec", spec, "version", version));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot describe model " + spec.id() + ": " + e, e);
    }
  }

  /**
   * Serves {@code entries} from now on (what served before and is not among them stops). An entry
   * whose descriptor cannot be read is left out and named in the answer.
   */
  public synchronized List<String> serve(List<Entry> entries) {
    Map<ModelId, Served> next = new HashMap<>();
    List<String> problems = new ArrayList<>();
    for (Entry e : entries) {
      try {
        JsonNode n = JSON.readTree(e.descriptor());
        ModelSpec spec = JSON.treeToValue(n.get("spec"), ModelSpec.class);
        ModelVersion v = JSON.treeToValue(n.get("version"), ModelVersion.class);
        if (!spec.id().value().equals(e.modelId()) || v.version() != e.version()
            || !v.artifact().equals(e.sha256())) {
          throw new IllegalArgumentException("its descriptor names another model or version");
        }
        next.put(spec.id(), new Served(spec, v));
      } catch (JsonProcessingException | RuntimeException ex) {
        problems.add("model " + e.modelId() + " v" + e.version() + ": " + ex.getMessage());
      }
    }
    serving = Map.copyOf(next);
    loaded.entrySet().removeIf(l -> {
      Served s = next.get(l.getKey());
      boolean stale = s == null || s.version().version() != l.getValue().version().version();
      if (stale) {
        // A prediction may still be using it: its native parts (an ONNX session) go a minute
        // later, as the service does it.
        java.util.concurrent.CompletableFuture.delayedExecutor(1,
            java.util.concurrent.TimeUnit.MINUTES).execute(l.getValue()::close);
      }
      return stale;
    });
    return problems;
  }

  /** The files of the serving versions that are not kept here yet. */
  public List<String> missing() {
    return serving.values().stream().map(s -> s.version().artifact()).distinct()
        .filter(sha -> !files.has(sha)).toList();
  }

  /** Whether the file of {@code sha256} is kept here. */
  public boolean has(String sha256) {
    try {
      return files.has(sha256);
    } catch (IllegalArgumentException notAHash) {
      return false;
    }
  }

  /** A kept file (checked against its hash). */
  public byte[] file(String sha256) {
    return files.get(sha256);
  }

  /**
   * Keeps a file that arrived.
   *
   * @throws IllegalArgumentException when its content does not have that hash
   */
  public void keep(String sha256, byte[] bytes) {
    String actual = HexFormat.of().formatHex(ArtifactStore.sha256().digest(bytes));
    if (!actual.equals(sha256)) {
      throw new IllegalArgumentException("model file " + sha256 + " arrived with another hash ("
          + actual + ")");
    }
    files.put(bytes);
  }

  /** As {@link MlService#forPolicy}, from the versions served here. */
  public Optional<MlService.Explained> forPolicy(ModelId id, Map<String, Double> features,
      boolean explain) {
    try {
      LoadedModel m = load(id);
      if (m == null) {
        failed.increment();
        return Optional.empty();
      }
      double[] x = m.vector(features);
      MlService.Explained e;
      if (explain) {
        Explainer.Explanation ex = Explainer.explain(m, x, 1);
        e = new MlService.Explained(id, m.version().version(), ex.value(), ex.baseValue(),
            ex.contributions(), ex.method(), ex.samples(), ex.label());
      } else {
        LoadedModel.Output o = m.predict(x);
        e = new MlService.Explained(id, m.version().version(), o.value(), Double.NaN, Map.of(),
            "none", 0, o.label());
      }
      if (!Double.isFinite(e.value())) {
        failed.increment();
        return Optional.empty();
      }
      return Optional.of(e);
    } catch (RuntimeException e) {
      failed.increment();
      return Optional.empty();
    }
  }

  /** The loaded serving version, or null when none serves or its file has not arrived. */
  private LoadedModel load(ModelId id) {
    LoadedModel m = loaded.get(id);
    if (m != null) {
      return m;
    }
    synchronized (this) {
      Served s = serving.get(id);
      if (s == null || !files.has(s.version().artifact())) {
        return null;
      }
      return loaded.computeIfAbsent(id,
          k -> LoadedModel.of(s.spec(), s.version(), files.get(s.version().artifact())));
    }
  }

  /** Predictions asked here that got no answer. */
  public long failedPredictions() {
    return failed.sum();
  }

  @Override
  public synchronized void close() {
    loaded.values().forEach(LoadedModel::close);
    loaded.clear();
  }
}
