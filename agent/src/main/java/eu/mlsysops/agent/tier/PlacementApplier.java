package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.ApplyResult;
import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.ComponentId;
import eu.mlsysops.agent.InstanceIds;
import eu.mlsysops.agent.InstancePhase;
import eu.mlsysops.agent.PlacementCommand;
import eu.mlsysops.agent.Plan;
import eu.mlsysops.agent.kernel.AgentLoop;
import eu.mlsysops.agent.plan.PlanRequest;
import eu.mlsysops.agent.plan.PlanScheduler;
import eu.mlsysops.model.Component;
import eu.mlsysops.orchestration.SpecChange;
import eu.mlsysops.protocol.Message;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Applies a cluster's placement commands to its slots (Nomad's single plan applier): deploys,
 * moves, spec changes, restarts, removals and scaling, each checked against the placement version
 * the plan was computed from. A replacement starts the new instance and lets the old one go only
 * once the new one runs. Owned by the cluster agent's loop: every entry point runs there, and so
 * do the continuations, since the nodes' reports that complete them arrive there.
 */
final class PlacementApplier {
  /** What applying changes outside the slots: nodes to tell, events to publish, apps to show. */
  interface Effects {
    /** Sends a node its complete desired state. */
    void push(String node);

    void event(String kind, String message);

    /** The app's effective descriptor changed (counts, spec): its policies must see it. */
    void appChanged(String app);
  }

  private final String cluster;
  private final AgentLoop loop;
  private final ClusterMembership members;
  private final AssignedApps apps;
  private final InstanceSlots slots;
  private final CrashLoops crashLoops;
  private final PlacementVersion version;
  private final PlanScheduler scheduler;
  private final ScheduledExecutorService timers;
  private final Clock clock;
  private final Duration startTimeout;
  private final Effects effects;
  /** Commands waiting for an instance to run, by instance id. */
  private final Map<String, CompletableFuture<ApplyResult>> waiters = new HashMap<>();
  /** app/component → the id of its unfinished spec-rollout plan. */
  private final Map<String, String> rollouts = new HashMap<>();

  PlacementApplier(String cluster, AgentLoop loop, ClusterMembership members, AssignedApps apps,
      InstanceSlots slots, CrashLoops crashLoops, PlacementVersion version, PlanScheduler scheduler,
      ScheduledExecutorService timers, Clock clock, Duration startTimeout, Effects effects) {
    this.cluster = Objects.requireNonNull(cluster);
    this.loop = Objects.requireNonNull(loop);
    this.members = Objects.requireNonNull(members);
    this.apps = Objects.requireNonNull(apps);
    this.slots = Objects.requireNonNull(slots);
    this.crashLoops = Objects.requireNonNull(crashLoops);
    this.version = Objects.requireNonNull(version);
    this.scheduler = Objects.requireNonNull(scheduler);
    this.timers = Objects.requireNonNull(timers);
    this.clock = Objects.requireNonNull(clock);
    this.startTimeout = Objects.requireNonNull(startTimeout);
    this.effects = Objects.requireNonNull(effects);
  }

  /** Runs {@code step} on the loop (at once when already there) and follows what it returns. */
  private <T> CompletionStage<T> onLoop(Supplier<CompletionStage<T>> step) {
    return loop.call(step).thenCompose(s -> s);
  }

  private static CompletionStage<ApplyResult> done(ApplyResult r) {
    return CompletableFuture.completedFuture(r);
  }

  private String notHere(String app, String component) {
    return app + "/" + component + " is not assigned to cluster " + cluster;
  }

  CompletionStage<ApplyResult> deploy(Command c, String app, String component, int index,
      String node) {
    return onLoop(() -> {
      String problem = checkTarget(app, component, node);
      if (problem != null) {
        return done(ApplyResult.failure(problem));
      }
      InstanceSlots.Slot s = slots.get(app, component, index);
      if (s != null) {
        return done(ApplyResult.success(s.instanceId + " already placed on " + s.node));
      }
      String stale = version.admit(c);
      if (stale != null) {
        return done(ApplyResult.stale(stale));
      }
      version.committed(c);
      String id = InstanceIds.of(app, component, index, 0);
      slots.add(new InstanceSlots.Key(app, component, index), id, node,
          apps.specOf(app, component));
      CompletableFuture<ApplyResult> running = new CompletableFuture<>();
      waiters.put(id, running);
      effects.push(node);
      return timeout(running, id, node);
    });
  }

