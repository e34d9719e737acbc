package eu.mlsysops.agent.tier;

/** Receives agent events; must return quickly. */
@FunctionalInterface
public interface EventSink {
  void publish(AgentEvent event);

  /** A sink that drops everything. */
  static EventSink none() {
    return e -> {};
  }
}
