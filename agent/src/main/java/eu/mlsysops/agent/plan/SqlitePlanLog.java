package eu.mlsysops.agent.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import eu.mlsysops.agent.Command;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Plan log in SQLite (WAL). Writes go through a bounded queue to one writer thread that commits in
 * batches, so recording a transition costs the scheduler a queue offer, not a disk write; when the
 * queue is full the record is dropped and counted rather than stalling decisions. Queries first wait
 * for the queue to drain so a caller reads its own writes.
 */
public final class SqlitePlanLog implements PlanLog {
  private static final System.Logger LOG = System.getLogger(SqlitePlanLog.class.getName());
  private static final Object STOP = new Object();
  private static final TypeReference<List<Map<String, Object>>> COMMANDS = new TypeReference<>() {};
  private static final TypeReference<Map<String, String>> STRINGS = new TypeReference<>() {};

  private final Connection connection;
  private final ObjectMapper json = new ObjectMapper();
  private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(65_536);
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong enqueued = new AtomicLong();
  private final AtomicLong written = new AtomicLong();
  private final Thread writer;
  private final int retainPlans;
  private long sinceLastPrune;
  private final int pruneEvery;

  private SqlitePlanLog(Connection connection, int retainPlans) throws SQLException {
    this.connection = connection;
    this.retainPlans = retainPlans;
    this.pruneEvery = Math.max(1, Math.min(10_000, retainPlans / 10));
    try (Statement s = connection.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
      s.execute("PRAGMA synchronous=NORMAL");
      s.execute(
          "CREATE TABLE IF NOT EXISTS plans (id TEXT PRIMARY KEY, agent TEXT, policy TEXT, app TEXT,"
              + " core INTEGER, commands TEXT, explanation TEXT, inputs TEXT, status TEXT,"
              + " reason TEXT, created INTEGER, updated INTEGER, attempts INTEGER)");
      s.execute(
          "CREATE TABLE IF NOT EXISTS plan_events (plan_id TEXT, status TEXT, reason TEXT,"
              + " at INTEGER, attempts INTEGER)");
      s.execute("CREATE INDEX IF NOT EXISTS plans_created ON plans(created)");
      s.execute("CREATE INDEX IF NOT EXISTS plan_events_plan ON plan_events(plan_id)");
    }
    connection.setAutoCommit(false);
    writer = new Thread(this::writeLoop, "plan-log-writer");
    writer.setDaemon(true);
    writer.start();
  }

  /** Opens (creating if needed) the plan log at {@code file}, keeping the newest 100,000 plans. */
  public static SqlitePlanLog open(Path file) {
    return open(file, 100_000);
  }

