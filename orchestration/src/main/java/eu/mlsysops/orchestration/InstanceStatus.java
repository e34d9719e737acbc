package eu.mlsysops.orchestration;

import java.util.Objects;

/** The observed state of one instance, with a human-readable reason for the latest change. */
public record InstanceStatus(
    String instanceId, String app, String component, String node, InstanceState state,
    String reason, long sinceMillis) {
  public InstanceStatus {
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(state, "state");
    reason = reason == null ? "" : reason;
  }
}
