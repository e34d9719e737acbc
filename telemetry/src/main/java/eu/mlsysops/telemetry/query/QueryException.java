package eu.mlsysops.telemetry.query;

/**
 * A query that cannot be parsed or evaluated: a syntax error, a type error ({@code rate} of an
 * instant vector), an unsupported construct, or an evaluation error such as many-to-many matching.
 * The message starts with the position, {@code line:column: reason}, e.g. {@code 1:14: expected "]"
 * after range duration}; bad parameters of a range query carry no position.
 */
public final class QueryException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String reason;
  private final int offset;
  private final int line;
  private final int column;

  private QueryException(String reason, int offset, int line, int column) {
    super(offset < 0 ? reason : line + ":" + column + ": " + reason);
    this.reason = reason;
    this.offset = offset;
    this.line = line;
    this.column = column;
  }

  /** An error at a character offset of the query text. */
  static QueryException at(String query, int offset, String reason) {
    int o = Math.max(0, Math.min(offset, query.length()));
    int line = 1;
    int col = 1;
    for (int i = 0; i < o; i++) {
      if (query.charAt(i) == '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    return new QueryException(reason, o, line, col);
  }

  /**
   * An error that is not about a place in the query (e.g. a range query's step, or a store's
   * limit reached).
   */
  public static QueryException general(String reason) {
    return new QueryException(reason, -1, 0, 0);
  }

  /** What is wrong, without the position. */
  public String reason() {
    return reason;
  }

  /** Zero-based character offset into the query, or -1 when the error has no position. */
  public int offset() {
    return offset;
  }

  /** One-based line, or 0 when the error has no position. */
  public int line() {
    return line;
  }

  /** One-based column (in characters), or 0 when the error has no position. */
  public int column() {
    return column;
  }
}
