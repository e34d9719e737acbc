package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.plan.PlanRecord;
import eu.mlsysops.agent.plan.PlanStatus;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.security.TrustChange;
import eu.mlsysops.security.TrustEngine;
import eu.mlsysops.telemetry.Sample;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Feeds a {@link TrustEngine} from what cluster agents observe ({@link NodeObserver}) and from the
 * plans node agents run, and turns its level changes into agent events.
 */
final class TrustFeed implements NodeObserver {
  /** Nodes below this trust get no new instances unless configured otherwise: low trust. */
  static final double DEFAULT_THRESHOLD = 0.5;

  private final TrustEngine trust;
  private final java.util.concurrent.atomic.AtomicLong telemetryErrors =
      new java.util.concurrent.atomic.AtomicLong();

  TrustFeed(TrustEngine trust) {
    this.trust = Objects.requireNonNull(trust);
  }

  @Override
  public void registered(String claimedName, NodeDescriptor descriptor, String cluster) {
    trust.registered(claimedName, descriptor, cluster, Optional.empty());
  }

  @Override
  public void heartbeat(String node) {
    trust.heartbeat(node);
  }

  @Override
  public void unreachable(String node, String why) {
    trust.unreachable(node, why);
  }

  @Override
  public void instanceFailed(String node, String instanceId, String reason) {
    trust.instanceFailed(node, instanceId, reason);
  }

  @Override
  public void forgotten(String node) {
    trust.forget(node);
  }

  @Override
  public void telemetry(Sample sample) {
    // On the cluster's ingest path: a trust problem is counted and logged once, never thrown.
    try {
      trust.telemetry(sample);
    } catch (RuntimeException e) {
      if (telemetryErrors.getAndIncrement() == 0) {
        System.getLogger(TrustFeed.class.getName()).log(System.Logger.Level.WARNING,
            "trust engine failed on a sample of " + sample.metric() + " (logged once): " + e, e);
      }
    }
  }

  /** Samples the trust engine failed on. */
  long telemetryErrors() {
    return telemetryErrors.get();
  }

  /** A node agent's plan listener: its failed plans count against the node. */
  Consumer<PlanRecord> planFailures(String node) {
    return r -> {
      if (r.status() == PlanStatus.FAILED) {
        trust.planFailed(node, r.policy(), r.reason());
      }
    };
  }

  /** The event of a level change: kind {@code trust}, from the node. */
  static AgentEvent event(TrustChange c) {
    return new AgentEvent(c.trust().atMillis(), c.node(), "trust",
        "node " + c.node() + " trust " + c.from().wireName() + " → " + c.to().wireName() + ": "
            + c.trust().explain());
  }
}
