package eu.mlsysops.model;

import java.util.Locale;

/** How serious a {@link Problem} is. */
public enum Severity {
  /** The descriptor is unusable as written; it is left out of {@link ParseResult#descriptors()}. */
  ERROR,
  /** The descriptor was accepted, possibly after normalising a variant spelling. */
  WARNING;

  /** Returns the lower-case word used in reports: {@code error} or {@code warning}. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
