package eu.mlsysops.telemetry.prometheus;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict, line-by-line check of the Prometheus text format 0.0.4 as this project writes it: every
 * line is a HELP, TYPE or sample line; a family's TYPE comes before its samples, at most once; a
 * family's lines are contiguous; sample names belong to their family (with {@code _bucket}, {@code
 * _sum}, {@code _count} for histograms and summaries); buckets carry {@code le}.
 */
final class TextFormatChecker {
  private TextFormatChecker() {}

  static final String METRIC_NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
  static final String LABEL_NAME = "[a-zA-Z_][a-zA-Z0-9_]*";
  static final String LABEL_VALUE = "\"(?:[^\"\\\\\\n]|\\\\\\\\|\\\\\"|\\\\n)*\"";
  static final String VALUE =
      "(?:NaN|[+-]Inf|[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?)";

  static final Pattern HELP =
      Pattern.compile("# HELP (" + METRIC_NAME + ") (?:[^\\\\\\n]|\\\\\\\\|\\\\n)*");
  static final Pattern TYPE =
      Pattern.compile("# TYPE (" + METRIC_NAME + ") (counter|gauge|histogram|summary|untyped)");
  static final Pattern SAMPLE =
      Pattern.compile(
          "("
              + METRIC_NAME
              + ")(\\{"
              + LABEL_NAME
              + "="
              + LABEL_VALUE
              + "(?:,"
              + LABEL_NAME
              + "="
              + LABEL_VALUE
              + ")*\\})? "
              + VALUE
              + "(?: -?[0-9]+)?");

  /** The problems found, empty when the text is valid. */
  static List<String> problems(String text) {
    List<String> problems = new ArrayList<>();
    if (!text.isEmpty() && !text.endsWith("\n")) {
      problems.add("does not end with a newline");
    }
    Set<String> typed = new HashSet<>();
    Set<String> finished = new HashSet<>();
    Set<String> withSamples = new HashSet<>();
    String family = null;
    String type = "untyped";
    int n = 0;
    for (String line : text.split("\n", -1)) {
      n++;
      if (line.isEmpty() && n == text.split("\n", -1).length) {
        break; // after the final newline
      }
      Matcher m;
      if ((m = HELP.matcher(line)).matches() || (m = TYPE.matcher(line)).matches()) {
        String name = m.group(1);
        if (!name.equals(family)) {
          if (family != null) {
            finished.add(family);
          }
          if (finished.contains(name)) {
            problems.add(n + ": family " + name + " is not contiguous");
          }
          family = name;
          type = "untyped";
        }
        if (line.startsWith("# TYPE")) {
          if (!typed.add(name)) {
            problems.add(n + ": second TYPE for " + name);
          }
          if (withSamples.contains(name)) {
            problems.add(n + ": TYPE after samples of " + name);
          }
          type = m.group(2);
        }
      } else if ((m = SAMPLE.matcher(line)).matches()) {
        String name = m.group(1);
        String labels = m.group(2) == null ? "" : m.group(2);
        boolean inFamily =
            name.equals(family)
                || ((type.equals("histogram") || type.equals("summary"))
                    && (name.equals(family + "_sum") || name.equals(family + "_count")))
                || (type.equals("histogram") && name.equals(family + "_bucket"));
        if (!inFamily) {
          if (family != null) {
            finished.add(family);
          }
          if (finished.contains(name) || typed.contains(name)) {
            problems.add(n + ": family " + name + " is not contiguous");
          }
          family = name;
          type = "untyped";
        }
        withSamples.add(family);
        if (name.endsWith("_bucket") && "histogram".equals(type) && !labels.contains("le=\"")) {
          problems.add(n + ": bucket without le: " + line);
        }
        if ("histogram".equals(type) && name.equals(family)) {
          problems.add(n + ": histogram sample without suffix: " + line);
        }
      } else {
        problems.add(n + ": not a valid line: " + line);
      }
    }
    return problems;
  }
}
