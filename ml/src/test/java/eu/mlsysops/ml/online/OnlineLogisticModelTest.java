package eu.mlsysops.ml.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnlineLogisticModelTest {

  /** QoS is met when utilisation is below 0.7, whatever the noise feature says. */
  @Test
  void learnsASeparatingFeatureAndAttributesToIt() {
    OnlineLogisticModel m = new OnlineLogisticModel(List.of("utilization", "noise"), 0.3, 1e-4);
    Random rnd = new Random(11);
    for (int i = 0; i < 5000; i++) {
      double u = rnd.nextDouble();
      double noise = rnd.nextDouble();
      m.update(new double[] {u, noise}, u < 0.7 ? 1 : 0);
    }
    assertThat(m.predict(new double[] {0.2, 0.5})).isGreaterThan(0.9);
    assertThat(m.predict(new double[] {0.95, 0.5})).isLessThan(0.1);
    assertThat(m.weights()[0]).isLessThan(-5);
    List<OnlineLogisticModel.Attribution> why =
        m.compare(new double[] {0.2, 0.4}, new double[] {0.9, 0.6});
    assertThat(why.get(0).feature()).isEqualTo("utilization");
    assertThat(why.get(0).contribution()).isPositive();
    assertThat(OnlineLogisticModel.describe(why, 1)).startsWith("utilization +").endsWith(
        "(0.20 vs 0.90)");
    assertThat(m.updates()).isEqualTo(5000);
  }

  @Test
  void untrainedModelIsUndecidedAndBadInputIsNamed() {
    OnlineLogisticModel m = new OnlineLogisticModel(List.of("a"), 0.1, 0);
    assertThat(m.predict(new double[] {3})).isEqualTo(0.5);
    m.update(new double[] {Double.NaN}, 1);
    assertThat(m.updates()).isZero();
    assertThatThrownBy(() -> m.predict(new double[] {1, 2})).hasMessageContaining("expected 1");
    assertThatThrownBy(() -> m.update(new double[] {1}, 2)).hasMessageContaining("y must be");
    assertThatThrownBy(() -> new OnlineLogisticModel(List.of(), 0.1, 0))
        .hasMessageContaining("features");
  }

  @Test
  void savesAndLoadsAndRefusesAnotherModelNamingTheLine(@TempDir Path dir) throws Exception {
    OnlineLogisticModel a = new OnlineLogisticModel(List.of("u", "v"), 0.5, 0);
    a.update(new double[] {1, 0}, 0);
    a.update(new double[] {0, 1}, 1);
    Path f = dir.resolve("m/q.model");
    a.save(f);
    OnlineLogisticModel b = new OnlineLogisticModel(List.of("u", "v"), 0.5, 0);
    b.load(f);
    assertThat(b.weights()).containsExactly(a.weights());
    assertThat(b.predict(new double[] {0.3, 0.7})).isEqualTo(a.predict(new double[] {0.3, 0.7}));
    assertThat(b.updates()).isEqualTo(2);
    OnlineLogisticModel other = new OnlineLogisticModel(List.of("u", "w"), 0.5, 0);
    assertThatThrownBy(() -> other.load(f)).hasMessageContaining("line 3: expected \"w <weight>\"");
    Files.writeString(f, "logistic x 0\nu 1\nv 2\n");
    assertThatThrownBy(() -> b.load(f)).hasMessageContaining("line 1");
  }
}
