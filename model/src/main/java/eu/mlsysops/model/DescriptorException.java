package eu.mlsysops.model;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown by the convenience methods of {@link Descriptors} when a source has errors. Bad input, so
 * retrying cannot help; the problems carry the field paths.
 */
public final class DescriptorException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final transient List<Problem> problems;

  /**
   * Creates the exception; the message is the error problems, one per line.
   *
   * @param problems the problems found; at least one should be an error
   */
  public DescriptorException(List<Problem> problems) {
    super(message(problems));
    this.problems = List.copyOf(problems);
  }

  private static String message(List<Problem> problems) {
    List<Problem> errors = problems.stream().filter(Problem::isError).toList();
    return (errors.isEmpty() ? problems : errors)
        .stream().map(Problem::toString).collect(Collectors.joining("\n"));
  }

  /**
   * Returns all problems, errors and warnings.
   *
   * @return the problems, in source order
   */
  public List<Problem> problems() {
    return problems;
  }
}
