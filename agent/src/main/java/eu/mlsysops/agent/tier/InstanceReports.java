package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.InstancePhase;
import eu.mlsysops.agent.kernel.AgentLoop;
import eu.mlsysops.protocol.Link;
import eu.mlsysops.protocol.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * What a cluster agent makes of its nodes' instance reports and of its placement policy's word on
 * what it cannot place: slots observe each report, a replacement orphaned by a restart is
 * finished, a failure is attributed (to the app unless the node is at fault) and backs its slot
 * off, and changed states go up to the continuum. What follows (events, pushes, waking policies)
 * goes through {@link Effects}. Owned by the cluster agent's loop.
 */
final class InstanceReports {
  /** What the cluster agent does about what the reports say. */
  interface Effects {
    void event(String kind, String message);

    /** Tells a node its desired state again (a slot it runs changed). */
    void push(String node);

    /** Something policies and readers see changed: republish before anyone is woken. */
    void changed();

    /** Instances of {@code apps} changed state (reported up already): wake their policies. */
    void statusChanged(List<String> apps);

    /** A node's failures count against it (other apps failed there too). */
    void nodeAtFault(Message.InstanceReport report);

    /** An instance no longer runs where it ran: its series end. */
    void ended(String instanceId);
  }

  private final AgentLoop loop;
  private final InstanceSlots slots;
  private final PlacementApplier applier;
  private final CrashLoops crashLoops;
  private final FailureAttribution failures;
  private final AssignedApps apps;
  private final UnschedulableInstances unschedulable;
  private final Link up;
  private final String cluster;
  private final LongSupplier clock;
  private final Effects effects;

  InstanceReports(String cluster, AgentLoop loop, InstanceSlots slots, PlacementApplier applier,
      CrashLoops crashLoops, FailureAttribution failures, AssignedApps apps,
      UnschedulableInstances unschedulable, Link up, LongSupplier clock,
      Effects effects) {
    this.cluster = Objects.requireNonNull(cluster);
    this.loop = Objects.requireNonNull(loop);
    this.slots = Objects.requireNonNull(slots);
    this.applier = Objects.requireNonNull(applier);
    this.crashLoops = Objects.requireNonNull(crashLoops);
    this.failures = Objects.requireNonNull(failures);
    this.apps = Objects.requireNonNull(apps);
    this.unschedulable = Objects.requireNonNull(unschedulable);
    this.up = Objects.requireNonNull(up);
    this.clock = Objects.requireNonNull(clock);
    this.effects = Objects.requireNonNull(effects);
  }

  /** A node's status report: every instance it runs, or those that changed. */
  void status(Message.StatusReport sr) {
    loop.checkInLoop();
    List<Message.InstanceReport> changedReports = new ArrayList<>();
    for (Message.InstanceReport r : sr.instances()) {
      Message.InstanceReport prev = slots.observe(r);
      boolean stateChanged = prev == null || !prev.state().equals(r.state());
      if (stateChanged) {
        changedReports.add(r);
        effects.changed();
      }
      if (!applier.reported(r) && stateChanged) {
        follow(slots.finishOrphanedReplacement(r));
      }
    }
    long now = clock.getAsLong();
    for (Message.InstanceReport r : changedReports) {
      if (InstancePhase.of(r.state()).endsTelemetry()) {
        effects.ended(r.instanceId());
      }
      if (InstancePhase.RUNNING.is(r.state()) || InstancePhase.FAILED.is(r.state())) {
        effects.event("instance", r.instanceId() + " " + r.state().toLowerCase() + " on "
            + r.node() + (r.reason().isEmpty() ? "" : " (" + r.reason() + ")"));
      }
      // Any generation: a replacement that failed put the slot back on the instance before it.
      InstanceSlots.Slot slot = slots.of(r);
      if (InstancePhase.RUNNING.is(r.state()) && slot != null) {
        crashLoops.running(slot.key, now);
      } else if (InstancePhase.FAILED.is(r.state())) {
        failed(r, slot, now);
      }
    }
    if (!changedReports.isEmpty()) {
      up.send(new Message.StatusReport(cluster, changedReports, false));
      effects.statusChanged(
          changedReports.stream().map(Message.InstanceReport::app).distinct().toList());
    }
  }

  /**
   * A registration's word on an instance, which may be the first of a replacement's new instance
   * after a restart of this agent: later reports then look unchanged.
   */
  void registeredWith(Message.InstanceReport ir) {
    loop.checkInLoop();
    Message.InstanceReport prev = slots.observe(ir);
    if (prev == null || !prev.state().equals(ir.state())) {
      follow(slots.finishOrphanedReplacement(ir));
    }
  }

  /** The placement policy's latest word on what it cannot place; reported up as it changes. */
  void unschedulable(String app, Map<String, String> byInstance) {
    loop.checkInLoop();
    if (!apps.has(app) || !unschedulable.update(app, byInstance)) {
      return;
    }
    effects.changed();
    List<Message.InstanceReport> reports =
        unschedulable.reports(app, slots::has, clock.getAsLong());
    if (!reports.isEmpty()) {
      up.send(new Message.StatusReport(cluster, reports, false));
    }
  }

  /** A slot moved on (a replacement finished, an instance came back): say so and push its node. */
  void follow(InstanceSlots.Followup f) {
    if (f != null) {
      effects.event("instance", f.message());
      effects.push(f.pushNode());
    }
  }

  /**
   * An instance failed: the app's fault unless other apps failed on that node too (then the
   * node's trust hears of it); the slot backs off before it is placed again, or gives up.
   */
  private void failed(Message.InstanceReport r, InstanceSlots.Slot slot, long now) {
    if (failures.nodeAtFault(r.node(), r.app(), now)) {
      effects.nodeAtFault(r);
    }
    if (slot == null) {
      return;
    }
    effects.changed();
    String where = r.app() + "/" + r.component() + "#" + slot.index();
    if (!r.instanceId().equals(slot.instanceId)
        && InstancePhase.RUNNING.is(slots.report(slot.instanceId, slot, now).state())) {
      // A replacement failed and the slot kept its running instance: the new spec's fault.
      CrashLoops.Loop l = crashLoops.rolloutFailed(slot.key,
          apps.specOf(slot.app(), slot.component()), r.reason(), now);
      effects.event("instance", where + ": its new spec " + l.describe(now).replace(
          "placed again", "rolled out again") + "; " + slot.instanceId + " keeps running");
      return;
    }
    CrashLoops.Loop l = crashLoops.failed(slot.key, r.reason(), now);
    effects.event("instance", where + ": " + l.describe(now));
  }
}
