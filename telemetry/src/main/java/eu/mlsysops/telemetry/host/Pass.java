package eu.mlsysops.telemetry.host;

import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One collection pass: its timestamp, the node label every sample gets, the samples so far and the
 * problems met. Parsers write here instead of throwing, so one bad file or line costs only itself.
 */
final class Pass {
  final long timestampMillis;
  final Labels node;
  final String nodeName;
  final List<Sample> samples = new ArrayList<>(160);

  /** Problems per source in this pass, with the first detail of each for the log. */
  final Map<String, Integer> errors = new TreeMap<>();

  final Map<String, String> firstError = new TreeMap<>();

  Pass(long timestampMillis, String nodeName) {
    this.timestampMillis = timestampMillis;
    this.nodeName = nodeName;
    this.node = Labels.of("node", nodeName);
  }

  void add(String metric, Labels labels, double value) {
    samples.add(new Sample(metric, labels, timestampMillis, value));
  }

  void add(String metric, double value) {
    add(metric, node, value);
  }

  /** Labels of this node plus one more. */
  Labels labels(String name, String value) {
    return Labels.of("node", nodeName, name, value);
  }

  /** Labels of this node plus two more. */
  Labels labels(String name1, String value1, String name2, String value2) {
    return Labels.of("node", nodeName, name1, value1, name2, value2);
  }

  void error(String source, String detail) {
    errors.merge(source, 1, Integer::sum);
    firstError.putIfAbsent(source, detail);
  }
}
