package eu.mlsysops.ml.rl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QLearnerTest {
  private static final int DOWN = 0;
  private static final int STAY = 1;
  private static final int UP = 2;

  /**
   * A toy DVFS world: five frequency levels, the best is level 2 (reward −|level − 2|), actions
   * move one level. The learner must find "climb to 2 and stay" from every level.
   */
  @Test
  void convergesOnToyFrequencyWorld() {
    QLearner learner = QLearner.builder(5, 3).seed(7).build();
    int level = 0;
    for (int step = 0; step < 3000; step++) {
      QLearner.Choice c = learner.choose(level);
      int next = Math.max(0, Math.min(4, level + c.action() - 1));
      learner.update(level, c.action(), -Math.abs(next - 2), next);
      level = step % 50 == 49 ? step % 5 : next; // restart now and then from every level
    }
    assertThat(learner.greedy(0)).isEqualTo(UP);
    assertThat(learner.greedy(1)).isEqualTo(UP);
    assertThat(learner.greedy(2)).isEqualTo(STAY);
    assertThat(learner.greedy(3)).isEqualTo(DOWN);
    assertThat(learner.greedy(4)).isEqualTo(DOWN);
    assertThat(learner.updates()).isEqualTo(3000);
  }

  @Test
  void explorationDecaysWithVisits() {
    QLearner learner = QLearner.builder(1, 2).exploration(0.5, 0.01).seed(1).build();
    assertThat(learner.choose(0).epsilon()).isEqualTo(0.5);
    for (int i = 0; i < 2000; i++) {
      learner.update(0, i % 2, i % 2, 0);
    }
    QLearner.Choice c = learner.choose(0);
    assertThat(c.epsilon()).isLessThan(0.01 + 1e-9);
    assertThat(learner.greedy(0)).isEqualTo(1);
  }

  @Test
  void choiceExplainsItselfWithQValues() {
    QLearner learner = QLearner.builder(1, 3).exploration(0, 0).build();
    learner.update(0, UP, 1.0, 0);
    QLearner.Choice c = learner.choose(0);
    assertThat(c.action()).isEqualTo(UP);
    assertThat(c.explored()).isFalse();
    assertThat(c.qText(List.of("down", "stay", "up")))
        .isEqualTo("Q(down)=0.000 Q(stay)=0.000 Q(up)=0.200");
  }

  @Test
  void ignoresNonFiniteRewards() {
    QLearner learner = QLearner.builder(2, 2).build();
    learner.update(0, 1, Double.NaN, 1);
    assertThat(learner.updates()).isZero();
    assertThat(learner.qValues(0)).containsExactly(0, 0);
  }

  @Test
  void savesAndLoadsTheTable(@TempDir Path dir) throws Exception {
    QLearner a = QLearner.builder(3, 2).build();
    a.update(1, 1, 0.75, 2);
    a.update(2, 0, -1, 0);
    Path f = dir.resolve("models/q.txt");
    a.save(f);
    QLearner b = QLearner.builder(3, 2).build();
    b.load(f);
    assertThat(b.qValues(1)).containsExactly(a.qValues(1));
    assertThat(b.qValues(2)).containsExactly(a.qValues(2));
    assertThat(b.visits(1, 1)).isEqualTo(1);
    assertThat(b.updates()).isEqualTo(2);
  }

  @Test
  void refusesATableOfAnotherShapeNamingTheLine(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("q.txt");
    QLearner.builder(3, 2).build().save(f);
    assertThatThrownBy(() -> QLearner.builder(4, 2).build().load(f))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line 1");
    Files.writeString(f, "qlearner 1 2 0\n0.0:1 x:y\n");
    assertThatThrownBy(() -> QLearner.builder(1, 2).build().load(f))
        .hasMessageContaining("line 2: cell 2");
  }

  @Test
  void rejectsBadSettingsNamingThem() {
    assertThatThrownBy(() -> QLearner.builder(2, 2).learningRate(0))
        .hasMessageContaining("learningRate");
    assertThatThrownBy(() -> QLearner.builder(2, 2).discount(1))
        .hasMessageContaining("discount");
    assertThatThrownBy(() -> QLearner.builder(0, 2)).hasMessageContaining("states");
    assertThatThrownBy(() -> QLearner.builder(2, 2).build().update(0, 5, 1, 0))
        .hasMessageContaining("action");
  }
}
