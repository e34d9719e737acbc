package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.InstanceIds;
import eu.mlsysops.agent.InstancePhase;
import eu.mlsysops.agent.InstancePhase;
import eu.mlsysops.agent.kernel.AgentLoop;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.protocol.Message;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What the continuum knows of every instance, from its clusters' status reports, and which
 * components no cluster can take (the cluster placement policy's word). Each change says whether
 * readers see anything new; unschedulable components are {@code placement} events as their reason
 * changes. Owned by the continuum agent's loop.
 */
final class ContinuumInstances {
  private final AgentLoop loop;
  private final BiConsumer<String, String> event;
  private final Consumer<String> ended;
  private final Map<String, Message.InstanceReport> instances = new LinkedHashMap<>();
  /** app → component → why no cluster can take it. */
  private final Map<String, Map<String, String>> unassignable = new HashMap<>();

  /**
   * @param event takes a kind and a message
   * @param ended told the id of each instance that stopped running where it ran (its series end)
   */
  ContinuumInstances(AgentLoop loop, BiConsumer<String, String> event, Consumer<String> ended) {
    this.loop = Objects.requireNonNull(loop);
    this.event = Objects.requireNonNull(event);
    this.ended = Objects.requireNonNull(ended);
  }

  /**
   * A cluster's status report. A full report replaces what that cluster reported before.
   *
   * @param known whether an app is deployed (reports of others are ignored)
   * @param reportedBy the cluster an earlier report came from
   * @return whether anything changed
   */
  boolean status(Message.StatusReport sr, Predicate<String> known,
      Function<Message.InstanceReport, String> reportedBy) {
    loop.checkInLoop();
    boolean changed = false;
    if (sr.full()) {
      changed = instances.values().removeIf(r -> reportedBy.apply(r).equals(sr.from())
          && sr.instances().stream().noneMatch(x -> x.instanceId().equals(r.instanceId())));
    }
    for (Message.InstanceReport r : sr.instances()) {
      if (!known.test(r.app())) {
        continue;
      }
      Message.InstanceReport before = instances.put(r.instanceId(), r);
      changed |= !r.equals(before);
      if (InstancePhase.of(r.state()).endsTelemetry()
          && (before == null || !before.state().equals(r.state()))) {
        ended.accept(r.instanceId());
      }
      if (UnschedulableInstances.STATE.equals(r.state()) && (before == null
          || !before.state().equals(r.state()) || !before.reason().equals(r.reason()))) {
        event.accept("placement", r.app() + "/" + r.component() + "/"
            + InstanceIds.slotOf(r.instanceId()) + " unschedulable in cluster " + sr.from()
            + ": " + r.reason());
      }
    }
    return changed;
  }

  /**
   * The cluster placement policy's word on the components of {@code app} no cluster can take
   * ({@code byInstance}: instance id → why).
   *
   * @return whether it changed
   */
  boolean unassignable(String app, Map<String, String> byInstance) {
    loop.checkInLoop();
    Map<String, String> now = new LinkedHashMap<>();
    byInstance.forEach((k, v) -> now.put(k.substring(0, k.lastIndexOf('/')), v));
    Map<String, String> before = unassignable.getOrDefault(app, Map.of());
    now.forEach((c, why) -> {
      if (!why.equals(before.get(c))) {
        event.accept("placement", app + "/" + c + " unschedulable: no cluster can take it: " + why);
      }
    });
    if (now.isEmpty()) {
      unassignable.remove(app);
    } else {
      unassignable.put(app, now);
    }
    return !now.equals(before);
  }

  /** Instances on {@code nodes} of a cluster that was lost are {@code LOST} now. */
  void lost(String cluster, Set<String> nodes, long nowMillis) {
    loop.checkInLoop();
    instances.replaceAll((id, r) -> nodes.contains(r.node())
        ? new Message.InstanceReport(r.instanceId(), r.app(), r.component(), r.node(),
            InstancePhase.LOST.name(), "cluster " + cluster + " unreachable", nowMillis)
        : r);
  }

  /** The app's new descriptor: what was known of components it no longer has is forgotten. */
  void updated(AppDescriptor app) {
    loop.checkInLoop();
    instances.values().removeIf(r -> r.app().equals(app.name())
        && app.component(r.component()).isEmpty());
    Map<String, String> stuck = unassignable.get(app.name());
    if (stuck != null) {
      stuck.keySet().removeIf(c -> app.component(c).isEmpty());
    }
  }

  /** The app was removed: everything known of it is forgotten. */
  void removed(String app) {
    loop.checkInLoop();
    instances.values().removeIf(r -> r.app().equals(app));
    unassignable.remove(app);
  }

  /** The instances, for a snapshot (a copy). */
  Map<String, Message.InstanceReport> instances() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(instances));
  }

  /** What no cluster can take, for a snapshot (a copy). */
  Map<String, Map<String, String>> unassignable() {
    return ContinuumSnapshot.copy(unassignable);
  }
}
