package eu.mlsysops.agent.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.Plan;
import eu.mlsysops.agent.Policy;
import eu.mlsysops.agent.PolicyContext;
import eu.mlsysops.agent.PolicyView;
import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.Sample;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PolicyEngineTest {
  private final EngineFixture f = new EngineFixture();

  @AfterEach
  void tearDown() {
    f.close();
  }

  /** Plans "knob set" with the latest value of metric m whenever it is above 10. */
  static final class Threshold implements Policy<Double> {

    @Override
    public PolicyContext initialize() {
      return PolicyContext.builder("threshold").metrics("m").analyzeInterval(Duration.ofHours(1)).build();
    }

    @Override
    public Optional<Double> analyze(PolicyView view) {
      double seen = view.telemetry().latest("m", Map.of()).orElse(0);
      return seen > 10 ? Optional.of(seen) : Optional.empty();
    }

    @Override
    public Plan plan(PolicyView view, Double seen) {
      return Plan.of(Command.of("knob", "set", "v", Double.toString(seen)), "above 10", Map.of());
    }
  }

  @Test
  void newSampleOfASubscribedMetricWakesThePolicyAndItsPlanIsApplied() {
    f.engine.add(Threshold::new, "test");
    f.store.append(new Sample("m", Labels.EMPTY, 1, 5));
    f.store.append(new Sample("m", Labels.EMPTY, 2, 42));

    await().atMost(5, TimeUnit.SECONDS).until(() -> !f.applied.isEmpty());
    assertThat(f.applied.get(f.applied.size() - 1).args()).containsEntry("v", "42.0");
  }

  @Test
  void policiesCanAskInPromQl() {
    // Two series each growing by 10 per second over the last 10 s: 20 per second in all.
    for (String pod : new String[] {"a", "b"}) {
      f.store.append(new Sample("requests_total", Labels.of("pod", pod), 10_000, 100));
      f.store.append(new Sample("requests_total", Labels.of("pod", pod), 20_000, 200));
    }
    f.engine.add(() -> new Policy<Double>() {

      @Override
      public PolicyContext initialize() {
        return PolicyContext.builder("rate").metrics("requests_total")
            .analyzeInterval(Duration.ofHours(1)).build();
      }

      @Override
      public Optional<Double> analyze(PolicyView view) {
        double rate = view.query().value("sum(irate(requests_total[1m]))", 20_000).orElse(0);
        return rate > 0 ? Optional.of(rate) : Optional.empty();
      }

      @Override
      public Plan plan(PolicyView view, Double rate) {
        return Plan.of(Command.of("knob", "set", "v", Double.toString(rate)), "busy", Map.of());
      }
    }, "test");

    await().atMost(5, TimeUnit.SECONDS).until(() -> !f.applied.isEmpty());
    assertThat(f.applied.get(f.applied.size() - 1).args()).containsEntry("v", "20.0");
  }

  @Test
  void aPeriodicAnalysisIsSkippedRightAfterASampleWokeThePolicy() {
    // The engine's periodic ticks, run by hand; analyses on the calling thread.
    java.util.List<Runnable> ticks = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.ScheduledThreadPoolExecutor timers =
        new java.util.concurrent.ScheduledThreadPoolExecutor(1) {
          @Override
          public java.util.concurrent.ScheduledFuture<?> scheduleAtFixedRate(
              Runnable command, long initialDelay, long period, TimeUnit unit) {
            ticks.add(command);
            return super.schedule(() -> { }, 1, TimeUnit.DAYS);
          }
        };
    java.util.List<String> triggers = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(1_000);
    java.time.Clock clock = new java.time.Clock() {
      @Override
      public long millis() {
        return now.get();
      }

      @Override
      public java.time.Instant instant() {
        return java.time.Instant.ofEpochMilli(now.get());
      }

      @Override
      public java.time.ZoneId getZone() {
        return java.time.ZoneOffset.UTC;
      }

      @Override
      public java.time.Clock withZone(java.time.ZoneId zone) {
        return this;
      }
    };
    PolicyEngine engine = new PolicyEngine("test", clock, f.store,
        f.scheduler, new ViewSource() {
          @Override
          public java.util.List<eu.mlsysops.model.AppDescriptor> apps() {
            return java.util.List.of();
          }

          @Override
          public eu.mlsysops.agent.SystemView system() {
            return new eu.mlsysops.agent.SystemView("test", java.util.List.of(),
                java.util.List.of());
          }
        }, timers, Runnable::run);
    try {
      engine.add(() -> new Policy<Void>() {
        @Override
        public PolicyContext initialize() {
          return PolicyContext.builder("p").metrics("m").analyzeInterval(Duration.ofSeconds(10))
              .build();
        }

        @Override
        public Optional<Void> analyze(PolicyView view) {
          triggers.add(view.trigger());
          return Optional.empty();
        }

        @Override
        public Plan plan(PolicyView view, Void nothing) {
          return Plan.empty();
        }
      }, "test");
      assertThat(ticks).hasSize(1);
      ticks.get(0).run(); // nothing analyzed it yet: the tick does
      f.store.append(new Sample("m", Labels.EMPTY, 1, 1));
      now.addAndGet(4_999);
      ticks.get(0).run(); // the sample did, under half an interval ago: skipped
      assertThat(triggers).containsExactly("interval", "m");
      now.addAndGet(1);
      ticks.get(0).run(); // half an interval without an analysis: the tick analyzes
      assertThat(triggers).containsExactly("interval", "m", "interval");
    } finally {
      engine.close();
      timers.shutdownNow();
    }
  }

  @Test
  void samplesOfOtherMetricsDoNotWakeThePolicy() throws Exception {
    AtomicInteger analyses = new AtomicInteger();
    f.engine.add(() -> new Policy<Void>() {
      @Override
      public PolicyContext initialize() {
        return PolicyContext.builder("p").metrics("m").analyzeInterval(Duration.ofHours(1)).build();
      }

      @Override
      public Optional<Void> analyze(PolicyView view) {
        analyses.incrementAndGet();
        return Optional.empty();
      }

      @Override
      public Plan plan(PolicyView view, Void nothing) {
        return Plan.empty();
      }
    }, "test");
    await().atMost(5, TimeUnit.SECONDS).until(() -> analyses.get() == 1); // the initial analysis
    for (int i = 0; i < 100; i++) {
      f.store.append(new Sample("other", Labels.EMPTY, i, i));
    }
    f.store.append(new Sample("m", Labels.EMPTY, 1, 1));
    await().atMost(5, TimeUnit.SECONDS).until(() -> analyses.get() == 2);
    assertThat(f.engine.status().get(0).analyses()).isEqualTo(2);
  }

  @Test
  void aBurstOfSamplesDuringAnAnalysisCausesOneMoreAnalysisNotOnePerSample() throws Exception {
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger analyses = new AtomicInteger();
    AtomicInteger concurrent = new AtomicInteger();
    AtomicInteger maxConcurrent = new AtomicInteger();
    f.engine.add(() -> new Policy<Void>() {
      @Override
      public PolicyContext initialize() {
        return PolicyContext.builder("slow").metrics("m").analyzeInterval(Duration.ofHours(1)).build();
      }

      @Override
      public Optional<Void> analyze(PolicyView view) {
        int c = concurrent.incrementAndGet();
        maxConcurrent.accumulateAndGet(c, Math::max);
        if (analyses.incrementAndGet() == 1) {
          inside.countDown();
          try {
            release.await(5, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        concurrent.decrementAndGet();
        return Optional.empty();
      }

      @Override
      public Plan plan(PolicyView view, Void nothing) {
        return Plan.empty();
      }
    }, "test");
    assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < 1000; i++) {
      f.store.append(new Sample("m", Labels.EMPTY, i, i));
    }
    release.countDown();

    await().atMost(5, TimeUnit.SECONDS).until(() -> analyses.get() == 2);
    await().during(300, TimeUnit.MILLISECONDS).atMost(2, TimeUnit.SECONDS)
        .until(() -> analyses.get() == 2);
    assertThat(maxConcurrent.get()).isEqualTo(1);
  }

  @Test
  void aPolicyThatThrowsIsCountedAndKeepsRunning() {
    AtomicInteger calls = new AtomicInteger();
    f.engine.add(() -> new Policy<Void>() {
      @Override
      public PolicyContext initialize() {
        return PolicyContext.builder("broken").metrics("m").analyzeInterval(Duration.ofHours(1)).build();
      }

      @Override
      public Optional<Void> analyze(PolicyView view) {
        calls.incrementAndGet();
        throw new IllegalStateException("bug in policy");
      }

      @Override
      public Plan plan(PolicyView view, Void nothing) {
        return Plan.empty();
      }
    }, "test");
    await().atMost(5, TimeUnit.SECONDS).until(() -> calls.get() == 1); // the initial analysis
    f.store.append(new Sample("m", Labels.EMPTY, 1, 1));
    await().atMost(5, TimeUnit.SECONDS).until(() -> calls.get() == 2);
    f.store.append(new Sample("m", Labels.EMPTY, 2, 1));
    await().atMost(5, TimeUnit.SECONDS).until(() -> calls.get() == 3);
    PolicyStatus s = f.engine.status().get(0);
    assertThat(s.errors()).isGreaterThanOrEqualTo(3);
    assertThat(s.lastError()).isEqualTo("IllegalStateException: bug in policy");
  }

  @Test
  void aPolicyWhoseInitializeFailsIsRejectedWithTheReason() {
    assertThatThrownBy(() -> f.engine.add(() -> new Policy<Void>() {
      @Override
      public PolicyContext initialize() {
        throw new IllegalArgumentException("missing setting");
      }

      @Override
      public Optional<Void> analyze(PolicyView view) {
        return Optional.empty();
      }

      @Override
      public Plan plan(PolicyView view, Void nothing) {
        return Plan.empty();
      }
    }, "policy-x.groovy"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("policy-x.groovy: initialize() failed: IllegalArgumentException: missing setting");
    assertThat(f.engine.status()).isEmpty();
  }

  @Test
  void removingAPolicyStopsIt() {
    f.engine.add(Threshold::new, "test");
    f.engine.remove("threshold");
    f.store.append(new Sample("m", Labels.EMPTY, 1, 99));
    await().during(300, TimeUnit.MILLISECONDS).atMost(2, TimeUnit.SECONDS)
        .until(f.applied::isEmpty);
    assertThat(f.engine.status()).isEmpty();
  }

  private static Policy<Void> counting(String name, PolicyContext.Mode mode, AtomicInteger calls) {
    return new Policy<Void>() {
      @Override
      public PolicyContext initialize() {
        return PolicyContext.builder(name).metrics("m").mode(mode)
            .analyzeInterval(Duration.ofHours(1)).build();
      }

      @Override
      public Optional<Void> analyze(PolicyView view) {
        calls.incrementAndGet();
        return Optional.empty();
      }

      @Override
      public Plan plan(PolicyView view, Void nothing) {
        return Plan.empty();
      }
    };
  }

  @Test
  void modeSwitchPausesThePoliciesOfTheOtherMode() {
    AtomicInteger heuristic = new AtomicInteger();
    AtomicInteger ml = new AtomicInteger();
    AtomicInteger any = new AtomicInteger();
    f.engine.add(() -> counting("h", PolicyContext.Mode.HEURISTIC, heuristic), "test");
    f.engine.add(() -> counting("m", PolicyContext.Mode.ML, ml), "test");
    f.engine.add(() -> counting("a", PolicyContext.Mode.ANY, any), "test");
    await().atMost(5, TimeUnit.SECONDS).until(() -> heuristic.get() == 1 && any.get() == 1);
    assertThat(ml.get()).isZero();

    f.engine.setMode(PolicyContext.Mode.ML);
    f.store.append(new Sample("m", Labels.EMPTY, 1, 1));

    await().atMost(5, TimeUnit.SECONDS).until(() -> ml.get() >= 1 && any.get() >= 2);
    assertThat(heuristic.get()).isEqualTo(1);
    assertThatThrownBy(() -> f.engine.setMode(PolicyContext.Mode.ANY))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * Counts what it learned from m's samples; analyze only reads the count, plan carries it. The
   * save fails the first time: counted as the policy's error, and the analysis still runs.
   */
  static final class Learning implements Policy<Integer> {
    final java.util.List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
    int learned;
    int saves;

    @Override
    public PolicyContext initialize() {
      return PolicyContext.builder("learning").metrics("m")
          .analyzeInterval(Duration.ofHours(1)).build();
    }

    @Override
    public boolean learn(PolicyView view) {
      calls.add("learn");
      if (view.telemetry().latest("m", Map.of()).isEmpty()) {
        return false;
      }
      learned++;
      return true;
    }

    @Override
    public void saveModel() throws java.io.IOException {
      calls.add("save");
      if (++saves == 1) {
        throw new java.io.IOException("disk full");
      }
    }

    @Override
    public Optional<Integer> analyze(PolicyView view) {
      calls.add("analyze");
      return learned > 0 ? Optional.of(learned) : Optional.empty();
    }

    @Override
    public Plan plan(PolicyView view, Integer analysis) {
      calls.add("plan");
      return Plan.of(Command.of("knob", "set", "v", Integer.toString(analysis)), "learned",
          Map.of());
    }
  }

  @Test
  void learningRunsBeforeAnalysisAndWhatItLearnedIsSavedOutsideIt() {
    Learning policy = new Learning();
    f.engine.add(() -> policy, "test");
    await().atMost(30, TimeUnit.SECONDS).until(() -> policy.calls.size() >= 2);
    assertThat(policy.calls).containsExactly("learn", "analyze"); // nothing learned yet

    f.store.append(new Sample("m", Labels.EMPTY, 1, 1));
    await().atMost(30, TimeUnit.SECONDS).until(() -> !f.applied.isEmpty());
    assertThat(policy.calls.subList(2, 6)).containsExactly("learn", "save", "analyze", "plan");
    assertThat(f.applied.get(0).args()).containsEntry("v", "1");
    PolicyStatus s = f.engine.status().get(0);
    assertThat(s.errors()).isEqualTo(1);
    assertThat(s.lastError()).isEqualTo("IOException: disk full");
  }

  @Test
  void whatModelsSaidForADecisionIsRecordedWithItsPlan() {
    java.util.List<eu.mlsysops.agent.plan.PlanRecord> records =
        new java.util.concurrent.CopyOnWriteArrayList<>();
    f.scheduler.onTransition(records::add);
    f.ml = new eu.mlsysops.agent.MlConnector() {
      @Override
      public Optional<Prediction> predict(String model, Map<String, Double> features) {
        return Optional.of(new Prediction(model, "3", 120.5, Map.of()));
      }

      @Override
      public Optional<Prediction> explain(String model, Map<String, Double> features) {
        return Optional.of(new Prediction(model, "3", 120.5, Map.of("cpu", 30.25, "fps", -2.0)));
      }
    };
    f.engine.add(() -> new Policy<Double>() {
      @Override
      public PolicyContext initialize() {
        return PolicyContext.builder("asks").analyzeInterval(Duration.ofHours(1)).build();
      }

      @Override
      public Optional<Double> analyze(PolicyView view) {
        return view.ml().predict("latency", Map.of("cpu", 0.9, "fps", 12.0))
            .map(eu.mlsysops.agent.MlConnector.Prediction::value);
      }

      @Override
      public Plan plan(PolicyView view, Double latency) {
        view.ml().explain("latency", Map.of("cpu", 0.9, "fps", 12.0));
        return Plan.of(Command.of("knob", "set", "v", "1"), "predicted " + latency,
            Map.of("own", "input"));
      }
    }, "test");

    await().atMost(30, TimeUnit.SECONDS).until(() -> !records.isEmpty());
    assertThat(records.get(0).inputs())
        .containsEntry("own", "input")
        .containsEntry("ml.latency", "v3 → 120.5")
        .containsEntry("ml.latency.features", "cpu=0.9, fps=12")
        .containsEntry("ml.latency#2", "v3 → 120.5")
        .containsEntry("ml.latency#2.contributions", "cpu=+30.25, fps=-2");
  }

  @Test
  void whatAPolicyObservedReachesTheModelsConnector() {
    java.util.List<String> observed = new java.util.concurrent.CopyOnWriteArrayList<>();
    f.ml = new eu.mlsysops.agent.MlConnector() {
      @Override
      public Optional<Prediction> predict(String model, Map<String, Double> features) {
        return Optional.empty();
      }

      @Override
      public void observe(String model, Map<String, Double> features, double actual) {
        observed.add(model + " " + features + " " + actual);
      }
    };
    f.engine.add(() -> new Policy<Boolean>() {
      @Override
      public PolicyContext initialize() {
        return PolicyContext.builder("reports").analyzeInterval(Duration.ofHours(1)).build();
      }

      @Override
      public Optional<Boolean> analyze(PolicyView view) {
        view.ml().observe("latency", Map.of("cpu", 0.9), 131.0); // what the last plan led to
        return Optional.empty();
      }

      @Override
      public Plan plan(PolicyView view, Boolean nothing) {
        return Plan.empty();
      }
    }, "test");

    await().atMost(30, TimeUnit.SECONDS).until(() -> !observed.isEmpty());
    assertThat(observed.get(0)).isEqualTo("latency {cpu=0.9} 131.0");
  }
}
