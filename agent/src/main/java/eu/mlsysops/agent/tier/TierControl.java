package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.PolicyContext;
import eu.mlsysops.agent.engine.PolicyDirectory;
import eu.mlsysops.agent.engine.PolicyEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Control of an {@link EmbeddedContinuum}'s tiers, as the API changes it: the operating mode,
 * each tier's configuration (disabled policies, telemetry export) and the policy directories
 * ({@code <policy-root>/<tier>}: a file dropped in runs on every agent of the tier). Applied at
 * once to the agents in this process, kept on disk ({@link TierSettings}) for restarts, and
 * announced to the listener that sends agents in other processes the new control set. Internal.
 */
final class TierControl {
  private final ContinuumAgent continuum;
  private final Map<String, ClusterAgent> clusters;
  private final Map<String, NodeAgent> nodes;
  private final TierSettings settings;
  private final Path policyRoot;
  private final List<PolicyDirectory> policyDirectories = new ArrayList<>();
  /**
   * Held while a tier's policy directory is changed through the API and while a control set is
   * built from the directories, so that a file that is being checked (and may be taken back) is
   * never sent to remote agents.
   */
  private final Lock policyLock = new ReentrantLock();
  private volatile Runnable controlChanged = () -> {};

  TierControl(ContinuumAgent continuum, Map<String, ClusterAgent> clusters,
      Map<String, NodeAgent> nodes, TierSettings settings, Path policyRoot) {
    this.continuum = continuum;
    this.clusters = clusters;
    this.nodes = nodes;
    this.settings = settings;
    this.policyRoot = policyRoot;
  }

  /** Before any agent starts: a restart must not act in the other mode first. */
  void restoreMode() {
    settings.savedMode().ifPresent(this::applyMode);
  }

  /** Watches the three policy directories and applies the configurations kept on disk. */
  void start(ScheduledExecutorService timers) {
    watchPolicies("continuum", List.of(continuum.engine()), timers);
    watchPolicies("cluster", clusters.values().stream().map(ClusterAgent::engine).toList(),
        timers);
    watchPolicies("node", nodes.values().stream().map(NodeAgent::engine).toList(), timers);
    settings.saved(ContinuumPort.TIERS).forEach(this::configure);
  }

  private void watchPolicies(String tier, List<PolicyEngine> engines,
      ScheduledExecutorService timers) {
    Path dir = policyRoot.resolve(tier);
    try {
      eu.mlsysops.agent.kernel.PrivateFiles.directory(dir);
    } catch (IOException e) {
      throw new IllegalStateException("cannot create policy directory " + dir + ": "
          + e.getMessage(), e);
    }
    PolicyDirectory pd = new PolicyDirectory(dir, engines);
    pd.start(timers, 1000);
    policyDirectories.add(pd);
  }

  Map<String, PolicyDirectory> policyDirectories() {
    Map<String, PolicyDirectory> out = new LinkedHashMap<>();
    for (int i = 0; i < policyDirectories.size(); i++) {
      out.put(ContinuumPort.TIERS.get(i), policyDirectories.get(i));
    }
    return out;
  }

  Path policyRoot() {
    return policyRoot;
  }

  void configure(String tier, AgentConfig config) {
    if (!ContinuumPort.TIERS.contains(tier)) {
      throw new IllegalArgumentException("\"" + tier + "\" is not a tier (continuum, cluster,"
          + " node)");
    }
    synchronized (this) {
      settings.configure(tier, config);
      engines(tier).forEach(e -> e.setDisabled(config.disabledPolicies()));
      if (tier.equals("node")) {
        nodes.values().forEach(n -> n.setUplinkRules(config.telemetryExport()));
      } else if (tier.equals("cluster")) {
        clusters.values().forEach(c -> c.setUplinkRules(config.telemetryExport()));
      }
    }
    // Outside this object's lock: the listener builds a control set, which reads configurations
    // under its own lock (a timer refresh takes them in that order).
    controlChanged.run();
  }

  AgentConfig configuration(String tier) {
    return settings.configuration(tier);
  }

  /** The policy engines of a tier's agents in this process. */
  List<PolicyEngine> engines(String tier) {
    return switch (tier) {
      case "continuum" -> List.of(continuum.engine());
      case "cluster" -> clusters.values().stream().map(ClusterAgent::engine).toList();
      case "node" -> nodes.values().stream().map(NodeAgent::engine).toList();
      default -> List.of();
    };
  }

  void setMode(PolicyContext.Mode mode) {
    synchronized (this) {
      applyMode(mode);
      settings.saveMode(mode); // a restart comes back in the same mode, and sends it on
    }
    controlChanged.run();
  }

  /**
   * A node agent that joined a running continuum takes the node tier's mode, configuration and
   * policy files. Under the lock {@link #configure} and {@link #setMode} hold, so a change made
   * meanwhile reaches it either way (the agent is in the node map before it gets here).
   */
  synchronized void adopt(NodeAgent na) {
    na.engine().setMode(continuum.engine().mode());
    AgentConfig node = configuration("node");
    na.engine().setDisabled(node.disabledPolicies());
    if (!node.telemetryExport().isEmpty()) {
      na.setUplinkRules(node.telemetryExport());
    }
    PolicyDirectory pd = policyDirectories().get("node");
    if (pd != null) {
      pd.addEngine(na.engine());
    }
  }

  /** A node agent that left: its engine no longer loads the node tier's files. */
  synchronized void release(NodeAgent na) {
    PolicyDirectory pd = policyDirectories().get("node");
    if (pd != null) {
      pd.removeEngine(na.engine());
    }
  }

  private void applyMode(PolicyContext.Mode mode) {
    continuum.engine().setMode(mode);
    clusters.values().forEach(c -> c.engine().setMode(mode));
    nodes.values().forEach(n -> n.engine().setMode(mode));
  }

  void onControlChange(Runnable listener) {
    this.controlChanged = Objects.requireNonNull(listener);
  }

  /** An upload through the API: agents in other processes get the new files now. */
  void policiesChanged() {
    controlChanged.run();
  }

  Lock policyLock() {
    return policyLock;
  }

  void close() {
    policyDirectories.forEach(PolicyDirectory::close);
  }
}
