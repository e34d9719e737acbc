package eu.mlsysops.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RcfAnomalyDetectorTest {

  @Test
  void flagsAnOutlierAfterWarmUpAndAttributesIt() {
    AnomalyDetector d = AnomalyDetector.randomCutForest(List.of("a", "b"), 1);
    Random rnd = new Random(5);
    int flagged = 0;
    for (int i = 0; i < 500; i++) {
      if (d.observe(new double[] {rnd.nextGaussian(), 10 + rnd.nextGaussian()}).isPresent()) {
        flagged++;
      }
    }
    assertThat(flagged).isLessThanOrEqualTo(3);
    Optional<AnomalyDetector.Anomaly> a = d.observe(new double[] {0, -40});
    assertThat(a).isPresent();
    assertThat(a.get().dimension()).isEqualTo("b");
    assertThat(a.get().high()).isFalse();
    assertThat(a.get().score()).isGreaterThan(a.get().threshold());
  }

  @Test
  void anOutlierBetweenTwoLearningPointsIsJudgedAtOnce() {
    AnomalyDetector d = AnomalyDetector.randomCutForest(List.of("a", "b"), 1);
    Random rnd = new Random(5);
    for (int i = 0; i < 501; i++) { // the next observation (the 502nd) is not one the forest learns
      d.observe(new double[] {rnd.nextGaussian(), 10 + rnd.nextGaussian()});
    }
    assertThat(501 % RcfAnomalyDetector.LEARN_EVERY).isNotZero();
    Optional<AnomalyDetector.Anomaly> a = d.observe(new double[] {0, 60});
    assertThat(a).isPresent();
    assertThat(a.get().dimension()).isEqualTo("b");
    assertThat(a.get().high()).isTrue();
  }

  @Test
  void aSpikeDoesNotWidenTheScreenForTheNextOne() {
    AnomalyDetector d = AnomalyDetector.randomCutForest(List.of("a", "b"), 1);
    Random rnd = new Random(5);
    for (int i = 0; i < 501; i++) {
      d.observe(new double[] {rnd.nextGaussian(), 10 + rnd.nextGaussian()});
    }
    assertThat(d.observe(new double[] {0, 70})).isPresent(); // 60 σ, between learning points
    for (int i = 0; i < 3; i++) { // the third of these is one the forest learns
      d.observe(new double[] {rnd.nextGaussian(), 10 + rnd.nextGaussian()});
    }
    // 15 σ, again between learning points: had the spike widened the screen (to about 40 σ),
    // this one would not be scored until the next learning point.
    assertThat(d.observe(new double[] {0, 25})).isPresent();
  }

  @Test
  void staysQuietDuringWarmUpAndIgnoresNonFinitePoints() {
    AnomalyDetector d = AnomalyDetector.randomCutForest(List.of("a"), 1);
    // The forest learns one observation in LEARN_EVERY and judges once it has learned OUTPUT_AFTER:
    // the observation that teaches it its last warm-up point is the last one not judged.
    int warmUp = (RcfAnomalyDetector.OUTPUT_AFTER - 1) * RcfAnomalyDetector.LEARN_EVERY + 1;
    for (int i = 0; i < warmUp; i++) {
      assertThat(d.observe(new double[] {i % 2 == 0 ? 0 : 1000})).isEmpty();
    }
    assertThat(d.observe(new double[] {Double.NaN})).isEmpty();
    assertThatThrownBy(() -> d.observe(new double[] {1, 2}))
        .hasMessageContaining("expected 1 dimensions");
  }
}
