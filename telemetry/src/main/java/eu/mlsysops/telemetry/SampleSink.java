package eu.mlsysops.telemetry;

/**
 * Where telemetry goes once it has been received or collected: an agent's metric store, an agent
 * that stores and forwards, or a test collector. Receivers and collectors write to a sink and never
 * know which.
 */
public interface SampleSink {

  /**
   * Takes one sample.
   *
   * @return false when the sink refused it (e.g. the series limit is reached); the caller counts
   *     and reports refusals, the sink never throws for bad values
   */
  boolean accept(Sample sample);

  /**
   * Takes one sample like {@link #accept}, and says why when it refuses it, for the sender's
   * error message. Sinks that know why override it; the default's refusals are {@link
   * SampleBatch.Refusal#UNSPECIFIED}.
   *
   * @return null when the sink kept the sample, else why not
   */
  default SampleBatch.Refusal offer(Sample sample) {
    return accept(sample) ? null : SampleBatch.Refusal.UNSPECIFIED;
  }

  /**
   * Takes every sample of a batch of one metric, marking each it keeps ({@link
   * SampleBatch#accepted(int, boolean)}) or why not ({@link SampleBatch#refused}); the same as
   * {@link #offer} for each in order, which is what the default does. Sinks that can look a
   * metric up once per batch override it.
   *
   * <p>The default goes on after a sample whose {@code accept} throws (that sample counts as
   * refused) and rethrows the first exception at the end, so callers can report it.
   */
  default void acceptBatch(SampleBatch batch) {
    RuntimeException first = null;
    for (int i = 0; i < batch.size(); i++) {
      SampleBatch.Refusal why;
      try {
        why = offer(batch.sample(i));
      } catch (RuntimeException e) {
        first = first == null ? e : first;
        why = SampleBatch.Refusal.UNSPECIFIED;
      }
      if (why == null) {
        batch.accepted(i, true);
      } else {
        batch.refused(i, why);
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** Records what a metric is (type, unit, help). Sinks that keep no metadata ignore it. */
  default void describe(String metric, MetricMetadata metadata) {}
}
