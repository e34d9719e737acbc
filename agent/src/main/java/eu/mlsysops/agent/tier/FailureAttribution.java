package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.kernel.AgentLoop;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Whose fault a failed instance is. An app that cannot start (a bad command, a port taken) fails
 * on every node it is put on; counting that against each node's trust let one app's mistake mark a
 * whole cluster untrusted. So a failure counts against its node only with evidence that the node
 * is at fault: instances of at least {@link #DISTINCT_APPS} different apps failed there within
 * {@link #WINDOW}. Otherwise it is the app's ({@link CrashLoops}). Owned by the cluster agent's
 * loop.
 */
final class FailureAttribution {
  /** How far back failures on a node are remembered. */
  static final Duration WINDOW = Duration.ofMinutes(10);
  /** Apps that must have failed on one node before its failures count against it. */
  static final int DISTINCT_APPS = 2;
  /** Failures remembered per node (the oldest are dropped first). */
  private static final int MAX_PER_NODE = 64;

  private record Failure(String app, long atMillis) {}

  private final AgentLoop loop;
  private final Map<String, Deque<Failure>> byNode = new HashMap<>();

  FailureAttribution(AgentLoop loop) {
    this.loop = Objects.requireNonNull(loop);
  }

  /**
   * An instance of {@code app} failed on {@code node}.
   *
   * @return whether the node is at fault: other apps failed there recently too
   */
  boolean nodeAtFault(String node, String app, long nowMillis) {
    loop.checkInLoop();
    Deque<Failure> failures = byNode.computeIfAbsent(node, n -> new ArrayDeque<>());
    while (!failures.isEmpty()
        && (nowMillis - failures.peekFirst().atMillis() > WINDOW.toMillis()
            || failures.size() >= MAX_PER_NODE)) {
      failures.pollFirst();
    }
    failures.addLast(new Failure(app, nowMillis));
    return failures.stream().map(Failure::app).distinct().count() >= DISTINCT_APPS;
  }

  /** The node left: its failures are forgotten. */
  void forget(String node) {
    loop.checkInLoop();
    byNode.remove(node);
  }
}
