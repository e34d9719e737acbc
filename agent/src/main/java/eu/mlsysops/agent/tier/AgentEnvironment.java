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
 */
public record AgentEnvironment(
    Clock clock, ScheduledExecutorService timers, ExecutorService workers, EventSink events,
    PlanLog planLog, Path dataDir, eu.mlsysops.agent.MlConnector ml) {
  public AgentEnvironment {
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(timers, "timers");
    Objects.requireNonNull(workers, "workers");
    Objects.requireNonNull(events, "events");
    Objects.requireNonNull(planLog, "planLog");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(ml, "ml");
  }

  /** An environment whose policies reach no models. */
  public AgentEnvironment(Clock clock, ScheduledExecutorService timers, ExecutorService workers,
      EventSink events, PlanLog planLog, Path dataDir) {
    this(clock, timers, workers, events, planLog, dataDir, eu.mlsysops.agent.MlConnector.none());
  }
}
