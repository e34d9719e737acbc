package eu.mlsysops.agent.tier;

import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.model.ParseResult;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The continuum agent's desired state in SQLite (WAL): accepted apps (descriptor as submitted,
 * normalised), which cluster each component is assigned to, and the epochs of the desired state
 * sent to clusters (in-flight plans are in the plan log and resumed on start). Written
 * synchronously: an app is accepted only once it is on disk, so a crash right after "accepted"
 * loses nothing.
 */
final class ContinuumStore implements AutoCloseable {
  private final Connection db;

  ContinuumStore(Path file) {
    try {
      eu.mlsysops.agent.kernel.PrivateFiles.prepare(file);
      db = DriverManager.getConnection("jdbc:sqlite:" + file);
      try (Statement s = db.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=FULL");
        s.execute("CREATE TABLE IF NOT EXISTS apps (name TEXT PRIMARY KEY, descriptor TEXT NOT NULL,"
            + " submitted INTEGER NOT NULL)");
        s.execute("CREATE TABLE IF NOT EXISTS assignments (app TEXT, component TEXT, cluster TEXT,"
            + " PRIMARY KEY (app, component))");
        s.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)");
      }
    } catch (SQLException | java.io.IOException e) {
      throw new IllegalStateException("cannot open continuum state " + file + ": " + e.getMessage(), e);
    }
  }

  synchronized long meta(String key, long absent) {
    try (PreparedStatement ps = db.prepareStatement("SELECT value FROM meta WHERE key=?")) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : absent;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read " + key + ": " + e.getMessage(), e);
    }
  }

  synchronized void setMeta(String key, long value) {
    try (PreparedStatement ps = db.prepareStatement(
        "INSERT INTO meta VALUES (?,?) ON CONFLICT(key) DO UPDATE SET value=excluded.value")) {
      ps.setString(1, key);
      ps.setLong(2, value);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot store " + key + ": " + e.getMessage(), e);
    }
  }

  record StoredApp(AppDescriptor descriptor, long submittedMillis) {}

  synchronized void putApp(AppDescriptor app, long submitted) {
    try (PreparedStatement ps = db.prepareStatement(
        "INSERT INTO apps VALUES (?,?,?) ON CONFLICT(name) DO UPDATE SET descriptor=excluded.descriptor")) {
      ps.setString(1, app.name());
      ps.setString(2, Descriptors.toJson(app));
      ps.setLong(3, submitted);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot store app " + app.name() + ": " + e.getMessage(), e);
    }
  }

  synchronized void removeApp(String name) {
    try (PreparedStatement a = db.prepareStatement("DELETE FROM apps WHERE name=?");
        PreparedStatement b = db.prepareStatement("DELETE FROM assignments WHERE app=?")) {
      a.setString(1, name);
      a.executeUpdate();
      b.setString(1, name);
      b.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot remove app " + name + ": " + e.getMessage(), e);
    }
  }

  synchronized void assign(String app, String component, String cluster) {
    try (PreparedStatement ps = db.prepareStatement(
        "INSERT INTO assignments VALUES (?,?,?) ON CONFLICT(app, component) DO UPDATE SET"
            + " cluster=excluded.cluster")) {
      ps.setString(1, app);
      ps.setString(2, component);
      ps.setString(3, cluster);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot store assignment: " + e.getMessage(), e);
    }
  }

  synchronized void unassign(String app, String component) {
    try (PreparedStatement ps = db.prepareStatement(
        "DELETE FROM assignments WHERE app=? AND component=?")) {
      ps.setString(1, app);
      ps.setString(2, component);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot remove assignment: " + e.getMessage(), e);
    }
  }

  synchronized List<StoredApp> apps() {
    List<StoredApp> out = new ArrayList<>();
    try (Statement s = db.createStatement();
        ResultSet rs = s.executeQuery("SELECT name, descriptor, submitted FROM apps ORDER BY submitted")) {
      while (rs.next()) {
        ParseResult r = Descriptors.parse(rs.getString(2), "stored app " + rs.getString(1),
            ParseOptions.ACCEPTED);
        List<AppDescriptor> a = r.ofType(AppDescriptor.class);
        if (r.hasErrors() || a.isEmpty()) {
          throw new IllegalStateException("stored app " + rs.getString(1) + " no longer parses: "
              + r.errors());
        }
        out.add(new StoredApp(a.get(0), rs.getLong(3)));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read apps: " + e.getMessage(), e);
    }
    return out;
  }

  synchronized Map<String, Map<String, String>> assignments() {
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    try (Statement s = db.createStatement();
        ResultSet rs = s.executeQuery("SELECT app, component, cluster FROM assignments")) {
      while (rs.next()) {
        out.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>()).put(rs.getString(2), rs.getString(3));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read assignments: " + e.getMessage(), e);
    }
    return out;
  }

  @Override
  public synchronized void close() {
    try {
      db.close();
    } catch (SQLException ignored) {
      // Closing at shutdown; nothing to recover.
    }
  }
}
