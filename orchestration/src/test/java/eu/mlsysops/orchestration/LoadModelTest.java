package eu.mlsysops.orchestration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoadModelTest {

  @Test
  void steadyLoadIsConstant() {
    LoadModel m = LoadModel.steady(42);
    assertThat(m.requestsPerSecond(0, 100, 1)).isEqualTo(42);
    assertThat(m.requestsPerSecond(86_400_000, 100, 1)).isEqualTo(42);
  }

  @Test
  void diurnalLoadPeaksAtAQuarterPeriodAndNeverGoesNegative() {
    LoadModel m = LoadModel.diurnal(10, 20, Duration.ofHours(24));
    assertThat(m.requestsPerSecond(0, 0, 0)).isCloseTo(10, within(1e-9));
    assertThat(m.requestsPerSecond(Duration.ofHours(6).toMillis(), 0, 0))
        .isCloseTo(30, within(1e-9));
    assertThat(m.requestsPerSecond(Duration.ofHours(18).toMillis(), 0, 0)).isZero();
  }

  @Test
  void burstsAreReproducibleForASeedAndDifferAcrossSeeds() {
    LoadModel m = LoadModel.bursts(5, 50, 60, 10);
    StringBuilder a = new StringBuilder();
    StringBuilder b = new StringBuilder();
    StringBuilder c = new StringBuilder();
    for (long t = 0; t < 3_600_000; t += 10_000) {
      a.append(m.requestsPerSecond(t, 0, 7) > 5 ? 'B' : '.');
      b.append(m.requestsPerSecond(t, 0, 7) > 5 ? 'B' : '.');
      c.append(m.requestsPerSecond(t, 0, 8) > 5 ? 'B' : '.');
    }
    assertThat(a.toString()).isEqualTo(b.toString()).isNotEqualTo(c.toString());
  }

  @Test
  void burstsStartAboutAsOftenAsTheMeanIntervalSays() {
    LoadModel m = LoadModel.bursts(1, 100, 60, 10);
    int burstSlots = 0;
    int slots = 36_000;
    for (int s = 0; s < slots; s++) {
      if (m.requestsPerSecond(s * 10_000L + 5_000, 0, 123) == 100) {
        burstSlots++;
      }
    }
    // One ten-second slot in six is a burst.
    assertThat(burstSlots / (double) slots).isCloseTo(1 / 6.0, within(0.01));
  }

  @Test
  void traceInterpolatesLinearlyAndLoops() {
    LoadModel.Trace m = new LoadModel.Trace(new double[] {0, 100, 50}, Duration.ofSeconds(300), 1);
    assertThat(m.utilisationAt(0)).isEqualTo(0);
    assertThat(m.utilisationAt(150_000)).isCloseTo(50, within(1e-9));
    assertThat(m.utilisationAt(300_000)).isCloseTo(100, within(1e-9));
    assertThat(m.utilisationAt(750_000)).isCloseTo(25, within(1e-9)); // 50 → 0 on the wrap
    assertThat(m.utilisationAt(900_000)).isCloseTo(0, within(1e-9));
    assertThat(m.requestsPerSecond(300_000, 40, 0)).isCloseTo(40, within(1e-9));
  }

  @Test
  void traceSpeedupCompressesTime() {
    LoadModel.Trace m = new LoadModel.Trace(new double[] {0, 100}, Duration.ofSeconds(300), 60);
    assertThat(m.utilisationAt(5_000)).isCloseTo(100, within(1e-9));
  }

  @Test
  void traceKeepsItsOwnCopyOfTheSeries() {
    double[] series = {10, 20};
    LoadModel.Trace m = new LoadModel.Trace(series, Duration.ofSeconds(1), 1);
    series[0] = 99;
    m.utilisationPercent()[1] = 99;
    assertThat(m.utilisationPercent()).containsExactly(10, 20);
    assertThat(m).isEqualTo(new LoadModel.Trace(new double[] {10, 20}, Duration.ofSeconds(1), 1));
  }

  @Test
  void rejectsNonsenseParameters() {
    assertThatThrownBy(() -> LoadModel.steady(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LoadModel.bursts(1, 2, 0, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LoadModel.trace(new double[0], Duration.ofSeconds(1), 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LoadModel.diurnal(1, 1, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
