package eu.mlsysops.telemetry.query;

import eu.mlsysops.telemetry.LabelMatcher;
import java.util.List;
import java.util.Locale;

/** A parsed PromQL expression; {@code pos} is the character offset errors point at. */
sealed interface Expr {
  int pos();

  ValueType type();

  /** A string literal, as a function argument. */
  record StringLiteral(String value, int pos) implements Expr {
    @Override
    public ValueType type() {
      return ValueType.STRING;
    }
  }

  /** A number literal. */
  record NumberLiteral(double value, int pos) implements Expr {
    @Override
    public ValueType type() {
      return ValueType.SCALAR;
    }
  }

  /**
   * {@code name{matchers}}: {@code metric} is null when the name is given only by {@code __name__}
   * matchers other than equality ({@code nameMatchers}).
   */
  record Selector(
      String metric, List<LabelMatcher> matchers, List<LabelMatcher> nameMatchers,
      long offsetMillis, int pos)
      implements Expr {
    /** The same selector reading {@code offsetMillis} in the past ({@code x offset 5m}). */
    Selector withOffset(long offsetMillis) {
      return new Selector(metric, matchers, nameMatchers, offsetMillis, pos);
    }

    @Override
    public ValueType type() {
      return ValueType.VECTOR;
    }
  }

  /** {@code selector[range]}. */
  record RangeSelector(Selector selector, long rangeMillis, int pos) implements Expr {
    @Override
    public ValueType type() {
      return ValueType.MATRIX;
    }
  }

  /** A function call, arguments already type-checked. */
  record Call(Function function, List<Expr> args, int pos) implements Expr {
    @Override
    public ValueType type() {
      return function.returns;
    }
  }

  /**
   * {@code op by|without (labels) ([param,] expr)}; {@code grouping} null when neither was given;
   * {@code param} the scalar of {@code topk}, {@code bottomk} and {@code quantile}, null for the
   * others; {@code label} the label name of {@code count_values}, else null.
   */
  record Aggregation(AggregationOp op, Expr param, String label, Expr expr, List<String> grouping,
      boolean without, int pos) implements Expr {
    @Override
    public ValueType type() {
      return ValueType.VECTOR;
    }
  }

  /**
   * {@code lhs op lhs}; {@code on} and {@code ignoring} are null unless given (only between two
   * vectors); {@code card} says which side may have many series per match group ({@code
   * group_left} / {@code group_right}, whose labels copied from the one side are {@code include});
   * set operators are {@link Card#MANY_TO_MANY}.
   */
  record Binary(
      BinaryOp op,
      Expr lhs,
      Expr rhs,
      boolean returnBool,
      List<String> on,
      List<String> ignoring,
      Card card,
      List<String> include,
      int pos)
      implements Expr {
    @Override
    public ValueType type() {
      return lhs.type() == ValueType.SCALAR && rhs.type() == ValueType.SCALAR
          ? ValueType.SCALAR
          : ValueType.VECTOR;
    }
  }

  /** How many series of each side one match group may have. */
  enum Card {
    ONE_TO_ONE,
    /** {@code group_left}: many on the left. */
    MANY_TO_ONE,
    /** {@code group_right}: many on the right. */
    ONE_TO_MANY,
    /** The set operators {@code and}, {@code or}, {@code unless}. */
    MANY_TO_MANY
  }

  /** Unary minus. */
  record Negate(Expr expr, int pos) implements Expr {
    @Override
    public ValueType type() {
      return expr.type();
    }
  }

  /** The aggregation operators. */
  enum AggregationOp {
    SUM,
    AVG,
    MIN,
    MAX,
    COUNT,
    STDDEV,
    STDVAR,
    GROUP,
    TOPK,
    BOTTOMK,
    QUANTILE,
    COUNT_VALUES;

    /** Whether it takes a scalar parameter before its expression. */
    boolean takesScalar() {
      return this == TOPK || this == BOTTOMK || this == QUANTILE;
    }

    static AggregationOp byName(String name) {
      for (AggregationOp op : values()) {
        if (op.name().toLowerCase(Locale.ROOT).equals(name)) {
          return op;
        }
      }
      return null;
    }
  }

  /** Binary operators with PromQL precedence (higher binds tighter). */
  enum BinaryOp {
    OR("or", 1, false),
    AND("and", 2, false),
    UNLESS("unless", 2, false),
    EQL("==", 3, true),
    NEQ("!=", 3, true),
    GTE(">=", 3, true),
    LTE("<=", 3, true),
    GTR(">", 3, true),
    LSS("<", 3, true),
    ADD("+", 4, false),
    SUB("-", 4, false),
    MUL("*", 5, false),
    DIV("/", 5, false),
    MOD("%", 5, false),
    POW("^", 6, false);

    final String symbol;
    final int precedence;
    final boolean comparison;

