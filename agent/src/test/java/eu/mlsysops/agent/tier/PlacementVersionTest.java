package eu.mlsysops.agent.tier;

import static org.assertj.core.api.Assertions.assertThat;

import eu.mlsysops.agent.Command;
import org.junit.jupiter.api.Test;

/** Optimistic commits: a plan's commands go in only while the cluster is where the plan left it. */
class PlacementVersionTest {
  private final PlacementVersion v = new PlacementVersion();

  private static Command deploy(long version, String token, int slot) {
    return Command.of("placement", "deploy", "app", "a", "component", "c", "slot",
        Integer.toString(slot), "node", "n", "version", Long.toString(version), "plan", token);
  }

  @Test
  void aPlanCommitsCommandAfterCommandWhileNothingElseHappens() {
    long at = v.current();
    Command first = deploy(at, "p1", 0);
    Command second = deploy(at, "p1", 1);

    assertThat(v.admit(first)).isNull();
    v.committed(first);
    assertThat(v.admit(second)).isNull(); // against the version its own first command left
    v.committed(second);
    assertThat(v.staleCount()).isZero();
  }

  @Test
  void anEventBetweenCommandsMakesTheRestOfThePlanStale() {
    long at = v.current();
    Command first = deploy(at, "p1", 0);
    v.committed(first);
    v.bump(); // a node failed meanwhile

    assertThat(v.admit(deploy(at, "p1", 1)))
        .startsWith("stale plan: computed against placement version " + at);
    assertThat(v.staleCount()).isEqualTo(1);
  }

  @Test
  void anotherPlansCommitMakesAPlanComputedBeforeItStale() {
    long at = v.current();
    v.committed(deploy(at, "p1", 0));
    assertThat(v.admit(deploy(at, "p2", 0))).contains("the cluster is at version " + (at + 1));
  }

  @Test
  void unversionedCommandsAreNotCheckedAndGarbageIsRefusedWithTheField() {
    v.bump();
    assertThat(v.admit(Command.of("placement", "deploy", "app", "a"))).isNull();
    assertThat(v.admit(Command.of("placement", "deploy", "version", "x")))
        .isEqualTo("placement: version: \"x\" is not a number");
  }
}
