package eu.mlsysops.agent.core;

import eu.mlsysops.agent.InstancePhase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.Plan;
import eu.mlsysops.agent.SystemView;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.Sample;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Autoscaling on a clock and telemetry the test controls: fast up, down after a window. */
class AutoScalingPolicyTest {
  private final MutableClock clock = new MutableClock(1_000_000);
  private final MetricStore store = new MetricStore(clock, 1000, 1000);
  private final AutoScalingPolicy policy =
      new AutoScalingPolicy(AutoScalingPolicy.Settings.defaults());
  private final PolicyDriver<?> driver = new PolicyDriver<>(policy);

  static final class MutableClock extends Clock {
    long millis;

    MutableClock(long millis) {
      this.millis = millis;
    }

    @Override
    public long millis() {
      return millis;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  static AppDescriptor web(String criterion, int instances) {
    return DynamicPlacementPolicyTest.app("""
        MLSysOpsApp:
          name: shop
          components:
            - metadata: {name: web}
              node_placement:
                scaling: {scaling_mode: auto, scaling_criteria: %s, instances: %d}
              containers:
                - image: web
                  platform_requirements:
                    cpu: {requests: "500m"}
                    memory: {requests: "100Mi"}
        """.formatted(criterion, instances));
  }

  /** One sample per running instance of {@code metric}, now. */
  private void report(String metric, double value, int running) {
    for (int i = 0; i < running; i++) {
      store.append(new Sample(metric, Labels.of("app", "shop", "component", "web", "instance",
          "shop/web/" + i), clock.millis(), value));
    }
  }

  private TestView view(AppDescriptor app, int running) {
    List<SystemView.InstancePlacement> ps = new ArrayList<>();
    for (int i = 0; i < app.components().get(0).instances(); i++) {
      ps.add(new SystemView.InstancePlacement("shop", "web", "shop/web/" + i, "n" + i,
          i < running ? InstancePhase.RUNNING : InstancePhase.PENDING));
    }
    return new TestView(store, Map.of(), new SystemView("c", List.of(), ps), app, clock.millis());
  }

  private String scaledTo(AppDescriptor app, int running) {
    if (!driver.turn(view(app, running))) {
      return "-";
    }
    Command c = driver.last().commands().get(0);
    assertThat(c.mechanism()).isEqualTo("placement");
    assertThat(c.action()).isEqualTo("scale");
    return c.arg("instances", "?");
  }

  @Test
  void scalesUpWithinOneAnalysisOfHotTelemetryAndExplainsWhy() {
    AppDescriptor app = web("max_cpu_utilization", 2);
    assertThat(scaledTo(app, 2)).isEqualTo("-"); // no telemetry yet: nothing to go on

    report("component_cpu_utilization", 0.9, 2);

    assertThat(driver.turn(view(app, 2))).isTrue();
    Plan p = driver.last();
    assertThat(p.commands()).containsExactly(Command.of("placement", "scale", "app", "shop",
        "component", "web", "instances", "3"));
    assertThat(p.explanation()).isEqualTo("scale web 2 → 3: max_cpu_utilization cpu averages"
        + " 0.900 over 3 s on 2 running, target 0.600");
    assertThat(p.inputs()).containsEntry("web.cpu", "0.900").containsEntry("web.target", "0.600")
        .containsEntry("web.recommended", "3").containsEntry("web.window", "up 0 ms");
  }

  @Test
  void waitsForAScaleUpToRunBeforeScalingFurther() {
    report("component_cpu_utilization", 0.95, 2);
    assertThat(scaledTo(web("max_cpu_utilization", 3), 2)).isEqualTo("-");
    // The third runs now: its telemetry, not the two-instance figures, decides, after a second.
    assertThat(scaledTo(web("max_cpu_utilization", 3), 3)).isEqualTo("-");
    clock.millis += 1000;
    report("component_cpu_utilization", 0.95, 3);
    assertThat(scaledTo(web("max_cpu_utilization", 3), 3)).isEqualTo("5");
  }

  @Test
  void withinTheToleranceNothingChanges() {
    report("component_cpu_utilization", 0.64, 2);
    assertThat(scaledTo(web("max_cpu_utilization", 2), 2)).isEqualTo("-");
  }

  /** The policy first sees the descriptor's own count (1): that is the floor it scales down to. */
  private void declaredOne(String criterion) {
    assertThat(driver.turn(view(web(criterion, 1), 1))).isFalse();
    // Then it scaled to three, which are running now; telemetry counts from here on.
    assertThat(driver.turn(view(web(criterion, 3), 3))).isFalse();
    clock.millis += 1000;
  }

  @Test
  void neverScalesBelowTheDescriptorsCount() {
    report("component_cpu_utilization", 0.05, 3);
    AppDescriptor app = web("max_cpu_utilization", 3);
    for (int s = 0; s <= 40; s++) {
      assertThat(scaledTo(app, 3)).isEqualTo("-");
      clock.millis += 1000;
      report("component_cpu_utilization", 0.05, 3);
    }
  }

  @Test
  void scalesDownOnlyAfterLoadStayedLowForTheWholeWindow() {
    declaredOne("max_cpu_utilization");
    AppDescriptor app = web("max_cpu_utilization", 3);
    for (int s = 0; s < 30; s++) {
      report("component_cpu_utilization", 0.1, 3);
      assertThat(scaledTo(app, 3)).as("second %d", s).isEqualTo("-");
      clock.millis += 1000;
    }
    report("component_cpu_utilization", 0.1, 3);
    assertThat(scaledTo(app, 3)).isEqualTo("1");
    assertThat(driver.last().inputs()).containsEntry("web.window", "down 30000 ms");
  }

  @Test
  void aSpikeInsideTheWindowHoldsTheCountUntilItAgesOut() {
    declaredOne("max_cpu_utilization");
    AppDescriptor app = web("max_cpu_utilization", 3);
    int firstScale = -1;
    String to = "-";
    for (int s = 0; s <= 60 && firstScale < 0; s++) {
      // Load at the target from s = 14 to 18: the recommendation is 3 (keep) up to s = 19.
      report("component_cpu_utilization", s >= 14 && s <= 18 ? 0.6 : 0.1, 3);
      to = scaledTo(app, 3);
      if (!to.equals("-")) {
        firstScale = s;
      }
      clock.millis += 1000;
    }
    // Without the spike it would have gone at s = 30; with it, 30 s after its last "keep 3".
    assertThat(firstScale).isEqualTo(50);
    assertThat(to).isEqualTo("2"); // the highest recommendation of the last 30 s
  }

  @Test
  void requestsPerSecondAndMemoryAreSignalsToo() {
    report("component_requests_per_second", 120, 1);
    assertThat(scaledTo(web("max_request_per_sec", 1), 1)).isEqualTo("3");

    report("component_memory_bytes", 90 * 1024 * 1024, 1);
    assertThat(scaledTo(web("max_memory_percent", 1), 1)).isEqualTo("2");
  }

  @Test
  void boundsHoldAndInstanceCriteriaPinTheCount() {
    report("component_cpu_utilization", 1.0, 8);
    assertThat(scaledTo(web("max_cpu_utilization", 8), 8)).isEqualTo("10"); // not 14
    assertThat(scaledTo(web("max_number_of_instances", 2), 2)).isEqualTo("10");
    AppDescriptor manual = DynamicPlacementPolicyTest.app("""
        MLSysOpsApp:
          name: shop
          components:
            - metadata: {name: web}
              node_placement: {scaling: {scaling_mode: manual, instances: 2}}
              containers: [{image: web}]
        """);
    assertThat(scaledTo(manual, 2)).isEqualTo("-");
    assertThatThrownBy(() -> new AutoScalingPolicy.Settings(0.6, 0.7, 50, 0.1, 3, 2,
        Duration.ofSeconds(3), Duration.ZERO, Duration.ofSeconds(30), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("minInstances <= maxInstances");
  }
}
