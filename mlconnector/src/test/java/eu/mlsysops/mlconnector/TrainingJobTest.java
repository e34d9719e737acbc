package eu.mlsysops.mlconnector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training in the background: progress, outcome, cancel, one at a time. */
class TrainingJobTest {
  @TempDir Path dir;
  /** The jobs handed to the background, run when the test says. */
  private final Deque<Runnable> queued = new ArrayDeque<>();

  private ModelSpec withData(MlService ml) throws Exception {
    List<String> in = List.of("a", "b");
    ModelSpec spec = ml.register(MlServiceTest.spec(ModelKind.REGRESSION, Algorithm.LINEAR, in,
        "y", Map.of()));
    ml.upload(spec.id(), "data", "train.csv", new ByteArrayInputStream(
        MlServiceTest.csv(in, "y", 100, 1, x -> 2 * x[0] + x[1])));
    return spec;
  }

  @Test
  void aJobSaysWhereItIsAndEndsWithTheVersionItMade() throws Exception {
    try (MlService ml = new MlService(dir, Clock.systemUTC(), queued::add)) {
      ModelSpec spec = withData(ml);
      TrainingJob job = ml.startTraining(spec.id(), null);
      assertThat(job.snapshot().state()).isEqualTo(TrainingJob.State.RUNNING);
      assertThat(job.snapshot().phase()).isEqualTo("queued");
      assertThatThrownBy(() -> ml.startTraining(spec.id(), null))
          .isInstanceOf(MlService.Busy.class);

      queued.pop().run();
      TrainingJob.Snapshot s = ml.job(spec.id(), job.id()).snapshot();
      assertThat(s.state()).isEqualTo(TrainingJob.State.DONE);
      assertThat(s.done()).isEqualTo(1.0);
      assertThat(s.version()).isEqualTo(1);
      assertThat(s.endedMillis()).isPositive();
      assertThat(ml.versions(spec.id())).singleElement()
          .satisfies(v -> assertThat(v.stage()).isEqualTo(Stage.SERVING));
      assertThat(job.cancel()).as("it has ended").isFalse();
      assertThatThrownBy(() -> ml.job(spec.id(), "nope")).isInstanceOf(MlService.NotFound.class);
    }
  }

  @Test
  void aCancelledJobKeepsNothingAndFreesTheTrainingSlot() throws Exception {
    try (MlService ml = new MlService(dir, Clock.systemUTC(), queued::add)) {
      ModelSpec spec = withData(ml);
      TrainingJob job = ml.startTraining(spec.id(), null);
      assertThat(job.cancel()).isTrue();
      queued.pop().run();
      assertThat(job.snapshot().state()).isEqualTo(TrainingJob.State.CANCELLED);
      assertThat(ml.versions(spec.id())).isEmpty();

      TrainingJob next = ml.startTraining(spec.id(), null); // the slot is free again
      queued.pop().run();
      assertThat(next.snapshot().state()).isEqualTo(TrainingJob.State.DONE);
    }
  }

  @Test
  void aJobThatCannotTrainFailsWithTheReason() throws Exception {
    try (MlService ml = new MlService(dir, Clock.systemUTC(), queued::add)) {
      ModelSpec spec = ml.register(MlServiceTest.spec(ModelKind.REGRESSION, Algorithm.LINEAR,
          List.of("a"), "y", Map.of()));
      TrainingJob job = ml.startTraining(spec.id(), null);
      queued.pop().run();
      assertThat(job.snapshot().state()).isEqualTo(TrainingJob.State.FAILED);
      assertThat(job.snapshot().error()).startsWith("data: model m has no data upload");
      assertThat(ml.startTraining(spec.id(), null)).as("the slot is free").isNotNull();
    }
  }
}
