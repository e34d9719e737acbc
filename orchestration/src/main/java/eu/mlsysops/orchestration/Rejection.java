package eu.mlsysops.orchestration;

import java.util.Objects;

/**
 * Why one node cannot host a component: a short normalised category that can be counted (and
 * exported as a metric label), plus a detail saying what was needed or what was missing.
 *
 * <p>{@link #text()} joins them the way {@link Placement#summary()} shows them: a detail that
 * states a need ({@code need 500m}) is put in parentheses, one that names the missing thing ({@code
 * camera/d455}) follows the category.
 *
 * <ul>
 *   <li>{@code insufficient cpu} + {@code need 500m} → {@code insufficient cpu (need 500m)}
 *   <li>{@code missing sensor} + {@code camera/d455} → {@code missing sensor camera/d455}
 *   <li>{@code wrong continuum_layer} + no detail → {@code wrong continuum_layer}
 * </ul>
 *
 * @param category e.g. {@code insufficient cpu}; the same for every node rejected by one check
 * @param detail e.g. {@code need 500m}; empty when the category says everything
 */
public record Rejection(String category, String detail) {
  /**
   * Validates the parts.
   *
   * @param category see the record description
   * @param detail see the record description; null becomes empty
   */
  public Rejection {
    Objects.requireNonNull(category, "category");
    if (category.isBlank()) {
      throw new IllegalArgumentException("a rejection needs a category");
    }
    detail = detail == null ? "" : detail;
  }

  /** A rejection whose category says everything. */
  public static Rejection of(String category) {
    return new Rejection(category, "");
  }

  /**
   * The line shown to people and counted in summaries, e.g. {@code insufficient cpu (need 500m)}.
   */
  public String text() {
    if (detail.isEmpty()) {
      return category;
    }
    return detail.startsWith("need") ? category + " (" + detail + ")" : category + " " + detail;
  }

  /** Same as {@link #text()}. */
  @Override
  public String toString() {
    return text();
  }
}
