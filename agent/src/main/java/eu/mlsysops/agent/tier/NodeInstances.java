package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.InstancePhase;
import eu.mlsysops.agent.SystemView;
import eu.mlsysops.agent.kernel.AgentLoop;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.orchestration.InstanceSpec;
import eu.mlsysops.orchestration.InstanceStatus;
import eu.mlsysops.orchestration.Runtime;
import eu.mlsysops.protocol.Message;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a node agent runs: the instances its cluster wants here (and the epoch it said so in),
 * reconciled against what the runtime reports, and journaled so a restart without the cluster
 * runs them again. Owned by the node's loop; readers on other threads get what the desired state
 * was after the loop's last change.
 */
final class NodeInstances {
  private final NodeDescriptor node;
  private final AgentLoop loop;
  private final Runtime runtime;
  private final NodeJournal journal;
  private final UplinkBuffer up;
  private final Clock clock;
  private final Map<String, Message.InstanceAssignment> desired = new LinkedHashMap<>();
  private long desiredEpoch = -1;
  /** What {@link #desired} was after the loop's last change, for readers on other threads. */
  private volatile Map<String, Message.InstanceAssignment> desiredView = Map.of();

  NodeInstances(NodeDescriptor node, AgentLoop loop, Runtime runtime, NodeJournal journal,
      UplinkBuffer up, Clock clock) {
    this.node = Objects.requireNonNull(node);
    this.loop = Objects.requireNonNull(loop);
    this.runtime = Objects.requireNonNull(runtime);
    this.journal = Objects.requireNonNull(journal);
    this.up = Objects.requireNonNull(up);
    this.clock = Objects.requireNonNull(clock);
  }

  /** The last desired state committed to the journal, if any. */
  Optional<Message.DesiredState> journaled() {
    return journal.read();
  }

  /**
   * Remembers a journaled desired state without running it: the cluster's answer to the
   * registration decides, and an older epoch from it is ignored.
   */
  void remember(Message.DesiredState ds) {
    loop.checkInLoop();
    desiredEpoch = Math.max(desiredEpoch, ds.epoch());
    ds.instances().forEach(a -> desired.put(a.instanceId(), a));
    desiredView = Collections.unmodifiableMap(new LinkedHashMap<>(desired));
  }

  /**
   * Makes the runtime run exactly the desired instances (older epochs are ignored; the newer
   * epoch wins). New instances start before old ones stop only where the cluster sent both; the
   * cluster keeps an old instance in the desired state until its replacement runs.
   *
   * @param commit whether to journal it first (not when it came from the journal)
   * @return false when the epoch was older than the one in force
   */
  boolean reconcile(Message.DesiredState ds, boolean commit) {
    loop.checkInLoop();
    if (ds.epoch() < desiredEpoch) {
      return false;
    }
    // Nothing to remember yet is not worth a disk write (every node's first desired state).
    if (commit && ds.epoch() > desiredEpoch && !(ds.instances().isEmpty() && desired.isEmpty()
        && !java.nio.file.Files.exists(journal.file()))) {
      journal.write(ds);
    }
    desiredEpoch = ds.epoch();
    desired.clear();
    for (Message.InstanceAssignment a : ds.instances()) {
      desired.put(a.instanceId(), a);
    }
    desiredView = Collections.unmodifiableMap(new LinkedHashMap<>(desired));
    Map<String, InstanceStatus> actual = new HashMap<>();
    for (InstanceStatus s : runtime.instances()) {
      actual.put(s.instanceId(), s);
    }
    List<Message.InstanceAssignment> toStart = new ArrayList<>();
    for (Message.InstanceAssignment a : desired.values()) {
      InstanceStatus s = actual.get(a.instanceId());
      if (s == null || s.state().isTerminal()) {
        toStart.add(a);
      }
    }
    for (InstanceStatus s : actual.values()) {
      if (!desired.containsKey(s.instanceId()) && !s.state().isTerminal()) {
        runtime.stop(s.instanceId());
      }
    }
    for (Message.InstanceAssignment a : toStart) {
      runtime
          .start(new InstanceSpec(a.app(), a.instanceId(), a.component(), instanceEnv(a)))
          .whenComplete((status, error) -> {
            if (error != null) {
              up.send(new Message.StatusReport(node.name(), List.of(new Message.InstanceReport(
                  a.instanceId(), a.app(), a.component().name(), node.name(),
                  InstancePhase.FAILED.name(), rootMessage(error), clock.millis())), false));
            }
          });
    }
    return true;
  }

  /** What the runtime runs now, as reports to the cluster. */
  List<Message.InstanceReport> reports() {
    List<Message.InstanceReport> all = new ArrayList<>();
    for (InstanceStatus s : runtime.instances()) {
      all.add(report(s));
    }
    return all;
  }

  /**
   * Whether {@code s} is still what the runtime says of its instance: no later change superseded
   * it (an instance the runtime no longer knows keeps its last word).
   */
  boolean isCurrent(InstanceStatus s) {
    for (InstanceStatus now : runtime.instances()) {
      if (now.instanceId().equals(s.instanceId())) {
        return now.equals(s);
      }
    }
    return true;
  }

  Message.InstanceReport report(InstanceStatus s) {
    return new Message.InstanceReport(
        s.instanceId(), s.app(), s.component(), node.name(), s.state().name(), s.reason(),
        s.sinceMillis());
  }

  /** The apps of the desired instances, each with the components desired here. */
  List<AppDescriptor> apps() {
    Map<String, List<Component>> byApp = new LinkedHashMap<>();
    for (Message.InstanceAssignment a : desiredView.values()) {
      List<Component> cs = byApp.computeIfAbsent(a.app(), k -> new ArrayList<>());
      if (cs.stream().noneMatch(c -> c.name().equals(a.component().name()))) {
        cs.add(a.component());
      }
    }
    List<AppDescriptor> out = new ArrayList<>();
    byApp.forEach((app, cs) -> out.add(AppDescriptors.withComponents(app, cs)));
    return out;
  }

  /** The node as its policies see it: what runs here, and what the desired instances request. */
  SystemView system() {
    long cpu = 0;
    long mem = 0;
    List<SystemView.InstancePlacement> placements = new ArrayList<>();
    for (InstanceStatus s : runtime.instances()) {
      placements.add(new SystemView.InstancePlacement(
          s.app(), s.component(), s.instanceId(), node.name(),
          InstancePhase.of(s.state().name())));
    }
    for (Message.InstanceAssignment a : desiredView.values()) {
      cpu += a.component().cpuRequests().millis();
      mem += a.component().memoryRequests().longValue();
    }
    return new SystemView(node.name(),
        List.of(new SystemView.NodeState(node, true, cpu, mem)), placements);
  }

  private Map<String, String> instanceEnv(Message.InstanceAssignment a) {
    // Apps use the stock OpenTelemetry SDKs; point them at this node agent's OTLP receiver.
    Map<String, String> e = new LinkedHashMap<>();
    e.put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318");
    e.put("TELEMETRY_ENDPOINT", "127.0.0.1:4317");
    e.put("OTEL_SERVICE_NAME", a.component().name());
    e.put("OTEL_RESOURCE_ATTRIBUTES",
        "service.name=" + a.component().name() + ",mlsysops.app=" + a.app()
            + ",mlsysops.node=" + node.name() + ",mlsysops.instance=" + a.instanceId());
    e.put("NODE_NAME", node.name());
    e.put("NODE_IP", "127.0.0.1");
    return e;
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }
}
