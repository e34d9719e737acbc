package eu.mlsysops.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.model.ParseResult;
import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.Sample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TrustEngineTest {
  private static final long GIB = 1L << 30;
  private final TestClock clock = new TestClock(1_000_000);
  private final TrustEngine engine = TrustEngine.builder().clock(clock).build();

  static NodeDescriptor node(String name, String cluster) {
    String yaml = """
        MLSysOpsNode:
          name: %s
          cluster_id: %s
          continuum_layer: edge
          environment: {node_type: native, os: ubuntu, container_runtime: [containerd]}
          hardware:
            cpu: {cores: 4, frequency: [0.6, 1.2, 1.8]}
            memory: 8Gi
        """.formatted(name, cluster);
    ParseResult r = Descriptors.parse(yaml, "test", ParseOptions.DEFAULT);
    assertThat(r.errors()).isEmpty();
    return r.ofType(NodeDescriptor.class).get(0);
  }

  private void register(String name) {
    engine.registered(name, node(name, "edge"), "edge", Optional.empty());
  }

  private Sample sample(String node, String metric, double value) {
    return new Sample(metric, Labels.of("node", node), clock.millis(), value);
  }

  private Sample sample(String node, String metric, double value, String label, String v) {
    return new Sample(metric, Labels.of("node", node, label, v), clock.millis(), value);
  }

  @Test
  void consistentlyRegisteredNodeIsFullyTrusted() {
    register("edge-1");
    NodeTrust t = engine.trust("edge-1").orElseThrow();
    assertThat(t.score()).isEqualTo(1.0);
    assertThat(t.level()).isEqualTo(TrustLevel.HIGH);
    assertThat(t.reasons()).isEmpty();
    assertThat(t.explain()).isEqualTo("1.00: no issues");
    assertThat(engine.trust(node("edge-1", "edge"))).isEqualTo(1.0);
  }

  @Test
  void unknownNodeIsNotTrustedByThePlacerHook() {
    assertThat(engine.trust(node("stranger", "edge"))).isZero();
    assertThat(engine.trust("stranger")).isEmpty();
  }

  @Test
  void explainsFailedInstancesAndMisreportedMemory() {
    register("edge-1");
    for (int i = 0; i < 3; i++) {
      engine.instanceFailed("edge-1", "app/c#" + i, "exit 137");
      clock.advance(60_000);
    }
    engine.telemetry(sample("edge-1", "node_memory_MemTotal_bytes", 2 * GIB));
    NodeTrust t = engine.trust("edge-1").orElseThrow();
    double behaviour = Math.exp(-0.15 * (Math.pow(2, -3 / 10.0) + Math.pow(2, -2 / 10.0)
        + Math.pow(2, -1 / 10.0)));
    assertThat(t.behaviour()).isCloseTo(behaviour, within(0.001));
    assertThat(t.capability()).isEqualTo(0.25);
    assertThat(t.score()).isCloseTo(Math.pow(behaviour, 0.6) * Math.pow(0.25, 0.4), within(0.001));
    assertThat(t.level()).isEqualTo(TrustLevel.LOW);
    assertThat(t.explain())
        .startsWith("0.45: ")
        .contains("3 failed instances in the last 3 min (latest: app/c#2: exit 137)")
        .contains("memory reported 2 GiB vs declared 8 GiB");
  }

  @Test
  void aNodeSharingItsHostIsNotHeldToWhatTheHostReports() {
    // The nodes of mls up --runtime process all report this machine: 2 CPUs, 3 GiB, 2.4 GHz
    // against 4 cores, 8 GiB and 1.8 GHz declared.
    TrustEngine shared = TrustEngine.builder().clock(clock).sharedHost("edge-1"::equals).build();
    for (String n : List.of("edge-1", "edge-2")) {
      shared.registered(n, node(n, "edge"), "edge", Optional.empty());
      shared.telemetry(sample(n, "node_memory_MemTotal_bytes", 3 * GIB));
      shared.telemetry(sample(n, "node_cpu_scaling_frequency_hertz", 2.4e9));
      for (int cpu = 0; cpu < 2; cpu++) {
        shared.telemetry(sample(n, "node_cpu_seconds_total", 1, "cpu", "" + cpu));
      }
    }

    NodeTrust onShared = shared.trust("edge-1").orElseThrow();
    assertThat(onShared.capability()).isEqualTo(1.0);
    assertThat(onShared.score()).isEqualTo(1.0);
    assertThat(onShared.reasons()).isEmpty();
    NodeTrust own = shared.trust("edge-2").orElseThrow();
    assertThat(own.capability()).isLessThan(1.0);
    assertThat(own.explain()).contains("memory reported 3 GiB vs declared 8 GiB");
  }

  @Test
  void moreMemoryAndCpusThanDeclaredCostNothingFewerDo() {
    register("edge-1");
    register("edge-2");
    engine.telemetry(sample("edge-1", "node_memory_MemTotal_bytes", 24 * GIB));
    for (int cpu = 0; cpu < 8; cpu++) {
      engine.telemetry(sample("edge-1", "node_cpu_seconds_total", 1, "cpu", "" + cpu));
      engine.telemetry(sample("edge-2", "node_cpu_seconds_total", 1, "cpu", "" + cpu % 2));
    }

    assertThat(engine.trust("edge-1").orElseThrow().capability()).isEqualTo(1.0);
    NodeTrust fewer = engine.trust("edge-2").orElseThrow();
    assertThat(fewer.capability()).isEqualTo(0.5);
    assertThat(fewer.reasons()).contains("reports 2 cpus vs 4 declared cores");
  }

  @Test
  void penaltiesDecayWithTheHalfLifeSoNodesRecover() {
    register("edge-1");
    engine.unreachable("edge-1", "no heartbeat for 3000 ms");
    engine.heartbeat("edge-1");
    engine.unreachable("edge-1", "flapped again within the minute: not counted twice");
    assertThat(engine.trust("edge-1").orElseThrow().behaviour())
        .isCloseTo(Math.exp(-0.3), within(0.001));
    clock.advance(Duration.ofMinutes(10).toMillis());
    assertThat(engine.trust("edge-1").orElseThrow().behaviour())
        .isCloseTo(Math.exp(-0.15), within(0.001));
    clock.advance(Duration.ofHours(3).toMillis());
    NodeTrust t = engine.trust("edge-1").orElseThrow();
    assertThat(t.score()).isEqualTo(1.0);
    assertThat(t.reasons()).isEmpty();
  }

  @Test
  void listenersHearLevelCrossingsBothWays() {
    List<TrustChange> changes = new ArrayList<>();
    engine.onLevelChange(changes::add);
    register("edge-1");
    for (int i = 0; i < 20; i++) {
      engine.planFailed("edge-1", "cpu-frequency", "cpufreq not writable");
    }
    assertThat(changes).extracting(TrustChange::to)
        .containsExactly(TrustLevel.MEDIUM, TrustLevel.LOW);
    assertThat(changes.get(1).trust().explain()).contains("12 failed plans");
    clock.advance(Duration.ofHours(2).toMillis());
    engine.refresh();
    assertThat(changes).extracting(TrustChange::to)
        .containsExactly(TrustLevel.MEDIUM, TrustLevel.LOW, TrustLevel.HIGH);
  }

  @Test
  void identityDependsOnConsistentRegistration() {
    engine.registered("edge-9", node("edge-1", "edge"), "edge", Optional.empty());
    NodeTrust named = engine.trust("edge-9").orElseThrow();
    assertThat(named.identity()).isEqualTo(0.2);
    assertThat(named.reasons()).contains("registered as edge-9 with a descriptor named edge-1");

    engine.registered("edge-2", node("edge-2", "cloud"), "edge", Optional.empty());
    assertThat(engine.trust("edge-2").orElseThrow().identity()).isEqualTo(0.5);

    engine.registered("edge-3", node("edge-3", "edge"), "edge", Optional.of("mallory"));
    NodeTrust spoofed = engine.trust("edge-3").orElseThrow();
    assertThat(spoofed.score()).isZero();
    assertThat(spoofed.level()).isEqualTo(TrustLevel.LOW);
    assertThat(spoofed.reasons()).contains("connection authenticated as mallory, not edge-3");

    engine.unreachable("ghost", "never registered");
    assertThat(engine.trust("ghost").orElseThrow().reasons()).first().isEqualTo("not registered");
  }

  @Test
  void declaredCapacityChangeOnReRegistrationCounts() {
    register("edge-1");
    clock.advance(120_000);
    String yaml = """
        MLSysOpsNode:
          name: edge-1
          cluster_id: edge
          continuum_layer: edge
          environment: {node_type: native, os: ubuntu, container_runtime: [containerd]}
          hardware:
            cpu: {cores: 4, frequency: [0.6, 1.2, 1.8]}
            memory: 64Gi
        """;
    NodeDescriptor bigger = Descriptors.parse(yaml, "t", ParseOptions.DEFAULT)
        .ofType(NodeDescriptor.class).get(0);
    engine.registered("edge-1", bigger, "edge", Optional.empty());
    assertThat(engine.trust("edge-1").orElseThrow().explain())
        .contains("1 re-registration in the last 1 min (latest: declared memory 8 GiB → 64 GiB"
            + " on re-registration)");
  }

  @Test
  void reportedFrequencyAboveDeclaredAndLateHeartbeats() {
    register("edge-1");
    engine.telemetry(sample("edge-1", "node_cpu_scaling_frequency_hertz", 3.6e9));
    clock.advance(5_000);
    engine.heartbeat("edge-1");
    NodeTrust t = engine.trust("edge-1").orElseThrow();
    assertThat(t.capability()).isEqualTo(0.5);
    assertThat(t.reasons())
        .contains("cpu frequency reported 3.60 GHz above the declared maximum 1.80 GHz")
        .anyMatch(r -> r.startsWith("1 late heartbeat in the last 1 min (latest: heartbeat 5000 ms"));
  }

  @Test
  void detectorTakesAtMostOnePointPerSecond() {
    register("edge-1");
    for (int i = 0; i < 200; i++) {
      clock.advance(100);
      tick("edge-1", 0.4, 8);
    }
    // 20 s of ticks at 10 per second are 20 points: still within the forest's warm-up (32), so a
    // spike now cannot be flagged; at one point per tick it would have been.
    clock.advance(1000);
    tick("edge-1", 0.4, 80);
    assertThat(engine.trust("edge-1").orElseThrow().reasons()).isEmpty();

    TrustEngine everyTick = TrustEngine.builder().clock(clock).detectorInterval(Duration.ZERO)
        .build();
    everyTick.registered("edge-1", node("edge-1", "edge"), "edge", Optional.empty());
    for (int i = 0; i < 200; i++) {
      clock.advance(100);
      tick(everyTick, "edge-1", 0.4, 8);
    }
    clock.advance(1000);
    tick(everyTick, "edge-1", 0.4, 80);
    assertThat(everyTick.trust("edge-1").orElseThrow().reasons()).singleElement().asString()
        .contains("node_power_watts unusually high");
  }

  @Test
  void telemetryAnomalyLowersBehaviourAndNamesTheMetric() {
    register("edge-1");
    Random rnd = new Random(3);
    for (int i = 0; i < 300; i++) {
      clock.advance(1000);
      tick("edge-1", 0.4 + rnd.nextGaussian() * 0.02, 8 + rnd.nextGaussian() * 0.2);
    }
    assertThat(engine.trust("edge-1").orElseThrow().reasons()).isEmpty();
    clock.advance(1000);
    tick("edge-1", 0.4, 60); // power far outside anything seen at this utilisation
    NodeTrust t = engine.trust("edge-1").orElseThrow();
    assertThat(t.behaviour()).isCloseTo(Math.exp(-0.1), within(0.001));
    assertThat(t.reasons()).singleElement().asString()
        .startsWith("1 telemetry anomaly in the last 1 min (latest: node_power_watts unusually"
            + " high");
  }

  private void tick(String node, double util, double watts) {
    tick(engine, node, util, watts);
  }

  private void tick(TrustEngine engine, String node, double util, double watts) {
    engine.telemetry(sample(node, "node_load1", util * 4));
    engine.telemetry(sample(node, "node_power_watts", watts));
    engine.telemetry(sample(node, "node_memory_MemAvailable_bytes", 6 * GIB));
    engine.telemetry(sample(node, "node_cpu_utilization", util));
  }
}
