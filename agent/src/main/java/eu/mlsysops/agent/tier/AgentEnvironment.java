package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.plan.PlanLog;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What agents share in one process: time, threads and where to keep state. Injected so that a
 * thousand simulated nodes share a handful of threads and tests control time.
 *
 * @param clock time source
 * @param timers periodic work (heartbeats, analysis intervals, failure detection)
 * @param workers policy analyses and mechanism work
 * @param events where agents report what happens, for people
 * @param planLog where every agent's plan transitions are recorded (one log per process: the
 *     records carry the agent's name)
 * @param dataDir where agents persist state (SQLite files)
 * @param ml the models policies reach through {@code view.ml()}
 * @param staleAfterIntervals after how many of its reporting intervals without a sample a series
 *     has stopped (its telemetry goes stale at every tier; 1 to 100)
 */
public record AgentEnvironment(
    Clock clock, ScheduledExecutorService timers, ExecutorService workers, EventSink events,
    PlanLog planLog, Path dataDir, eu.mlsysops.agent.MlConnector ml, int staleAfterIntervals) {
  /** What {@link #staleAfterIntervals} is unless configured. */
  public static final int DEFAULT_STALE_AFTER_INTERVALS = 2;

  public AgentEnvironment {
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(timers, "timers");
    Objects.requireNonNull(workers, "workers");
    Objects.requireNonNull(events, "events");
    Objects.requireNonNull(planLog, "planLog");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(ml, "ml");
    if (staleAfterIntervals < 1 || staleAfterIntervals > 100) {
      throw new IllegalArgumentException("stale_after_intervals: must be 1 to 100, got "
          + staleAfterIntervals);
    }
  }

  /** With the default {@link #staleAfterIntervals}. */
  public AgentEnvironment(Clock clock, ScheduledExecutorService timers, ExecutorService workers,
      EventSink events, PlanLog planLog, Path dataDir, eu.mlsysops.agent.MlConnector ml) {
    this(clock, timers, workers, events, planLog, dataDir, ml, DEFAULT_STALE_AFTER_INTERVALS);
  }

  /** An environment whose policies reach no models. */
  public AgentEnvironment(Clock clock, ScheduledExecutorService timers, ExecutorService workers,
      EventSink events, PlanLog planLog, Path dataDir) {
    this(clock, timers, workers, events, planLog, dataDir, eu.mlsysops.agent.MlConnector.none());
  }
}
