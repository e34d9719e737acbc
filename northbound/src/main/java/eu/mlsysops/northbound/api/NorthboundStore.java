package eu.mlsysops.northbound.api;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the API itself must remember across restarts, in {@code <data-dir>/northbound.db}: who
 * deployed each app (and whether it is an ML deployment), and the infrastructure descriptors
 * registered through {@code /infra/register}. Write-through: memory is the read path.
 */
final class NorthboundStore implements AutoCloseable {
  /** An app's owner (token name) and whether it was deployed through {@code /ml/deploy_ml}. */
  record AppRecord(String owner, boolean ml) {}

  private final Connection connection;
  private final Map<String, AppRecord> apps = new LinkedHashMap<>();
  /** kind wire name → id → descriptor JSON. */
  private final Map<String, Map<String, String>> infra = new LinkedHashMap<>();

  private NorthboundStore(Connection connection) {
    this.connection = connection;
  }

  static NorthboundStore open(Path file) {
    try {
      eu.mlsysops.agent.kernel.PrivateFiles.prepare(file);
      Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA busy_timeout=5000");
        s.execute("CREATE TABLE IF NOT EXISTS apps (name TEXT PRIMARY KEY, owner TEXT NOT NULL,"
            + " ml INTEGER NOT NULL, created INTEGER NOT NULL)");
        s.execute("CREATE TABLE IF NOT EXISTS infra (kind TEXT NOT NULL, id TEXT NOT NULL,"
            + " descriptor TEXT NOT NULL, created INTEGER NOT NULL, PRIMARY KEY (kind, id))");
      }
      NorthboundStore store = new NorthboundStore(c);
      store.load();
      return store;
    } catch (SQLException | java.io.IOException e) {
      throw new IllegalStateException("cannot open " + file + ": " + e.getMessage(), e);
    }
  }

  private void load() throws SQLException {
    try (Statement s = connection.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT name, owner, ml FROM apps ORDER BY created")) {
        while (rs.next()) {
          apps.put(rs.getString(1), new AppRecord(rs.getString(2), rs.getInt(3) == 1));
        }
      }
      try (ResultSet rs = s.executeQuery("SELECT kind, id, descriptor FROM infra ORDER BY created")) {
        while (rs.next()) {
          infra.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>())
              .put(rs.getString(2), rs.getString(3));
        }
      }
    }
  }

  synchronized void putApp(String name, String owner, boolean ml) {
    update("INSERT OR REPLACE INTO apps (name, owner, ml, created) VALUES (?, ?, ?, ?)",
        name, owner, ml ? 1 : 0, System.currentTimeMillis());
    apps.put(name, new AppRecord(owner, ml));
  }

  synchronized void removeApp(String name) {
    update("DELETE FROM apps WHERE name=?", name);
    apps.remove(name);
  }

  synchronized Optional<AppRecord> app(String name) {
    return Optional.ofNullable(apps.get(name));
  }

  synchronized Map<String, AppRecord> apps() {
    return new LinkedHashMap<>(apps);
  }

  synchronized void putInfra(String kind, String id, String descriptorJson) {
    update("INSERT OR REPLACE INTO infra (kind, id, descriptor, created) VALUES (?, ?, ?, ?)",
        kind, id, descriptorJson, System.currentTimeMillis());
    infra.computeIfAbsent(kind, k -> new LinkedHashMap<>()).put(id, descriptorJson);
  }

  synchronized boolean removeInfra(String kind, String id) {
    Map<String, String> m = infra.get(kind);
    if (m == null || !m.containsKey(id)) {
      return false;
    }
    update("DELETE FROM infra WHERE kind=? AND id=?", kind, id);
    m.remove(id);
    return true;
  }

  /** Recorded descriptors (JSON) of one kind by id, in registration order. */
  synchronized Map<String, String> infra(String kind) {
    return new LinkedHashMap<>(infra.getOrDefault(kind, Map.of()));
  }

  private void update(String sql, Object... args) {
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("northbound store write failed: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      // Closing cannot be retried; the data is already committed (autocommit).
    }
  }
}