  CompletionStage<ApplyResult> move(Command c, String app, String component, int index,
      String to) {
    return onLoop(() -> {
      String problem = checkTarget(app, component, to);
      if (problem != null) {
        return done(ApplyResult.failure(problem));
      }
      InstanceSlots.Slot s = slots.get(app, component, index);
      if (s == null) {
        return done(ApplyResult.failure(
            "no instance " + index + " of " + app + "/" + component + " to move"));
      }
      if (s.node.equals(to)) {
        return done(ApplyResult.success("already on " + to));
      }
      String stale = version.admit(c);
      if (stale != null) {
        return done(ApplyResult.stale(stale));
      }
      version.committed(c);
      Replacement r = beginReplacement(s, to);
      return finishReplacement(r).thenApply(result -> result.isSuccess()
          ? ApplyResult.success("moved " + app + "/" + component + "#" + index + " from "
              + r.from() + (r.fromLost() ? " (lost)" : "") + " to " + to)
          : result);
    });
  }

  /** Sets the number of instances of a component: placement policies then add or remove some. */
  CompletionStage<ApplyResult> scale(String app, String component, int instances) {
    return onLoop(() -> {
      if (!apps.has(app, component)) {
        return done(ApplyResult.failure(notHere(app, component)));
      }
      if (!apps.setInstances(app, component, instances)) {
        return done(ApplyResult.success(app + "/" + component + " already at " + instances));
      }
      version.bump();
      effects.appChanged(app);
      return done(ApplyResult.success(
          app + "/" + component + " scaled to " + instances + " instance(s)"));
    });
  }

  /**
   * Changes a component's spec: the change is stored with the cluster's state, so later instances
   * and a restarted agent use it, then each instance (or the one of {@code index}, when not
   * negative) is replaced on its node, one at a time: the new one starts, and the old one stops
   * once the new one runs, so the component never has fewer running instances than before. An
   * instance whose node is unreachable keeps its spec until it is placed again.
   */
  CompletionStage<ApplyResult> changeSpec(Command c, String app, String component, int index,
      SpecChange change) {
    return onLoop(() -> {
      Component base = apps.assigned(app, component);
      if (base == null) {
        return done(ApplyResult.failure(notHere(app, component)));
      }
      String stale = version.admit(c);
      if (stale != null) {
        return done(ApplyResult.stale(stale));
      }
      SpecChange merged;
      try {
        merged = apps.changeSpec(app, base, change);
      } catch (IllegalArgumentException e) {
        return done(ApplyResult.failure(e.getMessage()));
      }
      version.committed(c);
      effects.appChanged(app);
      return roll(app, component, index, true,
          "spec of " + app + "/" + component + " (" + merged.describe() + ") changed");
    });
  }

  /**
   * Replaces a component's instances (or the one of {@code index}, when not negative) on their
   * nodes with instances of its current spec, one at a time, each new one running before the old
   * one stops.
   *
   * @param outdatedOnly replace only instances started from an older spec than the component's
   */
  CompletionStage<ApplyResult> restart(String app, String component, int index,
      boolean outdatedOnly) {
    return onLoop(() -> !apps.has(app, component)
        ? done(ApplyResult.failure(notHere(app, component)))
        : roll(app, component, index, outdatedOnly, outdatedOnly
            ? "rollout of " + app + "/" + component + "'s new spec"
            : "restart of " + app + "/" + component));
  }

  CompletionStage<ApplyResult> remove(String app, String component, int index) {
    return onLoop(() -> {
      InstanceSlots.Slot s = slots.remove(new InstanceSlots.Key(app, component, index));
      if (s == null) {
        return done(ApplyResult.success("nothing to remove"));
      }
      version.bump();
      effects.push(s.node);
      if (s.previousNode != null) {
        effects.push(s.previousNode);
      }
      return done(ApplyResult.success("removed " + s.instanceId));
    });
  }

  /** Whether the slot should not be rolled to {@code spec} now (a crash loop's back-off). */
  private boolean waits(InstanceSlots.Slot s, String spec, long now) {
    return crashLoops.holds(s.key, now) || crashLoops.rolloutHolds(s.key, spec, now);
  }

