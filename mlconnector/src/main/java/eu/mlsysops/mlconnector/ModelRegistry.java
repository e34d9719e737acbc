package eu.mlsysops.mlconnector;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Models, their versions and their uploads, in SQLite (WAL, synchronous writes: what the API
 * acknowledged survives a crash). Versions carry their stage, holdout metrics, the baseline of
 * their explanations and their lineage; their files are in an {@link ArtifactStore}. At most one
 * version of a model is serving: {@link #promote} retires the one before in the same transaction.
 *
 * <p>Thread-safe (one connection, methods synchronized): a store, not an agent's state.
 */
public final class ModelRegistry implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Double>> NUMBERS = new TypeReference<>() {};
  private final Connection db;

  /** Opens (or creates, owner-only) the registry in {@code file}. */
  public ModelRegistry(Path file) {
    try {
      prepare(file);
      db = DriverManager.getConnection("jdbc:sqlite:" + file);
      try (Statement s = db.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=FULL");
        s.execute("CREATE TABLE IF NOT EXISTS models (id TEXT PRIMARY KEY, spec TEXT NOT NULL,"
            + " created INTEGER NOT NULL)");
        s.execute("CREATE TABLE IF NOT EXISTS versions (model TEXT NOT NULL, version INTEGER NOT"
            + " NULL, stage TEXT NOT NULL, metrics TEXT NOT NULL, baseline TEXT NOT NULL,"
            + " artifact TEXT NOT NULL, parent INTEGER NOT NULL, data TEXT, created INTEGER NOT"
            + " NULL, PRIMARY KEY (model, version))");
        s.execute("CREATE TABLE IF NOT EXISTS sources (model TEXT PRIMARY KEY, dataset TEXT NOT"
            + " NULL)");
        s.execute("CREATE TABLE IF NOT EXISTS deployments (id TEXT PRIMARY KEY, model TEXT NOT"
            + " NULL, body TEXT NOT NULL, created INTEGER NOT NULL)");
        s.execute("CREATE TABLE IF NOT EXISTS uploads (model TEXT NOT NULL, kind TEXT NOT NULL,"
            + " sha256 TEXT NOT NULL, size INTEGER NOT NULL, filename TEXT, created INTEGER NOT"
            + " NULL)");
      }
    } catch (SQLException | IOException e) {
      throw new IllegalStateException("cannot open the model registry " + file + ": "
          + e.getMessage(), e);
    }
  }

  private static void prepare(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    if (!Files.exists(file)) {
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(file);
      }
    }
  }

  // ---- deployments

  /** Keeps a deployment; false when one of that id exists. */
  public synchronized boolean addDeployment(Deployment d) {
    try (PreparedStatement ps = db.prepareStatement(
        "INSERT OR IGNORE INTO deployments VALUES (?,?,?,?)")) {
      ps.setString(1, d.id());
      ps.setString(2, d.model().value());
      ps.setString(3, JSON.writeValueAsString(d));
      ps.setLong(4, d.createdMillis());
      return ps.executeUpdate() == 1;
    } catch (SQLException | JsonProcessingException e) {
      throw new IllegalStateException("cannot keep deployment " + d.id() + ": " + e.getMessage(),
          e);
    }
  }

  /** Every deployment, oldest first. */
  public synchronized List<Deployment> deployments() {
    List<Deployment> out = new ArrayList<>();
    try (Statement s = db.createStatement();
        ResultSet rs = s.executeQuery("SELECT body FROM deployments ORDER BY created, id")) {
      while (rs.next()) {
        out.add(JSON.readValue(rs.getString(1), Deployment.class));
      }
    } catch (SQLException | JsonProcessingException e) {
      throw new IllegalStateException("cannot read deployments: " + e.getMessage(), e);
    }
    return out;
  }

  /** Removes a deployment; false when there is none of that id. */
  public synchronized boolean removeDeployment(String id) {
    try (PreparedStatement ps = db.prepareStatement("DELETE FROM deployments WHERE id = ?")) {
      ps.setString(1, id);
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot remove deployment " + id + ": " + e.getMessage(), e);
    }
  }

  // ---- models

  /** Registers a model. */
  public synchronized void add(ModelSpec spec) {
    try (PreparedStatement ps = db.prepareStatement("INSERT INTO models VALUES (?,?,?)")) {
      ps.setString(1, spec.id().value());
      ps.setString(2, JSON.writeValueAsString(spec));
      ps.setLong(3, spec.createdMillis());
      ps.executeUpdate();
    } catch (SQLException | JsonProcessingException e) {
      throw new IllegalStateException("cannot store model " + spec.id() + ": " + e.getMessage(),
          e);
    }
  }

  /** Replaces a model's spec (a PATCH); false when there is no such model. */
  public synchronized boolean update(ModelSpec spec) {
    try (PreparedStatement ps = db.prepareStatement("UPDATE models SET spec=? WHERE id=?")) {
      ps.setString(1, JSON.writeValueAsString(spec));
      ps.setString(2, spec.id().value());
      return ps.executeUpdate() == 1;
    } catch (SQLException | JsonProcessingException e) {
      throw new IllegalStateException("cannot store model " + spec.id() + ": " + e.getMessage(),
          e);
    }
  }

  /** A model, if registered. */
  public synchronized Optional<ModelSpec> model(ModelId id) {
    try (PreparedStatement ps = db.prepareStatement("SELECT spec FROM models WHERE id=?")) {
      ps.setString(1, id.value());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(spec(rs.getString(1))) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read model " + id + ": " + e.getMessage(), e);
    }
  }

  /** Every model, oldest first. */
  public synchronized List<ModelSpec> models() {
    List<ModelSpec> out = new ArrayList<>();
    try (Statement s = db.createStatement();
        ResultSet rs = s.executeQuery("SELECT spec FROM models ORDER BY created, id")) {
      while (rs.next()) {
        out.add(spec(rs.getString(1)));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read models: " + e.getMessage(), e);
    }
    return out;
  }

  /**
   * Forgets a model, its versions, uploads and deployments (the files stay: others may share
   * them).
   */
  public synchronized boolean delete(ModelId id) {
    try {
      db.setAutoCommit(false);
      try {
        int n;
        try (PreparedStatement ps = db.prepareStatement("DELETE FROM models WHERE id=?")) {
          ps.setString(1, id.value());
          n = ps.executeUpdate();
        }
        for (String table : List.of("versions", "uploads", "sources", "deployments")) {
          try (PreparedStatement ps = db.prepareStatement(
              "DELETE FROM " + table + " WHERE model=?")) {
            ps.setString(1, id.value());
            ps.executeUpdate();
          }
        }
        db.commit();
        return n == 1;
      } catch (SQLException e) {
        db.rollback();
        throw e;
      } finally {
        db.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot delete model " + id + ": " + e.getMessage(), e);
    }
  }

  private static ModelSpec spec(String json) {
    try {
      return JSON.readValue(json, ModelSpec.class);
    } catch (IOException e) {
      throw new IllegalStateException("a stored model does not read back: " + e.getMessage(), e);
    }
  }

  // ---- versions

  /** The number the next version of {@code id} gets. */
  public synchronized int nextVersion(ModelId id) {
    try (PreparedStatement ps = db.prepareStatement(
        "SELECT COALESCE(MAX(version), 0) + 1 FROM versions WHERE model=?")) {
      ps.setString(1, id.value());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read versions of " + id + ": " + e.getMessage(), e);
    }
  }

  /** Keeps a new version. */
  public synchronized void addVersion(ModelVersion v) {
    try (PreparedStatement ps = db.prepareStatement(
        "INSERT INTO versions VALUES (?,?,?,?,?,?,?,?,?)")) {
      ps.setString(1, v.model().value());
      ps.setInt(2, v.version());
      ps.setString(3, v.stage().wireName());
      ps.setString(4, JSON.writeValueAsString(v.metrics()));
      ps.setString(5, JSON.writeValueAsString(v.baseline()));
      ps.setString(6, v.artifact());
      ps.setInt(7, v.parent());
      ps.setString(8, v.data());
      ps.setLong(9, v.createdMillis());
      ps.executeUpdate();
    } catch (SQLException | JsonProcessingException e) {
      throw new IllegalStateException("cannot store version " + v.version() + " of "
          + v.model() + ": " + e.getMessage(), e);
    }
  }

  /** A model's versions, oldest first. */
  public synchronized List<ModelVersion> versions(ModelId id) {
    List<ModelVersion> out = new ArrayList<>();
    try (PreparedStatement ps = db.prepareStatement(
        "SELECT * FROM versions WHERE model=? ORDER BY version")) {
      ps.setString(1, id.value());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new ModelVersion(new ModelId(rs.getString(1)), rs.getInt(2),
              Stage.fromWire(rs.getString(3)), JSON.readValue(rs.getString(4), NUMBERS),
              JSON.readValue(rs.getString(5), NUMBERS), rs.getString(6), rs.getInt(7),
              rs.getString(8), rs.getLong(9)));
        }
      }
    } catch (SQLException | IOException e) {
      throw new IllegalStateException("cannot read versions of " + id + ": " + e.getMessage(), e);
    }
    return out;
  }

  /** The version of {@code id} that is serving, if any. */
  public Optional<ModelVersion> serving(ModelId id) {
    return versions(id).stream().filter(v -> v.stage() == Stage.SERVING).findFirst();
  }

  /**
   * Makes {@code version} the serving one and retires the one serving before, in one transaction.
   *
   * @return false when there is no such version
   */
  public synchronized boolean promote(ModelId id, int version) {
    try {
      db.setAutoCommit(false);
      try {
        try (PreparedStatement ps = db.prepareStatement(
            "UPDATE versions SET stage='retired' WHERE model=? AND stage='serving'")) {
          ps.setString(1, id.value());
          ps.executeUpdate();
        }
        int n;
        try (PreparedStatement ps = db.prepareStatement(
            "UPDATE versions SET stage='serving' WHERE model=? AND version=?")) {
          ps.setString(1, id.value());
          ps.setInt(2, version);
          n = ps.executeUpdate();
        }
        if (n != 1) {
          db.rollback();
          return false;
        }
        db.commit();
        return true;
      } catch (SQLException e) {
        db.rollback();
        throw e;
      } finally {
        db.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot promote version " + version + " of " + id + ": "
          + e.getMessage(), e);
    }
  }

  // ---- where a model learns from

  /** Keeps the telemetry a model was last trained from (JSON of a {@code TelemetryDataset}). */
  public synchronized void setSource(ModelId id, String dataset) {
    try (PreparedStatement ps = db.prepareStatement("INSERT INTO sources VALUES (?,?) ON CONFLICT"
        + "(model) DO UPDATE SET dataset=excluded.dataset")) {
      ps.setString(1, id.value());
      ps.setString(2, dataset);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot store the source of " + id + ": " + e.getMessage(),
          e);
    }
  }

  /** The telemetry a model was last trained from, if it was. */
  public synchronized Optional<String> source(ModelId id) {
    try (PreparedStatement ps = db.prepareStatement("SELECT dataset FROM sources WHERE model=?")) {
      ps.setString(1, id.value());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the source of " + id + ": " + e.getMessage(),
          e);
    }
  }

  // ---- uploads

  /** A file uploaded for a model. */
  public record Upload(ModelId model, String kind, String sha256, long size, String filename,
      long createdMillis) {}

  /** Records an upload. */
  public synchronized void addUpload(Upload u) {
    try (PreparedStatement ps = db.prepareStatement("INSERT INTO uploads VALUES (?,?,?,?,?,?)")) {
      ps.setString(1, u.model().value());
      ps.setString(2, u.kind());
      ps.setString(3, u.sha256());
      ps.setLong(4, u.size());
      ps.setString(5, u.filename());
      ps.setLong(6, u.createdMillis());
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot record an upload: " + e.getMessage(), e);
    }
  }

  /** A model's uploads, oldest first. */
  public synchronized List<Upload> uploads(ModelId id) {
    List<Upload> out = new ArrayList<>();
    try (PreparedStatement ps = db.prepareStatement(
        "SELECT * FROM uploads WHERE model=? ORDER BY created")) {
      ps.setString(1, id.value());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Upload(new ModelId(rs.getString(1)), rs.getString(2), rs.getString(3),
              rs.getLong(4), rs.getString(5), rs.getLong(6)));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read uploads of " + id + ": " + e.getMessage(), e);
    }
    return out;
  }

  @Override
  public synchronized void close() {
    try {
      db.close();
    } catch (SQLException e) {
      // Closing: nothing left to lose.
    }
  }
}
