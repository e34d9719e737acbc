package eu.mlsysops.telemetry;

import java.util.List;

/**
 * A store whose reads may leave parts out: stores of agents in other processes that did not
 * answer in time. What it says here is returned with a query's result (Prometheus' {@code
 * warnings}), so nobody takes a partial answer for a whole one.
 */
public interface PartialResults {

  /** What the reads so far left out, each naming who; empty when nothing was. */
  List<String> warnings();
}
