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
  void staysQuietDuringWarmUpAndIgnoresNonFinitePoints() {
    AnomalyDetector d = AnomalyDetector.randomCutForest(List.of("a"), 1);
    for (int i = 0; i < RcfAnomalyDetector.OUTPUT_AFTER; i++) {
      assertThat(d.observe(new double[] {i % 2 == 0 ? 0 : 1000})).isEmpty();
    }
    assertThat(d.observe(new double[] {Double.NaN})).isEmpty();
    assertThatThrownBy(() -> d.observe(new double[] {1, 2}))
        .hasMessageContaining("expected 1 dimensions");
  }
}
