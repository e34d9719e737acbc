package eu.mlsysops.agent.control;

import static org.assertj.core.api.Assertions.assertThat;

import eu.mlsysops.agent.PolicyContext;
import eu.mlsysops.agent.engine.EngineFixture;
import eu.mlsysops.agent.engine.PolicyStatus;
import eu.mlsysops.protocol.Message;
import eu.mlsysops.telemetry.pipeline.AggregationRule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlApplierTest {
  @TempDir Path dir;
  private final EngineFixture f = new EngineFixture();
  private final List<Message> sent = new CopyOnWriteArrayList<>();
  private final List<List<AggregationRule>> rules = new ArrayList<>();

  @AfterEach
  void tearDown() {
    f.close();
  }

  static String policy(String name) {
    return """
        import eu.mlsysops.agent.*
        import java.time.Duration

        class %1$sPolicy implements Policy<Void> {
          PolicyContext initialize() {
            PolicyContext.builder("%1$s").metrics("m").analyzeInterval(Duration.ofHours(1)).build()
          }
          Optional<Void> analyze(PolicyView view) { Optional.empty() }
          Plan plan(PolicyView view, Void nothing) { null }
        }
        """.formatted(name);
  }

  private ControlApplier applier() {
    return new ControlApplier("n1", Message.Tier.NODE, dir, f.engine, rules::add, sent::add);
  }

  private static Message.Control control(String mode, List<String> disabled, List<String> export,
      Message.PolicyFile... files) {
    return ControlSet.of("c1", mode, List.of(
        new Message.TierControl(Message.Tier.NODE, disabled, export, List.of(files)),
        new Message.TierControl(Message.Tier.CLUSTER, List.of("cluster-only"), List.of(),
            List.of(ControlSetTest.file("policy-cl.groovy", policy("cl"))))));
  }

  private List<String> policies() {
    return f.engine.status().stream().map(PolicyStatus::name).toList();
  }

  @Test
  void appliesModeThisTiersConfigurationAndPolicyFilesThenReportsTheDigest() {
    ControlApplier a = applier();
    Message.Control c = control("ml", List.of("cpu-frequency"), List.of("node_*: avg by (node)"),
        ControlSetTest.file("policy-hot.groovy", policy("hot")));

    a.accept(c);

    assertThat(f.engine.mode()).isEqualTo(PolicyContext.Mode.ML);
    assertThat(policies()).containsExactly("hot"); // the cluster tier's file is not loaded here
    assertThat(rules).hasSize(1);
    assertThat(rules.get(0)).map(AggregationRule::toString).containsExactly("node_*: avg by (node)");
    assertThat(sent).containsExactly(
        new Message.ControlReport("n1", "n1", Message.Tier.NODE, c.digest(), java.util.Map.of()));
  }

  @Test
  void aRemovedFileStopsItsPolicyAndTheSameSetTwiceIsOnlyReportedAgain() {
    ControlApplier a = applier();
    a.accept(control("heuristic", List.of(), List.of(),
        ControlSetTest.file("policy-hot.groovy", policy("hot"))));
    Message.Control without = control("heuristic", List.of(), List.of());

    a.accept(without);
    a.accept(without);

    assertThat(policies()).isEmpty();
    assertThat(Files.exists(dir.resolve("policies/policy-hot.groovy"))).isFalse();
    assertThat(rules).hasSize(2); // applied twice (two digests), not three times
    assertThat(sent).hasSize(3);
  }

  @Test
  void aFileThatDoesNotCompileIsReportedWithItsReason() {
    ControlApplier a = applier();
    Message.Control c = control("heuristic", List.of(), List.of(),
        ControlSetTest.file("policy-bad.groovy", "class Oops implements eu.mlsysops.agent.Policy {"),
        ControlSetTest.file("policy-good.groovy", policy("good")));

    a.accept(c);

    Message.ControlReport r = (Message.ControlReport) sent.get(0);
    assertThat(r.digest()).isEqualTo(c.digest());
    assertThat(r.errors()).containsOnlyKeys("policy-bad.groovy");
    assertThat(r.errors().get("policy-bad.groovy")).startsWith("does not compile:");
    assertThat(policies()).containsExactly("good");
  }

  @Test
  void aTamperedSetIsRefusedAndTheRunningOneKept() {
    ControlApplier a = applier();
    Message.Control good = control("ml", List.of(), List.of());
    a.accept(good);
    Message.Control forged = new Message.Control("c1", good.digest().replace('a', 'b') + "0",
        "heuristic", good.tiers());

    a.accept(forged);

    assertThat(f.engine.mode()).isEqualTo(PolicyContext.Mode.ML);
    Message.ControlReport r = (Message.ControlReport) sent.get(1);
    assertThat(r.digest()).isEqualTo(good.digest());
    assertThat(r.errors().get("control")).contains("digest: ");
  }

  @Test
  void aRestartRunsTheLastSetBeforeTheParentAnswers() {
    Message.Control c = control("ml", List.of(), List.of(),
        ControlSetTest.file("policy-hot.groovy", policy("hot")));
    applier().accept(c);
    f.engine.setMode(PolicyContext.Mode.HEURISTIC);
    try (EngineFixture restarted = new EngineFixture()) {
      ControlApplier again =
          new ControlApplier("n1", Message.Tier.NODE, dir, restarted.engine, l -> {}, m -> {});

      again.restore();

      assertThat(again.applied()).isEqualTo(c.digest());
      assertThat(restarted.engine.mode()).isEqualTo(PolicyContext.Mode.ML);
      assertThat(restarted.engine.status()).extracting(PolicyStatus::name).containsExactly("hot");
    }
  }
}
