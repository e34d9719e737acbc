package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.kernel.AgentLoop;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.model.DisconnectPolicy;
import eu.mlsysops.orchestration.SpecChange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The apps the continuum assigned to one cluster (its latest desired state and that state's
 * epoch) with what the cluster changed of them itself: instance counts and spec changes
 * ({@link ComponentOverrides}). Every change is stored before it is answered. Owned by the
 * cluster agent's loop.
 */
final class AssignedApps {
  /** What a new desired state changed: apps that left, and apps that arrived or changed. */
  record Change(List<String> removed, Set<String> changed) {}

  private final AgentLoop loop;
  private final ClusterStore disk;
  private final Duration lostGrace;
  private final Map<String, AppDescriptor> apps = new LinkedHashMap<>();
  private final ComponentOverrides overrides = new ComponentOverrides();
  private long epoch;

  /**
   * Loads what was stored.
   *
   * @param lostGrace how long a node is unreachable before its instances count as lost, for apps
   *     whose descriptor does not say
   */
  AssignedApps(AgentLoop loop, ClusterStore disk, Duration lostGrace) {
    this.loop = Objects.requireNonNull(loop);
    this.disk = Objects.requireNonNull(disk);
    this.lostGrace = Objects.requireNonNull(lostGrace);
    epoch = disk.meta("apps_epoch", -1);
    for (AppDescriptor a : disk.apps()) {
      apps.put(a.name(), a);
    }
    overrides.restore(disk.overrides());
  }

  /** Whether the component is assigned here. */
  boolean has(String app, String component) {
    loop.checkInLoop();
    AppDescriptor a = apps.get(app);
    return a != null && a.component(component).isPresent();
  }

  boolean has(String app) {
    loop.checkInLoop();
    return apps.containsKey(app);
  }

  /** The app as this cluster runs it (with its counts and spec changes), or null. */
  AppDescriptor effective(String app) {
    loop.checkInLoop();
    AppDescriptor a = apps.get(app);
    return a == null ? null : overrides.effective(a);
  }

  List<AppDescriptor> effective() {
    loop.checkInLoop();
    return apps.values().stream().map(overrides::effective).toList();
  }

  /** The component as the continuum assigned it, without changes made here (null: not here). */
  Component assigned(String app, String component) {
    loop.checkInLoop();
    AppDescriptor a = apps.get(app);
    return a == null ? null : a.component(component).orElse(null);
  }

  /** The {@link SpecHash} of the component as it is now (null when it is not here). */
  String specOf(String app, String component) {
    AppDescriptor a = effective(app);
    return a == null ? null : a.component(component).map(SpecHash::of).orElse(null);
  }

  /** The app's disconnect policy (the defaults for an app this cluster does not know). */
  DisconnectPolicy disconnect(String app) {
    loop.checkInLoop();
    AppDescriptor a = apps.get(app);
    return a == null ? DisconnectPolicy.DEFAULT : a.disconnectOrDefault();
  }

  /** How long the app's instances on an unreachable node wait before they count as lost. */
  long lostAfterMillis(String app) {
    DisconnectPolicy d = disconnect(app);
    return (d.lostAfter() != null ? d.lostAfter() : lostGrace).toMillis();
  }

  /** Whether a desired state of {@code epoch} is older than the one in force. */
  boolean isOlder(long desiredEpoch) {
    return desiredEpoch < epoch;
  }

  /**
   * Takes a new desired state, stored (with the slots it ends) before anything acts on it: a
   * crash from here on restarts with this state. Overrides of components that left or whose
   * descriptor changed are dropped.
   */
  Change accept(long desiredEpoch, List<AppDescriptor> desired,
      List<ClusterStore.SlotRow> droppedSlots) {
    loop.checkInLoop();
    Map<String, AppDescriptor> next = index(desired);
    List<AppDescriptor> changedApps =
        next.values().stream().filter(a -> !a.equals(apps.get(a.name()))).toList();
    List<String> gone = apps.keySet().stream().filter(n -> !next.containsKey(n)).toList();
    disk.applyDesiredState(desiredEpoch, changedApps, gone, droppedSlots);
    epoch = desiredEpoch;
    for (String[] k : overrides.retain(apps, next)) {
      disk.putOverrides(k[0], k[1], overrides.row(k[0], k[1]));
    }
    apps.clear();
    apps.putAll(next);
    return new Change(gone, changedApps.stream().map(AppDescriptor::name)
        .collect(Collectors.toSet()));
  }

  /** The desired apps by name. */
  static Map<String, AppDescriptor> index(List<AppDescriptor> desired) {
    Map<String, AppDescriptor> next = new LinkedHashMap<>();
    for (AppDescriptor a : desired) {
      next.put(a.name(), a);
    }
    return next;
  }

  /** Sets a component's instance count; false when it was that already. */
  boolean setInstances(String app, String component, int instances) {
    loop.checkInLoop();
    if (!overrides.setInstances(app, component, instances)) {
      return false;
    }
    disk.putOverrides(app, component, overrides.row(app, component));
    return true;
  }

  /**
   * Records a spec change of a component assigned here and answers the container's merged
   * change, for messages.
   *
   * @throws IllegalArgumentException naming the argument when the change does not fit
   */
  SpecChange changeSpec(String app, Component base, SpecChange change) {
    loop.checkInLoop();
    overrides.changeSpec(app, base, change);
    disk.putOverrides(app, base.name(), overrides.row(app, base.name()));
    return overrides.specChange(app, base.name(), change.container());
  }

  /** The names of the apps, in the order they were assigned. */
  List<String> names() {
    loop.checkInLoop();
    return new ArrayList<>(apps.keySet());
  }
}