    BinaryOp(String symbol, int precedence, boolean comparison) {
      this.symbol = symbol;
      this.precedence = precedence;
      this.comparison = comparison;
    }

    /** {@code and}, {@code or}, {@code unless}: they select series rather than compute values. */
    boolean isSet() {
      return precedence <= 2;
    }
  }

  /** Supported functions with their argument and result types. */
  enum Function {
    RATE("rate", ValueType.VECTOR, ValueType.MATRIX),
    IRATE("irate", ValueType.VECTOR, ValueType.MATRIX),
    INCREASE("increase", ValueType.VECTOR, ValueType.MATRIX),
    DELTA("delta", ValueType.VECTOR, ValueType.MATRIX),
    IDELTA("idelta", ValueType.VECTOR, ValueType.MATRIX),
    RESETS("resets", ValueType.VECTOR, ValueType.MATRIX),
    CHANGES("changes", ValueType.VECTOR, ValueType.MATRIX),
    AVG_OVER_TIME("avg_over_time", ValueType.VECTOR, ValueType.MATRIX),
    MIN_OVER_TIME("min_over_time", ValueType.VECTOR, ValueType.MATRIX),
    MAX_OVER_TIME("max_over_time", ValueType.VECTOR, ValueType.MATRIX),
    SUM_OVER_TIME("sum_over_time", ValueType.VECTOR, ValueType.MATRIX),
    COUNT_OVER_TIME("count_over_time", ValueType.VECTOR, ValueType.MATRIX),
    LAST_OVER_TIME("last_over_time", ValueType.VECTOR, ValueType.MATRIX),
    STDDEV_OVER_TIME("stddev_over_time", ValueType.VECTOR, ValueType.MATRIX),
    QUANTILE_OVER_TIME("quantile_over_time", ValueType.VECTOR, ValueType.SCALAR, ValueType.MATRIX),
    DERIV("deriv", ValueType.VECTOR, ValueType.MATRIX),
    PREDICT_LINEAR("predict_linear", ValueType.VECTOR, ValueType.MATRIX, ValueType.SCALAR),
    HISTOGRAM_QUANTILE("histogram_quantile", ValueType.VECTOR, ValueType.SCALAR, ValueType.VECTOR),
    ABS("abs", ValueType.VECTOR, ValueType.VECTOR),
    CEIL("ceil", ValueType.VECTOR, ValueType.VECTOR),
    FLOOR("floor", ValueType.VECTOR, ValueType.VECTOR),
    CLAMP_MIN("clamp_min", ValueType.VECTOR, ValueType.VECTOR, ValueType.SCALAR),
    CLAMP_MAX("clamp_max", ValueType.VECTOR, ValueType.VECTOR, ValueType.SCALAR),
    CLAMP("clamp", ValueType.VECTOR, ValueType.VECTOR, ValueType.SCALAR, ValueType.SCALAR),
    /** The second argument (to the nearest multiple of, default 1) may be left out. */
    ROUND("round", ValueType.VECTOR, ValueType.VECTOR, ValueType.SCALAR),
    SQRT("sqrt", ValueType.VECTOR, ValueType.VECTOR),
    EXP("exp", ValueType.VECTOR, ValueType.VECTOR),
    LN("ln", ValueType.VECTOR, ValueType.VECTOR),
    LOG2("log2", ValueType.VECTOR, ValueType.VECTOR),
    LOG10("log10", ValueType.VECTOR, ValueType.VECTOR),
    SGN("sgn", ValueType.VECTOR, ValueType.VECTOR),
    /** 1 at the steps where the argument has no series (labels from its equality matchers). */
    ABSENT("absent", ValueType.VECTOR, ValueType.VECTOR),
    SCALAR("scalar", ValueType.SCALAR, ValueType.VECTOR),
    VECTOR("vector", ValueType.VECTOR, ValueType.SCALAR),
    LABEL_REPLACE("label_replace", ValueType.VECTOR, ValueType.VECTOR, ValueType.STRING,
        ValueType.STRING, ValueType.STRING, ValueType.STRING),
    /** Variadic: any number of source labels after the first. */
    LABEL_JOIN("label_join", ValueType.VECTOR, ValueType.VECTOR, ValueType.STRING,
        ValueType.STRING, ValueType.STRING),
    TIME("time", ValueType.SCALAR);

    final String text;
    final ValueType returns;
    final List<ValueType> params;

    Function(String text, ValueType returns, ValueType... params) {
      this.text = text;
      this.returns = returns;
      this.params = List.of(params);
    }

    static Function byName(String name) {
      for (Function f : values()) {
        if (f.text.equals(name)) {
          return f;
        }
      }
      return null;
    }

    /** The range function's index of the range-vector argument, or -1. */
    int matrixArg() {
      return params.indexOf(ValueType.MATRIX);
    }
  }
}