  /** Opens the plan log, keeping the newest {@code retainPlans} plans and their histories. */
  public static SqlitePlanLog open(Path file, int retainPlans) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        java.nio.file.Files.createDirectories(parent);
      }
      eu.mlsysops.agent.kernel.PrivateFiles.prepare(file);
      return new SqlitePlanLog(DriverManager.getConnection("jdbc:sqlite:" + file), retainPlans);
    } catch (SQLException | java.io.IOException e) {
      throw new IllegalStateException("cannot open plan log " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void record(PlanRecord plan) {
    if (queue.offer(plan)) {
      enqueued.incrementAndGet();
    } else {
      dropped.incrementAndGet();
    }
  }

  /** Transitions dropped because the write queue was full. */
  public long droppedRecords() {
    return dropped.get();
  }

  private void writeLoop() {
    List<Object> batch = new ArrayList<>();
    while (true) {
      try {
        Object first = queue.poll(1, TimeUnit.SECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, 1023);
        boolean stop = batch.remove(STOP);
        writeBatch(batch);
        written.addAndGet(batch.size());
        batch.clear();
        synchronized (written) {
          written.notifyAll();
        }
        if (stop) {
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, "plan log write failed; batch lost", e);
        written.addAndGet(batch.size());
        batch.clear();
      }
    }
  }

  private synchronized void writeBatch(List<Object> batch) {
    try (PreparedStatement upsert =
            connection.prepareStatement(
                "INSERT INTO plans VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET"
                    + " status=excluded.status, reason=excluded.reason,"
                    + " updated=excluded.updated, attempts=excluded.attempts"
                    // Transitions of one plan may be published from different threads; never let
                    // an older one overwrite a newer one.
                    + " WHERE excluded.updated >= plans.updated");
        PreparedStatement event =
            connection.prepareStatement("INSERT INTO plan_events VALUES (?,?,?,?,?)")) {
      for (Object o : batch) {
        PlanRecord p = (PlanRecord) o;
        upsert.setString(1, p.id());
        upsert.setString(2, p.agent());
        upsert.setString(3, p.policy());
        upsert.setString(4, p.app());
        upsert.setInt(5, p.core() ? 1 : 0);
        upsert.setString(6, json.writeValueAsString(p.commands()));
        upsert.setString(7, p.explanation());
        upsert.setString(8, json.writeValueAsString(p.inputs()));
        upsert.setString(9, p.status().wireName());
        upsert.setString(10, p.reason());
        upsert.setLong(11, p.createdMillis());
        upsert.setLong(12, p.updatedMillis());
        upsert.setInt(13, p.attempts());
        upsert.addBatch();
        event.setString(1, p.id());
        event.setString(2, p.status().wireName());
        event.setString(3, p.reason());
        event.setLong(4, p.updatedMillis());
        event.setInt(5, p.attempts());
        event.addBatch();
      }
      upsert.executeBatch();
      event.executeBatch();
      sinceLastPrune += batch.size();
      if (sinceLastPrune >= pruneEvery) {
        prune();
        sinceLastPrune = 0;
      }
      connection.commit();
    } catch (SQLException | JsonProcessingException e) {
      try {
        connection.rollback();
      } catch (SQLException ignored) {
        // The original failure is what matters.
      }
      throw new IllegalStateException("plan log write failed: " + e.getMessage(), e);
    }
  }

  /** Deletes the oldest plans beyond the retention limit, with their histories. */
  private void prune() throws SQLException {
    try (PreparedStatement cutoff = connection.prepareStatement(
            "SELECT created FROM plans ORDER BY created DESC LIMIT 1 OFFSET ?")) {
      cutoff.setInt(1, retainPlans);
      try (ResultSet rs = cutoff.executeQuery()) {
        if (!rs.next()) {
          return;
        }
        long oldestKept = rs.getLong(1);
        try (PreparedStatement events = connection.prepareStatement(
                "DELETE FROM plan_events WHERE plan_id IN (SELECT id FROM plans WHERE created <= ?)");
            PreparedStatement plans = connection.prepareStatement(
                "DELETE FROM plans WHERE created <= ?")) {
          events.setLong(1, oldestKept);
          events.executeUpdate();
          plans.setLong(1, oldestKept);
          plans.executeUpdate();
        }
      }
    }
  }

  /** Blocks until everything recorded so far is written (bounded wait). */
  public void flush() {
    long target = enqueued.get();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    synchronized (written) {
      while (written.get() + dropped.get() < target && System.nanoTime() < deadline) {
        try {
          written.wait(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  @Override
  public List<PlanRecord> query(PlanQuery q) {
    flush();
    StringBuilder sql = new StringBuilder("SELECT * FROM plans WHERE 1=1");
    List<Object> args = new ArrayList<>();
    if (q.status() != null) {
      sql.append(" AND status=?");
      args.add(q.status().wireName());
    }
    if (q.policy() != null) {
      sql.append(" AND policy=?");
      args.add(q.policy());
    }
    if (q.app() != null) {
      sql.append(" AND app=?");
      args.add(q.app());
    }
    if (q.sinceMillis() != null) {
      sql.append(" AND created>=?");
      args.add(q.sinceMillis());
    }
    sql.append(" ORDER BY created DESC, rowid DESC LIMIT ?");
    args.add(q.limit() <= 0 ? 100 : q.limit());
    return select(sql.toString(), args);
  }

  @Override
  public List<PlanRecord> history(String planId) {
    flush();
    List<PlanRecord> latest = select("SELECT * FROM plans WHERE id=?", List.of(planId));
    if (latest.isEmpty()) {
      return List.of();
    }
    PlanRecord base = latest.get(0);
    List<PlanRecord> out = new ArrayList<>();
    synchronized (this) {
      try (PreparedStatement ps =
          connection.prepareStatement(
              "SELECT status, reason, at, attempts FROM plan_events WHERE plan_id=? ORDER BY rowid")) {
        ps.setString(1, planId);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(
                base.transition(
                    PlanStatus.fromWire(rs.getString(1)), rs.getString(2), rs.getLong(3),
                    rs.getInt(4)));
          }
        }
      } catch (SQLException e) {
        throw new IllegalStateException("plan log query failed: " + e.getMessage(), e);
      }
    }
    return out;
  }

  private synchronized List<PlanRecord> select(String sql, List<Object> args) {
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      for (int i = 0; i < args.size(); i++) {
        ps.setObject(i + 1, args.get(i));
      }
      List<PlanRecord> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(read(rs));
        }
      }
      connection.commit();
      return out;
    } catch (SQLException | JsonProcessingException e) {
      throw new IllegalStateException("plan log query failed: " + e.getMessage(), e);
    }
  }

  private PlanRecord read(ResultSet rs) throws SQLException, JsonProcessingException {
    List<Command> commands = new ArrayList<>();
    for (Map<String, Object> c : json.readValue(rs.getString("commands"), COMMANDS)) {
      @SuppressWarnings("unchecked")
      Map<String, String> args = (Map<String, String>) c.getOrDefault("args", Map.of());
      commands.add(new Command((String) c.get("mechanism"), (String) c.get("action"), args));
    }
    return new PlanRecord(
        rs.getString("id"), rs.getString("agent"), rs.getString("policy"), rs.getString("app"),
        rs.getInt("core") == 1, commands, rs.getString("explanation"),
        json.readValue(rs.getString("inputs"), STRINGS), PlanStatus.fromWire(rs.getString("status")),
        rs.getString("reason"), rs.getLong("created"), rs.getLong("updated"), rs.getInt("attempts"));
  }

  @Override
  public void close() {
    if (queue.offer(STOP) || waitOfferStop()) {
      try {
        writer.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (this) {
      try {
        connection.close();
      } catch (SQLException e) {
        LOG.log(System.Logger.Level.WARNING, "closing plan log: " + e.getMessage());
      }
    }
  }

  private boolean waitOfferStop() {
    try {
      return queue.offer(STOP, 10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
