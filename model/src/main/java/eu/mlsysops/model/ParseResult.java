package eu.mlsysops.model;

import java.util.List;
import java.util.Objects;

/**
 * What {@link Descriptors#parse} found in one source.
 *
 * @param descriptors the descriptors that had no errors, in source order
 * @param problems every error and warning, in source order
 */
public record ParseResult(List<Descriptor> descriptors, List<Problem> problems) {

  /**
   * Copies both lists; nulls become empty lists.
   *
   * @param descriptors see the record description
   * @param problems see the record description
   */
  public ParseResult {
    descriptors = descriptors == null ? List.of() : List.copyOf(descriptors);
    problems = problems == null ? List.of() : List.copyOf(problems);
  }

  /**
   * Tells whether any problem is an error.
   *
   * @return true if at least one {@link Severity#ERROR} was found
   */
  public boolean hasErrors() {
    return problems.stream().anyMatch(Problem::isError);
  }

  /**
   * Returns the errors only.
   *
   * @return the problems with {@link Severity#ERROR}, in source order
   */
  public List<Problem> errors() {
    return problems.stream().filter(Problem::isError).toList();
  }

  /**
   * Returns the warnings only.
   *
   * @return the problems with {@link Severity#WARNING}, in source order
   */
  public List<Problem> warnings() {
    return problems.stream().filter(p -> !p.isError()).toList();
  }

  /**
   * Returns the descriptors of one type, e.g. {@code ofType(NodeDescriptor.class)}.
   *
   * @param type the descriptor record class
   * @param <T> the descriptor type
   * @return the matching descriptors, in source order
   */
  public <T extends Descriptor> List<T> ofType(Class<T> type) {
    Objects.requireNonNull(type, "type");
    return descriptors.stream().filter(type::isInstance).map(type::cast).toList();
  }
}
