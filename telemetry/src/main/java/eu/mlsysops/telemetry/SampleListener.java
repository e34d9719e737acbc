package eu.mlsysops.telemetry;

/**
 * Told about every sample appended for a metric it subscribed to. Called on the appending thread,
 * so implementations must only record the event and return (the agent's analysis engine coalesces
 * wake-ups; it never analyses inline).
 */
@FunctionalInterface
public interface SampleListener {
  void onSample(Sample sample);
}
