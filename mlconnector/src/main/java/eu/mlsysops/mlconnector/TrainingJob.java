package eu.mlsysops.mlconnector;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A training that runs in the background ({@link MlService#startTraining}): where it is, how far
 * it got, and how it ended. Cancelling takes effect at the next phase (a trainer in the middle of
 * its work is not stopped: its result is dropped); nothing of a cancelled or failed job is kept.
 * Thread-safe.
 */
public final class TrainingJob {
  /** How a job stands. */
  public enum State { RUNNING, DONE, FAILED, CANCELLED }

  /**
   * A job as it is now.
   *
   * @param done how far it got, 0 to 1
   * @param version the version it made (DONE), else 0
   * @param error why it failed (FAILED), else null
   */
  public record Snapshot(String id, ModelId model, State state, String phase, double done,
      int version, String error, long startedMillis, long endedMillis) {}

  private final String id;
  private final ModelId model;
  private final long startedMillis;
  private final AtomicBoolean cancel = new AtomicBoolean();
  private volatile Snapshot now;

  TrainingJob(String id, ModelId model, long startedMillis) {
    this.id = Objects.requireNonNull(id);
    this.model = Objects.requireNonNull(model);
    this.startedMillis = startedMillis;
    this.now = new Snapshot(id, model, State.RUNNING, "queued", 0, 0, null, startedMillis, 0);
  }

  public String id() {
    return id;
  }

  public ModelId model() {
    return model;
  }

  public Snapshot snapshot() {
    return now;
  }

  /** Asks the job to stop at its next phase; false when it has ended already. */
  public boolean cancel() {
    cancel.set(true);
    return now.state() == State.RUNNING;
  }

  /** Thrown at a phase of a job that was cancelled. */
  static final class Cancelled extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Cancelled() {
      super("cancelled", null, false, false);
    }
  }

  /** A phase begins; throws {@link Cancelled} when the job was cancelled. */
  void at(String phase, double done) {
    if (cancel.get()) {
      throw new Cancelled();
    }
    now = new Snapshot(id, model, State.RUNNING, phase, done, 0, null, startedMillis, 0);
  }

  void ended(State state, int version, String error, long atMillis) {
    Snapshot s = now;
    now = new Snapshot(id, model, state, state == State.DONE ? "done" : s.phase(),
        state == State.DONE ? 1 : s.done(), version, error, startedMillis, atMillis);
  }
}
