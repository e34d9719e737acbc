package eu.mlsysops.kubernetes;

/** How a component instance's pod is tied to the node the placer chose. */
public enum Pinning {
  /**
   * {@code spec.nodeName}: the kubelet of that node runs the pod without asking the scheduler, so
   * taints, runtime-class scheduling and resource fit are not checked again (the placer did).
   */
  NODE_NAME,
  /** {@code spec.nodeSelector} on the node's hostname label; the scheduler still checks fit. */
  NODE_SELECTOR,
  /**
   * A required node affinity on the node's hostname label (the default): the scheduler checks fit,
   * and the pod explains itself in its events when the node can't take it.
   */
  NODE_AFFINITY
}
