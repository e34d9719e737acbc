package eu.mlsysops.agent.core;

import static org.assertj.core.api.Assertions.assertThat;

import eu.mlsysops.agent.SystemView;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.Sample;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** QoS is judged only after the app's warm-up ({@code qos_warmup}, 10 s by default). */
class QosChecksTest {
  private static final long NOW = 100_000;

  private static AppDescriptor app(String warmup) {
    return Descriptors.parse("MLSysOpsApp: {name: cam, " + (warmup == null ? ""
            : "qos_warmup: " + warmup + ", ") + "components: [{metadata: {name: det},"
            + " containers: [{image: i}], qos_metrics: [{application_metric_id: latency_ms,"
            + " target: 100, relation: lower_or_equal}]}]}", "cam.yaml", ParseOptions.DEFAULT)
        .ofType(AppDescriptor.class).get(0);
  }

  /** An instance that has reported 300 ms, over its 100 ms target, for the last 20 s. */
  private static TestView violatingFor20s(AppDescriptor app) {
    MetricStore store = MetricStore.withDefaults(
        Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));
    Labels l = Labels.of("app", "cam", "component", "det", "instance", "cam/det/0");
    for (long t = NOW - 20_000; t <= NOW; t += 1000) {
      store.append(new Sample("latency_ms", l, t, 300));
    }
    return new TestView(store, Map.of(), new SystemView("c", List.of(), List.of()), app, NOW);
  }

  @Test
  void aViolationIsJudgedAfterTheDefaultWarmUp() {
    AppDescriptor a = app(null);
    assertThat(QosChecks.violation(violatingFor20s(a), a, a.components().get(0), "cam/det/0",
        Duration.ofSeconds(3))).hasValueSatisfying(v -> assertThat(v.value()).isEqualTo(300));
  }

  @Test
  void anAppsLongerWarmUpHoldsTheJudgementBack() {
    AppDescriptor a = app("30s"); // 20 s of samples: not warmed up yet
    assertThat(a.qosWarmupOrDefault()).isEqualTo(Duration.ofSeconds(30));
    assertThat(QosChecks.violation(violatingFor20s(a), a, a.components().get(0), "cam/det/0",
        Duration.ofSeconds(3))).isEmpty();
  }

  @Test
  void aComponentsOwnWarmUpWinsOverTheAppsEitherWay() {
    String twoWarmUps = "MLSysOpsApp: {name: cam, qos_warmup: COMPONENT_APP, components: [{metadata:"
        + " {name: det}, qos_warmup: COMPONENT_OWN, containers: [{image: i}], qos_metrics:"
        + " [{application_metric_id: latency_ms, target: 100, relation: lower_or_equal}]}]}";
    // The app waits a minute; this component is judged once it has served 5 s.
    AppDescriptor quick = Descriptors.parse(twoWarmUps.replace("COMPONENT_APP", "1m")
        .replace("COMPONENT_OWN", "5s"), "cam.yaml", ParseOptions.DEFAULT)
        .ofType(AppDescriptor.class).get(0);
    assertThat(QosChecks.violation(violatingFor20s(quick), quick, quick.components().get(0),
        "cam/det/0", Duration.ofSeconds(3))).isPresent();
    // And the other way round: the app is quick, this component loads a model for 30 s.
    AppDescriptor slow = Descriptors.parse(twoWarmUps.replace("COMPONENT_APP", "0s")
        .replace("COMPONENT_OWN", "30s"), "cam.yaml", ParseOptions.DEFAULT)
        .ofType(AppDescriptor.class).get(0);
    assertThat(QosChecks.violation(violatingFor20s(slow), slow, slow.components().get(0),
        "cam/det/0", Duration.ofSeconds(3))).isEmpty();
  }
}
