package eu.mlsysops.agent.tier;

import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.telemetry.Sample;

/**
 * Hears what a {@link ClusterAgent} learns about its nodes: the evidence a trust or reputation
 * service needs. Called on the cluster agent's threads, outside its lock; must return quickly and
 * must not call back into the cluster agent. Every method does nothing unless overridden.
 */
public interface NodeObserver {

  /**
   * A node registered or re-registered.
   *
   * @param claimedName the name it registered under
   * @param descriptor the descriptor it sent
   * @param cluster the cluster it registered with
   */
  default void registered(String claimedName, NodeDescriptor descriptor, String cluster) {}

  /** A heartbeat from a registered node. */
  default void heartbeat(String node) {}

  /** The cluster marked the node unreachable. */
  default void unreachable(String node, String why) {}

  /** An instance on the node reported FAILED. */
  default void instanceFailed(String node, String instanceId, String reason) {}

  /** The node was unregistered. */
  default void forgotten(String node) {}

  /** A telemetry sample from one of the cluster's nodes (labelled with its {@code node}). */
  default void telemetry(Sample sample) {}
}
