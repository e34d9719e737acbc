package eu.mlsysops.agent.tier;

import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.model.Descriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.NodeDescriptor;
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
import java.util.List;

/**
 * A cluster agent's state in SQLite (WAL, synchronous=NORMAL): the apps the continuum gave it with
 * that desired state's epoch, what the cluster's own decisions changed in them (instance counts,
 * spec changes), every slot (which instance runs where, and during a move or after a
 * lost node, where the other one is), the nodes that registered, and the epochs handed to nodes.
 * Each change is committed before the agent acts on it, so an agent killed at any point restarts
 * with everything it had accepted and creates no second instance of a slot. WAL with NORMAL
 * survives a killed process (every commit is in the WAL before the call returns); only a power
 * loss can take the last commits, and then nodes re-register with what they run.
 */
final class ClusterStore implements AutoCloseable {
  /** Node epochs are reserved in blocks so that handing one out rarely costs a write. */
  static final long EPOCH_BLOCK = 1000;

  private final Connection db;

  ClusterStore(Path file) {
    try {
      eu.mlsysops.agent.kernel.PrivateFiles.prepare(file);
      db = DriverManager.getConnection("jdbc:sqlite:" + file);
      try (Statement s = db.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        // Commits reach the WAL before returning, which is what a killed process needs; FULL would
        // add an fsync per placement on the threads that deliver heartbeats.
        s.execute("PRAGMA synchronous=NORMAL");
        s.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY,"
            + " value INTEGER NOT NULL)");
        s.execute("CREATE TABLE IF NOT EXISTS apps (name TEXT PRIMARY KEY,"
            + " descriptor TEXT NOT NULL)");
        s.execute("CREATE TABLE IF NOT EXISTS nodes (name TEXT PRIMARY KEY,"
            + " descriptor TEXT NOT NULL)");
        s.execute("CREATE TABLE IF NOT EXISTS slots (app TEXT, component TEXT, idx INTEGER,"
            + " generation INTEGER, instance_id TEXT, node TEXT, previous_instance_id TEXT,"
            + " previous_node TEXT, lost_instance_id TEXT, lost_node TEXT,"
            + " PRIMARY KEY (app, component, idx))");
        try (ResultSet rs = s.executeQuery("SELECT * FROM slots LIMIT 0")) {
          if (rs.getMetaData().getColumnCount() == 10) {
            // Stores written before slots recorded their spec digest.
            s.execute("ALTER TABLE slots ADD COLUMN spec TEXT");
          }
        }
        s.execute("CREATE TABLE IF NOT EXISTS overrides (app TEXT, component TEXT,"
            + " instances INTEGER, specs TEXT NOT NULL, PRIMARY KEY (app, component))");
      }
    } catch (SQLException | java.io.IOException e) {
      throw new IllegalStateException(
          "cannot open cluster state " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * One slot as stored; null strings mean "none".
   *
   * @param spec the {@link SpecHash} the slot's instance was started with (null: not known)
   */
  record SlotRow(
      String app, String component, int index, int generation, String instanceId, String node,
      String previousInstanceId, String previousNode, String lostInstanceId, String lostNode,
      String spec) {}

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

  /**
   * Records a new desired state from the continuum in one transaction: its epoch, the apps that
   * changed or arrived, the apps that left, and the slots whose components are no longer
   * assigned here. Unchanged apps are not rewritten (a continuum sends the whole desired state on
   * every change, and this runs while the agent holds its lock).
   */
  synchronized void applyDesiredState(long epoch, List<AppDescriptor> changed,
      List<String> removed, List<SlotRow> droppedSlots) {
    try {
      db.setAutoCommit(false);
      try (PreparedStatement put = db.prepareStatement(
              "INSERT OR REPLACE INTO apps VALUES (?,?)");
          PreparedStatement delete = db.prepareStatement("DELETE FROM apps WHERE name=?");
          PreparedStatement meta = db.prepareStatement(
              "INSERT INTO meta VALUES ('apps_epoch',?) ON CONFLICT(key) DO UPDATE SET"
                  + " value=excluded.value")) {
        for (AppDescriptor a : changed) {
          put.setString(1, a.name());
          put.setString(2, Descriptors.toJson(selfContained(a)));
          put.addBatch();
        }
        put.executeBatch();
        for (String name : removed) {
          delete.setString(1, name);
          delete.addBatch();
        }
        delete.executeBatch();
        meta.setLong(1, epoch);
        meta.executeUpdate();
        for (SlotRow r : droppedSlots) {
          deleteSlot(r.app(), r.component(), r.index());
        }
        db.commit();
      } catch (SQLException e) {
        db.rollback();
        throw e;
      } finally {
        db.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot store desired state: " + e.getMessage(), e);
    }
  }

  /**
   * A cluster holds an app cut down to the components assigned to it, whose {@code depends_on}
   * and interactions may name components elsewhere; those references mean nothing here (a
   * dependency outside the cluster is not waited for), and dropping them lets the descriptor
   * parse on its own again.
   */
  static AppDescriptor selfContained(AppDescriptor a) {
    java.util.Set<String> here = new java.util.HashSet<>();
    a.components().forEach(c -> here.add(c.name()));
    List<Component> cs = new ArrayList<>();
    for (Component c : a.components()) {
      List<String> deps = c.dependsOn().stream().filter(here::contains).toList();
      cs.add(deps.equals(c.dependsOn()) ? c : new Component(c.metadata(), c.nodePlacement(), deps,
          c.runtimeConfiguration(), c.sensors(), c.qosMetrics(), c.storage(), c.dataSensitivity(),
          c.dataCriticality(), c.externalComponent(), c.externalAccess(), c.hostNetwork(),
          c.runtimeClassName(), c.restartPolicy(), c.os(), c.nodeType(), c.containerRuntime(),
          c.containers(), c.qosWarmup()));
    }
    List<eu.mlsysops.model.SingleNodeGroup> groups = new ArrayList<>();
    for (eu.mlsysops.model.SingleNodeGroup g : a.singleNode()) {
      List<String> members = g.components().stream().filter(here::contains).toList();
      if (!members.isEmpty()) {
        groups.add(new eu.mlsysops.model.SingleNodeGroup(members, g.continuumLayer(), g.scaling(),
            g.mobile(), g.labels(), g.node()));
      }
    }
    return new AppDescriptor(a.name(), a.clusterPlacement(), groups, cs,
        a.componentInteractions().stream().filter(i -> here.contains(i.componentName1())
            && here.contains(i.componentName2())).toList(),
        a.permittedActions(), a.globalSatisfaction(), a.disconnect(), a.qosWarmup());
  }

  synchronized List<AppDescriptor> apps() {
    List<AppDescriptor> out = new ArrayList<>();
    for (String[] row : rows("SELECT name, descriptor FROM apps ORDER BY name")) {
      out.add(parse(row[1], "stored app " + row[0], AppDescriptor.class));
    }
    return out;
  }

  synchronized void putNode(NodeDescriptor node) {
    try (PreparedStatement ps = db.prepareStatement(
        "INSERT INTO nodes VALUES (?,?) ON CONFLICT(name) DO UPDATE SET"
            + " descriptor=excluded.descriptor")) {
      ps.setString(1, node.name());
      ps.setString(2, Descriptors.toJson(node));
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot store node " + node.name() + ": " + e.getMessage(), e);
    }
  }

  synchronized void removeNode(String name) {
    try (PreparedStatement ps = db.prepareStatement("DELETE FROM nodes WHERE name=?")) {
      ps.setString(1, name);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot remove node " + name + ": " + e.getMessage(), e);
    }
  }

  synchronized List<NodeDescriptor> nodes() {
    List<NodeDescriptor> out = new ArrayList<>();
    for (String[] row : rows("SELECT name, descriptor FROM nodes ORDER BY rowid")) {
      out.add(parse(row[1], "stored node " + row[0], NodeDescriptor.class));
    }
    return out;
  }

  synchronized void putSlot(SlotRow r) {
    try (PreparedStatement ps = db.prepareStatement(
        "INSERT OR REPLACE INTO slots VALUES (?,?,?,?,?,?,?,?,?,?,?)")) {
      ps.setString(1, r.app());
      ps.setString(2, r.component());
      ps.setInt(3, r.index());
      ps.setInt(4, r.generation());
      ps.setString(5, r.instanceId());
      ps.setString(6, r.node());
      ps.setString(7, r.previousInstanceId());
      ps.setString(8, r.previousNode());
      ps.setString(9, r.lostInstanceId());
      ps.setString(10, r.lostNode());
      ps.setString(11, r.spec());
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot store slot " + r.instanceId() + ": " + e.getMessage(),
          e);
    }
  }

  synchronized void removeSlot(String app, String component, int index) {
    try {
      deleteSlot(app, component, index);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot remove slot: " + e.getMessage(), e);
    }
  }

  private void deleteSlot(String app, String component, int index) throws SQLException {
    try (PreparedStatement ps = db.prepareStatement(
        "DELETE FROM slots WHERE app=? AND component=? AND idx=?")) {
      ps.setString(1, app);
      ps.setString(2, component);
      ps.setInt(3, index);
      ps.executeUpdate();
    }
  }

  synchronized List<SlotRow> slots() {
    List<SlotRow> out = new ArrayList<>();
    try (Statement s = db.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM slots ORDER BY rowid")) {
      while (rs.next()) {
        out.add(new SlotRow(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getInt(4),
            rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9),
            rs.getString(10), rs.getString(11)));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read slots: " + e.getMessage(), e);
    }
    return out;
  }

  /** Stores one component's overrides, or removes them when {@code row} is null. */
  synchronized void putOverrides(String app, String component, ComponentOverrides.Row row) {
    try (PreparedStatement delete = db.prepareStatement(
            "DELETE FROM overrides WHERE app=? AND component=?");
        PreparedStatement put = db.prepareStatement(
            "INSERT OR REPLACE INTO overrides VALUES (?,?,?,?)")) {
      if (row == null) {
        delete.setString(1, app);
        delete.setString(2, component);
        delete.executeUpdate();
        return;
      }
      put.setString(1, app);
      put.setString(2, component);
      if (row.instances() == null) {
        put.setNull(3, java.sql.Types.INTEGER);
      } else {
        put.setInt(3, row.instances());
      }
      put.setString(4, row.specsJson());
      put.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot store overrides of " + app + "/" + component + ": " + e.getMessage(), e);
    }
  }

  synchronized List<ComponentOverrides.Row> overrides() {
    List<ComponentOverrides.Row> out = new ArrayList<>();
    try (Statement s = db.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM overrides ORDER BY rowid")) {
      while (rs.next()) {
        int n = rs.getInt(3);
        Integer instances = rs.wasNull() ? null : n; // wasNull speaks of the last column read
        out.add(new ComponentOverrides.Row(rs.getString(1), rs.getString(2), instances,
            ComponentOverrides.Row.specsFrom(rs.getString(4))));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read overrides: " + e.getMessage(), e);
    }
    return out;
  }

  private List<String[]> rows(String sql) {
    List<String[]> out = new ArrayList<>();
    try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.add(new String[] {rs.getString(1), rs.getString(2)});
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read cluster state: " + e.getMessage(), e);
    }
    return out;
  }

  private static <T extends Descriptor> T parse(String json, String source, Class<T> type) {
    ParseResult r = Descriptors.parse(json, source, ParseOptions.ACCEPTED);
    List<T> found = r.ofType(type);
    if (r.hasErrors() || found.isEmpty()) {
      throw new IllegalStateException(source + " no longer parses: " + r.errors());
    }
    return found.get(0);
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
