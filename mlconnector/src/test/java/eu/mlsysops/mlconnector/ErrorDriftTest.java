package eu.mlsysops.mlconnector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ErrorDriftTest {
  @Test
  void errorsAroundTheTrainingErrorAreNotDriftAndALastingRiseIs() {
    ErrorDrift d = new ErrorDrift(1, 0.5, 25); // for a holdout MAE of 1
    Random r = new Random(7);
    for (int i = 0; i < 5_000; i++) {
      assertThat(d.add(Math.abs(r.nextGaussian()) * 1.25)).as("error %d at the usual level", i)
          .isFalse();
    }
    int found = -1;
    for (int i = 0; i < 1_000 && found < 0; i++) {
      if (d.add(5 + Math.abs(r.nextGaussian()))) { // the model stopped fitting
        found = i;
      }
    }
    assertThat(found).as("errors after the rise until drift").isBetween(1, 40);
    assertThat(d.errors()).as("it starts over").isZero();
  }

  @Test
  void aFewBadPredictionsAreNotDrift() {
    ErrorDrift d = new ErrorDrift(1, 0.5, 25);
    for (int i = 0; i < 100; i++) {
      assertThat(d.add(i % 25 == 0 ? 8 : 1)).isFalse();
    }
  }

  @Test
  void errorsThatStayHighReportAgainAfterAsManyOutcomes() {
    ErrorDrift d = new ErrorDrift(1, 0.5, 25);
    int reports = 0;
    for (int i = 0; i < 300; i++) {
      reports += d.add(6) ? 1 : 0; // 4.5 over the tolerated level each time
    }
    assertThat(reports).as("one every 30 outcomes (the minimum), not once").isEqualTo(10);
  }
}
