package eu.mlsysops.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the problems of one document. Caps what it keeps so that a hostile document with a
 * million bad fields yields a readable report, but keeps counting errors exactly.
 */
final class ProblemSink {
  static final int MAX_PROBLEMS = 500;
  private static final int MAX_MESSAGE = 300;

  private final String source;
  private final boolean strict;
  private final List<Problem> problems = new ArrayList<>();
  private int errors;
  private int dropped;

  ProblemSink(String source, boolean strict) {
    this.source = source;
    this.strict = strict;
  }

  String source() {
    return source;
  }

  void error(String path, String message) {
    errors++;
    add(new Problem(Severity.ERROR, source, path, message));
  }

  void warning(String path, String message) {
    add(new Problem(Severity.WARNING, source, path, message));
  }

  /** A field the schema does not know: an error in strict mode, a warning otherwise. */
  void unknownField(String path, String message) {
    if (strict) {
      error(path, message);
    } else {
      warning(path, message);
    }
  }

  int errorCount() {
    return errors;
  }

  private void add(Problem problem) {
    if (problem.message().length() > MAX_MESSAGE) {
      // Messages embed names from the input; a hostile input must not make them huge.
      problem =
          new Problem(
              problem.severity(),
              problem.source(),
              problem.path(),
              problem.message().substring(0, MAX_MESSAGE) + "...");
    }
    if (problems.size() < MAX_PROBLEMS) {
      problems.add(problem);
    } else {
      dropped++;
    }
  }

  /** The problems, with a closing note when some were dropped. */
  List<Problem> problems() {
    if (dropped == 0) {
      return problems;
    }
    List<Problem> all = new ArrayList<>(problems);
    all.add(
        new Problem(
            errors > 0 ? Severity.ERROR : Severity.WARNING,
            source,
            "",
            dropped + " more problems not shown"));
    return all;
  }

  /** Path of a field below {@code parent}; odd keys are quoted so the path stays unambiguous. */
  static String field(String parent, String name) {
    boolean plain =
        !name.isEmpty()
            && name.length() <= 100
            && name.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '_' || c == '-');
    String segment = plain ? name : "[" + ValueText.quote(name) + "]";
    if (parent.isEmpty()) {
      return segment;
    }
    return plain ? parent + "." + segment : parent + segment;
  }

  /** Path of an array item. */
  static String index(String parent, int i) {
    return parent + "[" + i + "]";
  }
}
