package eu.mlsysops.orchestration;

/** Lifecycle of one component instance on a node. */
public enum InstanceState {
  STARTING,
  RUNNING,
  FAILED,
  STOPPED;

  /** True for states the instance does not leave by itself. */
  public boolean isTerminal() {
    return this == FAILED || this == STOPPED;
  }
}
