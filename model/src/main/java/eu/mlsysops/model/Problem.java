package eu.mlsysops.model;

import java.util.Objects;

/**
 * One finding about a descriptor source.
 *
 * @param severity whether the descriptor is rejected ({@link Severity#ERROR}) or merely flagged
 * @param source the source name given to {@link Descriptors#parse}, with {@code #n} appended (n
 *     from 1) when the source holds several YAML documents
 * @param path the field path relative to the descriptor body, e.g. {@code
 *     components[1].containers[0].platform_requirements.cpu.requests}; empty for problems with the
 *     text as a whole (syntax errors carry {@code line:column} in the message instead)
 * @param message what is wrong and, where known, what was expected
 */
public record Problem(Severity severity, String source, String path, String message) {

  /**
   * Checks that no component is null.
   *
   * @param severity see the record description
   * @param source see the record description
   * @param path see the record description
   * @param message see the record description
   */
  public Problem {
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
  }

  /**
   * Tells whether this is an error.
   *
   * @return true for {@link Severity#ERROR}
   */
  public boolean isError() {
    return severity == Severity.ERROR;
  }

  /** Returns {@code source: path: message}, or {@code source: message} when the path is empty. */
  @Override
  public String toString() {
    return path.isEmpty() ? source + ": " + message : source + ": " + path + ": " + message;
  }
}
