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

  /** Records what a metric is (type, unit, help). Sinks that keep no metadata ignore it. */
  default void describe(String metric, MetricMetadata metadata) {}
}
