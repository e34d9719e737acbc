package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.engine.PolicyEngine;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.orchestration.Placer;
import eu.mlsysops.protocol.Link;
import eu.mlsysops.protocol.Message;
import eu.mlsysops.telemetry.MetricStore;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a cluster agent's parts ask of the rest of it: events, pushes to nodes, publishing what
 * changed to readers and waking the policies, trust observers, the end of series. One set for
 * every part; on the loop. Parts made after it ({@link ClusterNodes}, {@link InstanceReports}) are
 * wired in once they exist, before any event can reach it.
 */
final class ClusterReactions implements PlacementApplier.Effects, InstanceReports.Effects,
    NodeWatch.Effects, ClusterNodes.Effects {
  private final AgentKernel kernel;
  private final PolicyEngine engine;
  private final ClusterView view;
  private final AssignedApps apps;
  private final InstanceSlots slots;
  private final List<NodeObserver> observers;
  private final MetricStore telemetry;
  private final Placer placer;
  private final Clock clock;
  private ClusterNodes nodes;
  private InstanceReports reports;

  ClusterReactions(AgentKernel kernel, ClusterView view, AssignedApps apps, InstanceSlots slots,
      List<NodeObserver> observers, MetricStore telemetry, Placer placer, Clock clock) {
    this.kernel = Objects.requireNonNull(kernel);
    this.engine = kernel.engine();
    this.view = Objects.requireNonNull(view);
    this.apps = Objects.requireNonNull(apps);
    this.slots = Objects.requireNonNull(slots);
    this.observers = Objects.requireNonNull(observers);
    this.telemetry = Objects.requireNonNull(telemetry);
    this.placer = Objects.requireNonNull(placer);
    this.clock = Objects.requireNonNull(clock);
  }

  /** The parts made after this; before the agent's constructor ends. */
  void wire(ClusterNodes nodes, InstanceReports reports) {
    this.nodes = Objects.requireNonNull(nodes);
    this.reports = Objects.requireNonNull(reports);
  }

  /** Hands the policies the effective descriptors of {@code names}. */
  void publishApps(List<String> names) {
    view.changed();
    view.publishIfChanged(); // before the engine wakes policies that read it
    for (String n : names) {
      AppDescriptor a = apps.effective(n);
      if (a != null) {
        engine.appAdded(a);
      }
    }
  }

  /** Wakes every policy, once they can read what changed. */
  @Override
  public void wake(String why) {
    view.publishIfChanged();
    engine.wakeAll(why);
  }

  @Override
  public void event(String kind, String message) {
    kernel.event(kind, message);
  }

  @Override
  public void push(String node) {
    nodes.push(node);
  }

  @Override
  public void appChanged(String app) {
    publishApps(List.of(app));
  }

  @Override
  public void changed() {
    view.changed();
  }

  @Override
  public void statusChanged(List<String> changedApps) {
    view.publishIfChanged();
    changedApps.forEach(app -> engine.wakeAll("instance status of " + app, app));
  }

  @Override
  public void nodeAtFault(Message.InstanceReport r) {
    observers.forEach(o -> o.instanceFailed(r.node(), r.instanceId(), r.reason()));
  }

  @Override
  public void unreachable(String node) {
    // What it sent is no longer current: its series end until it reports again.
    telemetry.markStale(Map.of("node", node), clock.millis());
  }

  @Override
  public void ended(String instanceId) {
    telemetry.markStale(Map.of("instance", instanceId), clock.millis());
  }

  @Override
  public void back(String node, Link link, boolean recovered, boolean reattached) {
    nodes.back(node, link, recovered, reattached);
  }

  @Override
  public void healed(String node) {
    slots.healed(node, placer, telemetry, clock.millis()).forEach(reports::follow);
  }
}