  private CompletionStage<ApplyResult> roll(String app, String component, int index,
      boolean outdatedOnly, String why) {
    String current = apps.specOf(app, component);
    long now = clock.millis();
    List<Integer> targets = slots.all().stream()
        .filter(s -> s.app().equals(app) && s.component().equals(component))
        .filter(s -> index < 0 || s.index() == index)
        .filter(s -> !outdatedOnly || s.isOutdated(current) && !waits(s, current, now))
        .map(InstanceSlots.Slot::index).sorted().toList();
    List<String> replaced = new ArrayList<>();
    CompletionStage<ApplyResult> chain = done(ApplyResult.success(""));
    for (int i : targets) {
      chain = chain.thenCompose(prev -> !prev.isSuccess()
          ? done(prev)
          : respec(app, component, i, outdatedOnly).thenApply(r -> {
            if (r.isSuccess() && !r.reason().isEmpty()) {
              replaced.add(r.reason());
            }
            return r;
          }));
    }
    effects.event("instance", why + "; replacing " + targets.size()
        + " instance(s) one at a time");
    return chain.thenApply(r -> r.isSuccess()
        ? ApplyResult.success(why + "; replaced "
            + (replaced.isEmpty() ? "nothing" : String.join(", ", replaced)))
        : new ApplyResult(r.outcome(), why + ", but " + r.reason()));
  }

  /** Replaces one slot's instance on its own node with one of the component's current spec. */
  private CompletionStage<ApplyResult> respec(String app, String component, int index,
      boolean outdatedOnly) {
    return onLoop(() -> {
      InstanceSlots.Slot s = slots.get(app, component, index);
      ClusterMembership.Member n = s == null ? null : members.get(s.node);
      String spec = apps.specOf(app, component);
      if (s == null || n == null || !n.healthy()
          || outdatedOnly && (!s.isOutdated(spec) || waits(s, spec, clock.millis()))) {
        return done(ApplyResult.success(""));
      }
      Replacement r = beginReplacement(s, s.node);
      return finishReplacement(r).thenApply(result -> result.isSuccess()
          ? ApplyResult.success(r.oldId() + " → " + r.newId() + " on " + r.to())
          : new ApplyResult(result.outcome(), result.reason() + "; " + r.oldId() + " kept on "
              + r.from()));
    });
  }

  /**
   * Replaces instances started from an older spec than their component's (after a new descriptor
   * from the continuum, or on start after a crash in the middle of a change), through a core
   * {@code placement restart outdated=true} plan per component, so it is serialised with the
   * component's other placement commands and recorded like them. A slot in a crash loop waits
   * for its back-off to end (or for a new descriptor, once given up): a new spec that cannot start
   * is not rolled out again and again.
   */
  void rollOutdated(Predicate<String> ofApp) {
    loop.checkInLoop();
    long now = clock.millis();
    Map<String, String> plans = new LinkedHashMap<>();
    Map<String, String> current = new HashMap<>();
    Map<String, String[]> names = new HashMap<>();
    for (InstanceSlots.Slot s : slots.all()) {
      String key = s.app() + "/" + s.component();
      if (ofApp.test(s.app()) && !plans.containsKey(key) && !rollouts.containsKey(key)
          && !waits(s, current.computeIfAbsent(key, k -> apps.specOf(s.app(), s.component())),
              now) && s.isOutdated(current.computeIfAbsent(key, k -> apps.specOf(s.app(), s.component())))) {
        // Named before it is submitted: a plan that finishes at once must find its entry.
        String id = "spec-rollout-" + UUID.randomUUID();
        rollouts.put(key, id);
        plans.put(key, id);
        names.put(key, new String[] {s.app(), s.component()});
      }
    }
    plans.forEach((key, id) -> {
      String app = names.get(key)[0];
      scheduler.submit(new PlanRequest(id, "spec-rollout", app, true, Plan.of(
          new PlacementCommand.Restart(new ComponentId(app, names.get(key)[1]), -1, true)
              .toCommand(),
          "the spec of " + key + " changed; its instances are replaced one at a time",
          Map.of())));
    });
  }

  /** A finished plan: if it was a rollout, another may be due (see {@link #rollOutdated}). */
  boolean rolloutFinished(String planId) {
    loop.checkInLoop();
    return rollouts.values().remove(planId);
  }

