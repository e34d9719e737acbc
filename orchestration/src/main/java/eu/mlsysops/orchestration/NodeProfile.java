package eu.mlsysops.orchestration;

import java.util.List;

/**
 * What the simulation needs to know of a node, with every default already applied (see {@link
 * NodeDefaults}).
 *
 * @param freqsGhz available frequency steps, ascending, non-empty
 */
record NodeProfile(
    String name,
    String clusterId,
    int cores,
    List<Double> freqsGhz,
    long memoryBytes,
    double idleWatts,
    double maxWatts) {
  NodeProfile {
    freqsGhz = List.copyOf(freqsGhz);
  }

  double maxGhz() {
    return freqsGhz.get(freqsGhz.size() - 1);
  }
}
