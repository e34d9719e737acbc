package eu.mlsysops.agent.engine;

import eu.mlsysops.agent.ApplyResult;
import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.Mechanism;
import eu.mlsysops.agent.SystemView;
import eu.mlsysops.agent.plan.PlanScheduler;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.telemetry.MetricStore;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** A policy engine wired to a recording mechanism named "knob" (shared by engine and control tests). */
public final class EngineFixture implements AutoCloseable {
  public final ScheduledExecutorService timers = Executors.newScheduledThreadPool(1);
  public final ExecutorService workers = Executors.newFixedThreadPool(2);
  public final MetricStore store = MetricStore.withDefaults(Clock.systemUTC());
  public final PlanScheduler scheduler = PlanScheduler.builder("test").build();
  /** What policies' {@code view.ml()} answers with (none by default). */
  public volatile eu.mlsysops.agent.MlConnector ml = eu.mlsysops.agent.MlConnector.none();
  public final List<Command> applied = new CopyOnWriteArrayList<>();
  public final List<AppDescriptor> apps = new CopyOnWriteArrayList<>();
  public final PolicyEngine engine;

  public EngineFixture() {
    scheduler.register(new Mechanism() {
      @Override
      public String name() {
        return "knob";
      }

      @Override
      public Map<String, Object> options() {
        return Map.of();
      }

      @Override
      public Map<String, Object> state() {
        return Map.of();
      }

      @Override
      public boolean exclusive() {
        return false;
      }

      @Override
      public String conflictKey(Command c) {
        return c.args().toString();
      }

      @Override
      public CompletionStage<ApplyResult> apply(Command command) {
        applied.add(command);
        return CompletableFuture.completedFuture(ApplyResult.success("ok"));
      }
    });
    engine = new PolicyEngine("test", Clock.systemUTC(), store, scheduler, new ViewSource() {
      @Override
      public List<AppDescriptor> apps() {
        return apps;
      }

      @Override
      public SystemView system() {
        return new SystemView("test", List.of(), List.of());
      }

      @Override
      public eu.mlsysops.agent.MlConnector ml() {
        return ml;
      }
    }, timers, workers);
  }

  @Override
  public void close() {
    engine.close();
    scheduler.close();
    timers.shutdownNow();
    workers.shutdownNow();
  }
}
