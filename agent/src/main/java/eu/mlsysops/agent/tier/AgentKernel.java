package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.engine.PolicyEngine;
import eu.mlsysops.agent.engine.ViewSource;
import eu.mlsysops.agent.kernel.AgentLoop;
import eu.mlsysops.agent.plan.PlanRecord;
import eu.mlsysops.agent.plan.PlanScheduler;
import eu.mlsysops.telemetry.MetricStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * What every tier's agent is built on, wired once: its event loop, plan scheduler (with the
 * process's plan log), policy engine over its metric store, health metrics, the timers that post
 * to its loop, and the events it publishes. A tier adds only its roles: its state, its mechanisms
 * and policies, and how it talks to its parent and children.
 */
final class AgentKernel {
  /** How long a caller waits for the loop (a generous ceiling: the loop answers in microseconds). */
  static final long CALL_TIMEOUT_SECONDS = 60;

  private final String id;
  private final AgentEnvironment env;
  private final AgentLoop loop;
  private final PlanScheduler scheduler;
  private final PolicyEngine engine;
  private final AgentHealth health;
  private final List<ScheduledFuture<?>> timers = new ArrayList<>();

  /**
   * @param tier the tier's name in health metrics ({@code node}, {@code cluster}, {@code continuum})
   * @param store the agent's metric store (policies query it; health is recorded in it)
   * @param views what the agent's policies read
   * @param uplinkDropped samples the agent dropped on the way to its parent
   */
  AgentKernel(String id, String tier, AgentEnvironment env, MetricStore store, ViewSource views,
      LongSupplier uplinkDropped) {
    this.id = Objects.requireNonNull(id);
    this.env = Objects.requireNonNull(env);
    this.loop = new AgentLoop(id, env.workers());
    this.scheduler = PlanScheduler.builder(id).clock(env.clock()).log(env.planLog())
        .shared(env.timers(), env.workers()).build();
    this.engine = new PolicyEngine(id, env.clock(), store, scheduler, withModels(views, env),
        env.timers(), env.workers());
    // The connector is shared by every agent of the process: its failures are counted once, by
    // the continuum agent that lives beside it.
    this.health = new AgentHealth(id, tier, store, engine, scheduler, uplinkDropped,
        tier.equals("continuum") ? env.ml()::failures : null);
    scheduler.onTransition(this::onPlan);
  }

  /** The tier's views, with the environment's models as {@code view.ml()}. */
  private static ViewSource withModels(ViewSource views, AgentEnvironment env) {
    return new ViewSource() {
      @Override
      public List<eu.mlsysops.model.AppDescriptor> apps() {
        return views.apps();
      }

      @Override
      public eu.mlsysops.agent.SystemView system() {
        return views.system();
      }

      @Override
      public List<eu.mlsysops.agent.PolicyView.Request> requests() {
        return views.requests();
      }

      @Override
      public eu.mlsysops.agent.MlConnector ml() {
        return env.ml();
      }
    };
  }

  AgentLoop loop() {
    return loop;
  }

  PlanScheduler scheduler() {
    return scheduler;
  }

  PolicyEngine engine() {
    return engine;
  }

  AgentEnvironment env() {
    return env;
  }

  /**
   * Starts the plan scheduler and the health metrics (recorded after {@code firstHealthMillis},
   * then every {@code healthMillis}).
   *
   * @param resumePlans whether plans the agent accepted before a restart are taken up again
   */
  void start(long firstHealthMillis, long healthMillis, boolean resumePlans) {
    scheduler.start();
    if (resumePlans) {
      PlanResumption.resume(scheduler, env.planLog(), id, env.events(), env.clock());
    }
    synchronized (timers) {
      timers.add(env.timers().scheduleAtFixedRate(() -> health.record(env.clock().millis()),
          firstHealthMillis, healthMillis, TimeUnit.MILLISECONDS));
    }
  }

  /** Posts {@code event} to the loop every {@code periodMillis} until the agent stops. */
  void every(long periodMillis, Runnable event) {
    synchronized (timers) {
      timers.add(loop.every(env.timers(), Math.max(1, periodMillis), event));
    }
  }

  /** Something that happened, for people (the event stream, {@code mls events}). */
  void event(String kind, String message) {
    env.events().publish(new AgentEvent(env.clock().millis(), id, kind, message));
  }

  private void onPlan(PlanRecord r) {
    health.planFinished(r);
    if (r.status().isTerminal()) {
      env.events().publish(new AgentEvent(r.updatedMillis(), id, "plan", PlanText.describe(r)));
    }
  }

  /** Waits for the loop's answer; what the event threw unchecked is thrown here as it was. */
  <T> T await(CompletableFuture<T> answer, String what) {
    try {
      return answer.get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(id + ": could not " + what + ": " + e.getCause(),
          e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(id + ": could not " + what + ": no answer from the "
          + "agent's loop within " + CALL_TIMEOUT_SECONDS + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(id + ": interrupted while it was to " + what, e);
    }
  }

  /**
   * Stops timers, policies and plans, then closes the loop with {@code last} as its final event
   * (closing the agent's store, say): events queued before it still run, and should see the
   * agent stopped.
   */
  void close(Runnable last) {
    synchronized (timers) {
      timers.forEach(f -> f.cancel(false));
      timers.clear();
    }
    engine.close();
    scheduler.close();
    if (loop.inLoop()) {
      throw new IllegalStateException(id + ": an agent cannot close itself from its own loop");
    }
    try {
      await(loop.call(() -> {
        loop.close();
        last.run();
        return null;
      }), "close");
    } catch (IllegalStateException e) {
      last.run(); // the loop's executor stopped first (or is stuck): nothing more to wait for
    }
  }
}