  /**
   * A node's report of an instance: completes the command waiting for it to run.
   *
   * @return whether a command was waiting for it
   */
  boolean reported(Message.InstanceReport r) {
    loop.checkInLoop();
    CompletableFuture<ApplyResult> w = waiters.get(r.instanceId());
    if (w == null) {
      return false;
    }
    if (InstancePhase.RUNNING.is(r.state())) {
      waiters.remove(r.instanceId());
      w.complete(ApplyResult.success(r.instanceId() + " running on " + r.node()));
    } else if (InstancePhase.FAILED.is(r.state())) {
      waiters.remove(r.instanceId());
      w.complete(ApplyResult.failure(
          r.instanceId() + " failed on " + r.node() + ": " + r.reason()));
    }
    return true;
  }

  /** Answers commands still waiting for instances of a removed app. */
  void appRemoved(String app) {
    loop.checkInLoop();
    List<CompletableFuture<ApplyResult>> failed = new ArrayList<>();
    waiters.entrySet().removeIf(e -> {
      if (e.getKey().startsWith(app + "/")) {
        failed.add(e.getValue());
        return true;
      }
      return false;
    });
    failed.forEach(f -> f.complete(ApplyResult.failure("app " + app + " was removed")));
  }

  /** A slot's instance being replaced by its next generation. */
  private record Replacement(InstanceSlots.Key slot, String from, String oldId, String to,
      String newId, boolean fromLost, String oldSpec, CompletableFuture<ApplyResult> started) {}

  /**
   * The slot's next generation goes to {@code to}; the old instance stays in the desired state
   * until the new one runs (unless its node is lost).
   */
  private Replacement beginReplacement(InstanceSlots.Slot s, String to) {
    String from = s.node;
    String oldId = s.instanceId;
    ClusterMembership.Member fromNode = members.get(from);
    boolean fromLost = fromNode == null || slots.lost(fromNode, s.app(), clock.millis());
    s.generation++;
    String newId = InstanceIds.of(s.app(), s.component(), s.index(), s.generation);
    s.previousInstanceId = fromLost ? null : oldId;
    s.previousNode = fromLost ? null : from;
    if (fromLost && fromNode != null) {
      // The original may still run, cut off; on heal the disconnect policy decides.
      s.lostInstanceId = oldId;
      s.lostNode = from;
    }
    s.instanceId = newId;
    s.node = to;
    String previousSpec = s.spec;
    s.spec = apps.specOf(s.app(), s.component());
    slots.save(s);
    CompletableFuture<ApplyResult> started = new CompletableFuture<>();
    waiters.put(newId, started);
    slots.replacing(newId);
    return new Replacement(s.key, from, oldId, to, newId, fromLost, previousSpec, started);
  }

  /**
   * Tells the nodes, waits for the new instance, then lets the old one go; if the new one did not
   * come up, the slot goes back to the old one (unless its node is lost).
   */
  private CompletionStage<ApplyResult> finishReplacement(Replacement r) {
    effects.push(r.to());
    if (r.fromLost()) {
      effects.push(r.from());
    }
    return timeout(r.started(), r.newId(), r.to()).thenCompose(result -> loop.call(() -> {
      slots.replaced(r.newId());
      InstanceSlots.Slot s = slots.get(r.slot().app(), r.slot().component(), r.slot().index());
      version.bump();
      if (s != null && r.newId().equals(s.instanceId)) {
        if (!result.isSuccess() && !r.fromLost()) {
          // The new instance did not come up: keep serving from the old one.
          s.instanceId = r.oldId();
          s.node = r.from();
          s.spec = r.oldSpec();
        }
        if (result.isSuccess() || !r.fromLost()) {
          s.previousInstanceId = null;
          s.previousNode = null;
        }
        slots.save(s);
      }
      effects.push(r.from());
      if (!r.to().equals(r.from())) {
        effects.push(r.to());
      }
      return result;
    }));
  }

  private String checkTarget(String app, String component, String node) {
    if (!apps.has(app, component)) {
      return notHere(app, component);
    }
    ClusterMembership.Member n = members.get(node);
    if (n == null) {
      return "node \"" + node + "\" is not in cluster " + cluster;
    }
    return n.healthy() ? null : "node " + node + " is unreachable";
  }

  /** Fails the command if the instance does not run within the start timeout. */
  private CompletionStage<ApplyResult> timeout(CompletableFuture<ApplyResult> f,
      String instanceId, String node) {
    long ms = startTimeout.toMillis();
    timers.schedule(() -> loop.execute(() -> {
      waiters.remove(instanceId, f);
      f.complete(ApplyResult.retriable(
          instanceId + " did not start on " + node + " within " + ms + " ms"));
    }), ms, TimeUnit.MILLISECONDS);
    return f;
  }
}
