package eu.mlsysops.orchestration;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Runs component instances on one node. Implementations: the simulated runtime (default of
 * {@code mls up}), local processes, Kubernetes. All methods are non-blocking; outcomes arrive as
 * completions and as status changes.
 */
public interface Runtime {

  /** The node this runtime runs instances on. */
  String nodeName();

  /**
   * Starts an instance. Idempotent by {@link InstanceSpec#instanceId()}: starting an instance that
   * already runs completes with its current status and starts nothing.
   */
  CompletionStage<InstanceStatus> start(InstanceSpec spec);

  /** Stops an instance; stopping an unknown or stopped instance completes normally. */
  CompletionStage<Void> stop(String instanceId);

  /** Snapshot of the instances this runtime knows, in any state. */
  List<InstanceStatus> instances();

  /** Registers a listener told about every state change of every instance. */
  void onStatusChange(Consumer<InstanceStatus> listener);
}
