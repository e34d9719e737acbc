package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.SystemView;
import eu.mlsysops.agent.kernel.AgentLoop;
import eu.mlsysops.model.AppDescriptor;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What readers off a cluster agent's loop (policies, the API) see: the loop's state after its last
 * turn that changed it. The loop marks changes and publishes; readers on any thread read the last
 * published snapshot, never the loop's live state.
 */
final class ClusterView {
  private record Snapshot(SystemView system, List<AppDescriptor> apps,
      Map<String, AppDescriptor> byName, Map<String, Boolean> health, int placements) {}

  private final AgentLoop loop;
  private final InstanceSlots slots;
  private final AssignedApps apps;
  private final ClusterMembership members;
  private final PlacementVersion version;
  private final Clock clock;
  /** Something readers see changed since the last snapshot (besides the placement version). */
  private boolean changed = true;
  private long publishedVersion = -1;
  private volatile Snapshot snapshot;

  ClusterView(AgentLoop loop, InstanceSlots slots, AssignedApps apps, ClusterMembership members,
      PlacementVersion version, Clock clock) {
    this.loop = Objects.requireNonNull(loop);
    this.slots = Objects.requireNonNull(slots);
    this.apps = Objects.requireNonNull(apps);
    this.members = Objects.requireNonNull(members);
    this.version = Objects.requireNonNull(version);
    this.clock = Objects.requireNonNull(clock);
  }

  /** On the loop: something readers see changed; the next {@link #publishIfChanged} shows it. */
  void changed() {
    loop.checkInLoop();
    changed = true;
  }

  /** On the loop: publishes a new snapshot if anything changed since the last. */
  void publishIfChanged() {
    loop.checkInLoop();
    if (!changed && publishedVersion == version.current()) {
      return;
    }
    changed = false;
    publishedVersion = version.current();
    List<AppDescriptor> effective = apps.effective();
    snapshot = new Snapshot(slots.view(clock.millis()), effective,
        effective.stream().collect(Collectors.toUnmodifiableMap(AppDescriptor::name, a -> a)),
        Map.copyOf(members.health()), slots.size());
  }

  SystemView system() {
    return snapshot.system();
  }

  /** The apps as this cluster runs them (with their stored spec changes). */
  List<AppDescriptor> apps() {
    return snapshot.apps();
  }

  AppDescriptor app(String name) {
    return snapshot.byName().get(name);
  }

  Map<String, Boolean> health() {
    return snapshot.health();
  }

  int placements() {
    return snapshot.placements();
  }
}
