package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.kernel.AgentLoop;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.protocol.Message;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The continuum's desired state: the apps it accepted, which cluster each component is assigned
 * to, and the epochs of what it sends each cluster. Written to disk before it changes in memory,
 * so a restarted continuum comes back to it. Owned by the continuum's loop.
 */
final class ContinuumApps {
  private final AgentLoop loop;
  private final ContinuumStore store;
  private final Map<String, ContinuumStore.StoredApp> apps = new LinkedHashMap<>();
  private final Map<String, Map<String, String>> assignments = new LinkedHashMap<>();
  private long epoch;
  private long epochReserved;

  ContinuumApps(AgentLoop loop, ContinuumStore store) {
    this.loop = Objects.requireNonNull(loop);
    this.store = Objects.requireNonNull(store);
  }

  /** Reloads what is on disk; the epoch goes on from the block reserved last (or the clock). */
  void restore(long nowMillis) {
    loop.checkInLoop();
    for (ContinuumStore.StoredApp a : store.apps()) {
      apps.put(a.descriptor().name(), a);
    }
    assignments.putAll(store.assignments());
    // The epoch must grow across restarts so clusters never ignore a restarted continuum: blocks
    // of epochs are reserved on disk, and a fresh store starts at the wall clock.
    epoch = Math.max(store.meta("epoch_reserved", 0), nowMillis);
    reserveEpochs();
  }

  boolean has(String app) {
    return apps.containsKey(app);
  }

  ContinuumStore.StoredApp get(String app) {
    return apps.get(app);
  }

  /** @throws IllegalStateException when an app of that name exists */
  void accept(AppDescriptor app, long nowMillis) {
    loop.checkInLoop();
    if (apps.containsKey(app.name())) {
      throw new IllegalStateException("an app named \"" + app.name() + "\" already exists");
    }
    store.putApp(app, nowMillis);
    apps.put(app.name(), new ContinuumStore.StoredApp(app, nowMillis));
  }

  /** What replacing an app's descriptor did. */
  record Update(List<String> removedComponents, List<String> clusters) {}

  /**
   * Replaces an app's descriptor; assignments of components it no longer has go.
   *
   * @return null when the descriptor is the one in force already
   * @throws IllegalStateException when no app of that name exists
   */
  Update update(AppDescriptor app) {
    loop.checkInLoop();
    ContinuumStore.StoredApp old = apps.get(app.name());
    if (old == null) {
      throw new IllegalStateException("no app named \"" + app.name() + "\"");
    }
    if (old.descriptor().equals(app)) {
      return null;
    }
    store.putApp(app, old.submittedMillis());
    apps.put(app.name(), new ContinuumStore.StoredApp(app, old.submittedMillis()));
    Map<String, String> assigned = assignments.getOrDefault(app.name(), new LinkedHashMap<>());
    List<String> touched = assigned.values().stream().distinct().toList();
    List<String> gone = assigned.keySet().stream().filter(c -> app.component(c).isEmpty())
        .toList();
    for (String c : gone) {
      assigned.remove(c);
      store.unassign(app.name(), c);
    }
    return new Update(gone, touched);
  }

  /** Removes an app; the clusters that ran parts of it, or null when it was unknown. */
  List<String> remove(String name) {
    loop.checkInLoop();
    if (apps.remove(name) == null) {
      return null;
    }
    store.removeApp(name);
    Map<String, String> a = assignments.remove(name);
    return a == null ? List.of() : a.values().stream().distinct().toList();
  }

  /** Assigns a component to a cluster; the cluster it was assigned to before, if another. */
  String assign(String app, String component, String cluster) {
    loop.checkInLoop();
    String before = assignments.computeIfAbsent(app, k -> new LinkedHashMap<>()).get(component);
    store.assign(app, component, cluster);
    assignments.get(app).put(component, cluster);
    return before != null && !before.equals(cluster) ? before : null;
  }

  /** The cluster a component is assigned to, or "". */
  String clusterOf(String app, String component) {
    return assignments.getOrDefault(app, Map.of()).getOrDefault(component, "");
  }

  /**
   * What cluster {@code clusterId} must run: the apps assigned to it, each cut down to the
   * components assigned there, under a new epoch.
   */
  Message.DesiredState desiredState(String from, String clusterId) {
    loop.checkInLoop();
    List<AppDescriptor> mine = new ArrayList<>();
    for (Map.Entry<String, Map<String, String>> e : assignments.entrySet()) {
      ContinuumStore.StoredApp a = apps.get(e.getKey());
      if (a == null) {
        continue;
      }
      List<Component> comps = a.descriptor().components().stream()
          .filter(x -> clusterId.equals(e.getValue().get(x.name())))
          .toList();
      if (!comps.isEmpty()) {
        // Self-contained: references to components on other clusters mean nothing there, and
        // a descriptor naming absent components would not parse on the far side of a gRPC link.
        mine.add(ClusterStore.selfContained(
            AppDescriptors.withComponents(a.descriptor(), comps)));
      }
    }
    epoch++;
    if (epoch >= epochReserved) {
      reserveEpochs();
    }
    return new Message.DesiredState(from, epoch, List.of(), mine);
  }

  /** For the snapshot readers get. */
  Map<String, ContinuumStore.StoredApp> appsCopy() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(apps));
  }

  Map<String, Map<String, String>> assignmentsCopy() {
    return ContinuumSnapshot.copy(assignments);
  }

  private void reserveEpochs() {
    epochReserved = epoch + ClusterStore.EPOCH_BLOCK;
    store.setMeta("epoch_reserved", epochReserved);
  }
}
