package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.kernel.FailureDetector;
import java.time.Duration;

/**
 * Failure-detection and timing settings of cluster agents (and of the continuum watching its
 * clusters).
 *
 * @param heartbeatInterval how often nodes send heartbeats (and clusters report up)
 * @param missedHeartbeats intervals of silence before a peer can be unreachable; a peer whose
 *     heartbeats arrive irregularly gets longer ({@link FailureDetector})
 * @param lostGrace how long an unreachable node's instances wait before they are lost
 * @param startTimeout how long a new instance may take to run
 */
public record ClusterSettings(
    Duration heartbeatInterval, int missedHeartbeats, Duration lostGrace, Duration startTimeout) {
  /** 1 s heartbeats, 3 missed → unreachable, 2 s more → lost, 30 s to start an instance. */
  public static ClusterSettings defaults() {
    return new ClusterSettings(
        Duration.ofSeconds(1), 3, Duration.ofSeconds(2), Duration.ofSeconds(30));
  }

  /** How often silent peers are looked for: four times per heartbeat interval. */
  Duration detectionTick() {
    return Duration.ofMillis(Math.max(1, heartbeatInterval.toMillis() / 4));
  }
}
