package eu.mlsysops.agent.control;

import eu.mlsysops.agent.tier.AgentConfig;
import eu.mlsysops.protocol.Message;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The continuum's side of control going down: builds the current {@link Message.Control} set from
 * the operating mode, the cluster and node tiers' configurations and the policy files in their
 * directories; {@link #refresh()} (after every change, and on a timer for files dropped into the
 * directories by hand) hands a set whose digest changed to the listener, which sends it to every
 * cluster (the listener must not block: it runs under this object's lock, which keeps sets in
 * order). Keeps what each remote agent reported: the digest it runs and what did not load there.
 */
public final class ControlSource implements eu.mlsysops.agent.tier.RemoteAgents {
  private static final System.Logger LOG = System.getLogger(ControlSource.class.getName());
  /** The tiers whose agents are remote; the continuum's own configuration applies in place. */
  static final List<Message.Tier> REMOTE_TIERS = List.of(Message.Tier.CLUSTER, Message.Tier.NODE);

  private final String self;
  private final Supplier<String> mode;
  private final Function<Message.Tier, AgentConfig> config;
  private final Function<Message.Tier, Path> policyDir;
  private final Consumer<Message.Control> listener;
  private final java.util.concurrent.locks.Lock directories;
  private Message.Control current;
  private final Map<String, Message.ControlReport> reports = new TreeMap<>();
  private final Map<Message.Tier, String> problems = new LinkedHashMap<>();

  /**
   * @param self the continuum's name (the sets' {@code from})
   * @param mode the operating mode, {@code heuristic} or {@code ml}
   * @param config a tier's configuration
   * @param policyDir a tier's policy directory
   * @param listener gets every set whose digest differs from the previous one
   * @param directories held while the policy directories are read (an upload being checked holds
   *     it too, so a file that may be taken back is never sent)
   */
  public ControlSource(String self, Supplier<String> mode,
      Function<Message.Tier, AgentConfig> config, Function<Message.Tier, Path> policyDir,
      Consumer<Message.Control> listener, java.util.concurrent.locks.Lock directories) {
    this.directories = Objects.requireNonNull(directories);
    this.self = Objects.requireNonNull(self);
    this.mode = Objects.requireNonNull(mode);
    this.config = Objects.requireNonNull(config);
    this.policyDir = Objects.requireNonNull(policyDir);
    this.listener = Objects.requireNonNull(listener);
  }

  /**
   * Builds the set now; tells the listener when it changed. Serialised: two refreshes at once (a
   * change through the API and the timer) could otherwise hand over an older set after a newer.
   */
  public void refresh() {
    // Always the directories' lock first, then this object's: an upload holds the former when it
    // asks for a refresh, the timer takes both in the same order.
    directories.lock();
    try {
      synchronized (this) {
        refreshLocked();
      }
    } finally {
      directories.unlock();
    }
  }

  private void refreshLocked() {
    Message.Control next = build();
    if (current != null && current.digest().equals(next.digest())) {
      return;
    }
    var wrong = ControlSet.problem(next);
    if (wrong.isPresent()) {
      // Too big to send (or otherwise not sendable): agents keep the set they run.
      problems.put(Message.Tier.NODE, "not sent: " + wrong.get());
      LOG.log(System.Logger.Level.WARNING, "control set not sent: " + wrong.get());
      return;
    }
    current = next;
    LOG.log(System.Logger.Level.INFO, "control set " + ControlApplier.shortDigest(next.digest())
        + ": mode " + next.mode() + ", " + next.tiers().stream()
            .map(t -> t.tier().name().toLowerCase(Locale.ROOT) + " " + t.files().size()
                + " file(s), " + t.disabledPolicies().size() + " disabled")
            .toList());
    listener.accept(next);
  }

  /** The current set (built at once when there is none yet). */
  public Message.Control current() {
    synchronized (this) {
      if (current != null) {
        return current;
      }
    }
    refresh();
    synchronized (this) {
      return current;
    }
  }

  /** Takes a report from a remote agent (relayed by its cluster). */
  public synchronized void report(Message.ControlReport r) {
    reports.put(r.agent(), r);
  }

  /** A status older than this is not shown: its agent is gone or cut off. */
  static final long STATUS_MAX_AGE_MILLIS = 20_000;

  private final Map<String, Message.AgentStatus> statuses = new TreeMap<>();
  private final Map<String, Long> statusTimes = new java.util.HashMap<>();
  private java.time.Clock clock = java.time.Clock.systemUTC();

  /** The clock that dates statuses (tests drive it). */
  public synchronized ControlSource clock(java.time.Clock clock) {
    this.clock = Objects.requireNonNull(clock);
    return this;
  }

  /** Takes a remote agent's status (relayed by its cluster). */
  public synchronized void status(Message.AgentStatus s) {
    statuses.put(s.agent(), s);
    statusTimes.put(s.agent(), clock.millis());
  }

  /** The statuses of the last {@link #STATUS_MAX_AGE_MILLIS}: agents that went away drop out. */
  @Override
  public synchronized Map<String, Message.AgentStatus> statuses() {
    long now = clock.millis();
    statuses.keySet().removeIf(a -> now - statusTimes.getOrDefault(a, 0L) > STATUS_MAX_AGE_MILLIS);
    statusTimes.keySet().retainAll(statuses.keySet());
    return Map.copyOf(statuses);
  }

  @Override
  public synchronized String controlDigest() {
    return current == null ? "" : current.digest();
  }

  @Override
  public synchronized Map<String, Applied> applied() {
    Map<String, Applied> out = new TreeMap<>();
    reports.forEach((agent, r) -> out.put(agent, new Applied(agent,
        r.tier().name().toLowerCase(Locale.ROOT), r.digest(), r.errors())));
    return out;
  }

  /** Files that could not be read for the last set, by tier. */
  public synchronized Map<Message.Tier, String> problems() {
    return Map.copyOf(problems);
  }

  private Message.Control build() {
    List<Message.TierControl> tiers = new ArrayList<>();
    Map<Message.Tier, String> found = new LinkedHashMap<>();
    for (Message.Tier t : REMOTE_TIERS) {
      AgentConfig c = config.apply(t);
      List<Message.PolicyFile> files = new ArrayList<>();
      Path dir = policyDir.apply(t);
      if (dir != null && Files.isDirectory(dir)) {
        try (Stream<Path> list = Files.list(dir)) {
          for (Path p : list.sorted().toList()) {
            String name = p.getFileName().toString();
            if (Files.isRegularFile(p) && ControlSet.FILE_NAME.matcher(name).matches()) {
              files.add(ControlSet.file(name, Files.readAllBytes(p)));
            }
          }
        } catch (IOException e) {
          found.put(t, "cannot read " + dir + ": " + e.getMessage());
        }
      }
      tiers.add(new Message.TierControl(t, c.disabledSorted(), c.telemetryExportText(), files));
    }
    problems.clear();
    problems.putAll(found);
    return ControlSet.of(self, mode.get().toLowerCase(Locale.ROOT), tiers);
  }
}
