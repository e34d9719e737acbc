package eu.mlsysops.telemetry.query;

/** The type of a PromQL expression, known once it is parsed. */
public enum ValueType {
  /** One number per evaluation time. */
  SCALAR("scalar"),
  /** One value per series per evaluation time. */
  VECTOR("instant vector"),
  /** A window of samples per series; only as a function argument or an instant query's result. */
  MATRIX("range vector"),
  /** A string literal; only as a function argument ({@code label_replace}, {@code label_join}). */
  STRING("string");

  private final String text;

  ValueType(String text) {
    this.text = text;
  }

  /** The name PromQL error messages use ("instant vector"). */
  public String text() {
    return text;
  }
}
