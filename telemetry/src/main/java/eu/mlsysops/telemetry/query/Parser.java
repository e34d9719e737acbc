package eu.mlsysops.telemetry.query;

import eu.mlsysops.telemetry.LabelMatcher;
import eu.mlsysops.telemetry.query.Expr.AggregationOp;
import eu.mlsysops.telemetry.query.Expr.BinaryOp;
import eu.mlsysops.telemetry.query.Expr.Function;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.PatternSyntaxException;

/**
 * Recursive-descent parser of the PromQL subset, working on characters (no token list): operators
 * by precedence climbing, types checked as nodes are built so that every error has a position.
 */
final class Parser {
  private static final String NAME = "__name__";

  private final String src;
  private int pos;

  private Parser(String src) {
    this.src = src;
  }

  static Expr parse(String src) {
    Parser p = new Parser(src);
    p.skipWs();
    if (p.atEnd()) {
      throw p.error(0, "empty query");
    }
    Expr e = p.expr(0);
    p.skipWs();
    if (!p.atEnd()) {
      throw p.error(p.pos, "unexpected " + p.describeHere());
    }
    return e;
  }

  // ---------------------------------------------------------------- expressions

  private Expr expr(int minPrecedence) {
    Expr lhs = unary();
    while (true) {
      skipWs();
      int opPos = pos;
      BinaryOp op = peekBinaryOp();
      if (op == null || op.precedence < minPrecedence) {
        return lhs;
      }
      pos += op.symbol.length();
      boolean returnBool = false;
      List<String> on = null;
      List<String> ignoring = null;
      skipWs();
      if (!op.comparison && peekKeyword("bool")) {
        throw error(pos, "bool modifier can only be used on comparison operators");
      }
      if (op.comparison && peekKeyword("bool")) {
        pos += 4;
        returnBool = true;
        skipWs();
      }
      if (peekKeyword("on")) {
        pos += 2;
        on = labelList("on");
      } else if (peekKeyword("ignoring")) {
        pos += 8;
        ignoring = labelList("ignoring");
      }
      skipWs();
      Expr.Card card = op.isSet() ? Expr.Card.MANY_TO_MANY : Expr.Card.ONE_TO_ONE;
      List<String> include = List.of();
      if (peekKeyword("group_left") || peekKeyword("group_right")) {
        boolean left = peekKeyword("group_left");
        String clause = left ? "group_left" : "group_right";
        if (op.isSet()) {
          throw error(pos, "no grouping allowed for \"" + op.symbol + "\" operation");
        }
        if (on == null && ignoring == null) {
          throw error(pos, clause + " needs on(…) or ignoring(…) before it");
        }
        pos += clause.length();
        skipWs();
        if (!atEnd() && peek() == '(') {
          include = labelList(clause);
          for (String l : include) {
            if (on != null && on.contains(l)) {
              throw error(pos, "label \"" + l + "\" must not occur in ON and GROUP clause at once");
            }
          }
        }
        card = left ? Expr.Card.MANY_TO_ONE : Expr.Card.ONE_TO_MANY;
      }
      // ^ is right-associative, the others left-associative.
      Expr rhs = expr(op == BinaryOp.POW ? op.precedence : op.precedence + 1);
      lhs = binary(op, lhs, rhs, returnBool, on, ignoring, card, include, opPos);
    }
  }

  private Expr binary(
      BinaryOp op,
      Expr lhs,
      Expr rhs,
      boolean returnBool,
      List<String> on,
      List<String> ignoring,
      Expr.Card card,
      List<String> include,
      int opPos) {
    for (Expr side : List.of(lhs, rhs)) {
      if (side.type() == ValueType.MATRIX) {
        throw error(
            side.pos(), "binary expression must contain only scalar and instant vector types");
      }
    }
    boolean scalars = lhs.type() == ValueType.SCALAR && rhs.type() == ValueType.SCALAR;
    if (op.isSet() && (lhs.type() == ValueType.SCALAR || rhs.type() == ValueType.SCALAR)) {
      throw error(opPos, "set operator \"" + op.symbol + "\" not allowed in binary scalar"
          + " expression");
    }
    if (op.comparison && scalars && !returnBool) {
      throw error(opPos, "comparisons between scalars must use the bool modifier");
    }
    if ((on != null || ignoring != null)
        && (lhs.type() != ValueType.VECTOR || rhs.type() != ValueType.VECTOR)) {
      throw error(opPos, "vector matching (on, ignoring) is only allowed between instant vectors");
    }
    return new Expr.Binary(op, lhs, rhs, returnBool, on, ignoring, card, include, opPos);
  }

  private BinaryOp peekBinaryOp() {
    if (atEnd()) {
      return null;
    }
    for (BinaryOp op : BinaryOp.values()) {
      if (op.isSet() ? peekKeyword(op.symbol) : src.startsWith(op.symbol, pos)) {
        return op;
      }
    }
    if (peekKeyword("atan2")) {
      throw error(pos, "operator \"atan2\" is not supported");
    }
    return null;
  }

  private Expr unary() {
    skipWs();
    int start = pos;
    if (!atEnd() && (peek() == '-' || peek() == '+')) {
      boolean minus = peek() == '-';
      pos++;
      Expr operand = expr(BinaryOp.POW.precedence);
      if (operand.type() == ValueType.MATRIX) {
        throw error(operand.pos(), "unary expression only allowed on scalars or instant vectors");
      }
      if (!minus) {
        return operand;
      }
      if (operand instanceof Expr.NumberLiteral n) {
        return new Expr.NumberLiteral(-n.value(), start);
      }
      return new Expr.Negate(operand, start);
    }
    return primary();
  }

  private Expr primary() {
    skipWs();
    if (atEnd()) {
      throw error(pos, "unexpected end of input, expected an expression");
    }
    int start = pos;
    char c = peek();
    if (c == '(') {
      pos++;
      Expr inner = expr(0);
      skipWs();
      expect(')', "expected \")\"");
      skipWs();
      if (!atEnd() && peek() == '[') {
        throw error(
            pos, "ranges are only allowed on vector selectors (subqueries are not supported)");
      }
      return inner;
    }
    if (isDigit(c) || (c == '.' && pos + 1 < src.length() && isDigit(src.charAt(pos + 1)))) {
      return number();
    }
    if (c == '"' || c == '\'' || c == '`') {
      throw error(pos, "string literals are only allowed as label values");
    }
    if (c == '{') {
      return rangeSuffix(selector(null, start));
    }
    if (isNameStart(c)) {
      String ident = metricName();
      String lower = ident.toLowerCase(Locale.ROOT);
      if (lower.equals("inf") || lower.equals("nan")) {
        return new Expr.NumberLiteral(
            lower.equals("inf") ? Double.POSITIVE_INFINITY : Double.NaN, start);
      }
      AggregationOp agg = AggregationOp.byName(ident);
      int afterIdent = pos;
      skipWs();
      boolean paren = !atEnd() && peek() == '(';
      if (agg != null && (paren || peekKeyword("by") || peekKeyword("without"))) {
        return aggregation(agg, start);
      }
      if (paren) {
        return call(ident, start);
      }
      if (ident.equals("offset") || ident.equals("by") || ident.equals("without")) {
        throw error(start, "unexpected keyword \"" + ident + "\"");
      }
      pos = afterIdent;
      skipWs();
      Expr.Selector sel =
          !atEnd() && peek() == '{' ? selector(ident, start) : selectorOf(ident, List.of(), start);
      return rangeSuffix(sel);
    }
    throw error(pos, "unexpected " + describeHere());
  }

  private Expr rangeSuffix(Expr.Selector sel) {
    skipWs();
    Expr e = sel;
    if (!atEnd() && peek() == '[') {
      pos++;
      skipWs();
      long range = duration();
      skipWs();
      if (!atEnd() && peek() == ':') {
        throw error(pos, "subqueries are not supported");
      }
      expect(']', "expected \"]\" after range duration");
      e = new Expr.RangeSelector(sel, range, sel.pos());
      skipWs();
    }
    if (peekKeyword("offset")) {
      pos += 6;
      skipWs();
      int at = pos;
      if (!atEnd() && peek() == '-') {
        throw error(at, "negative offsets are not supported");
      }
      long offset = duration();
      sel = sel.withOffset(offset);
      e = e instanceof Expr.RangeSelector r ? new Expr.RangeSelector(sel, r.rangeMillis(), r.pos())
          : sel;
      skipWs();
    }
    if (!atEnd() && peek() == '@') {
      throw error(pos, "the @ modifier is not supported");
    }
    return e;
  }

  private Expr aggregation(AggregationOp op, int start) {
    List<String> grouping = null;
    boolean without = false;
    skipWs();
    if (peekKeyword("by") || peekKeyword("without")) {
      without = peekKeyword("without");
      pos += without ? 7 : 2;
      grouping = labelList(without ? "without" : "by");
      skipWs();
    }
    String name = op.name().toLowerCase(Locale.ROOT);
    expect('(', "expected \"(\" after aggregation " + name);
    Expr param = null;
    String label = null;
    skipWs();
    if (op.takesScalar()) {
      param = expr(0);
      if (param.type() != ValueType.SCALAR) {
        throw error(param.pos(), "expected type scalar as the parameter of " + name + ", got "
            + param.type().text());
      }
      skipWs();
      expect(',', "expected \",\" after the parameter of " + name);
    } else if (op == AggregationOp.COUNT_VALUES) {
      if (atEnd() || (peek() != '"' && peek() != '\'' && peek() != '`')) {
        throw error(pos, "count_values needs a label name as a string first");
      }
      int at = pos;
      label = string();
      if (!label.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
        throw error(at, "invalid label name \"" + label + "\" for count_values");
      }
      skipWs();
      expect(',', "expected \",\" after the label name of count_values");
    }
    Expr arg = expr(0);
    skipWs();
    if (!atEnd() && peek() == ',') {
      throw error(pos, "aggregation " + name + " takes "
          + (param != null || label != null ? "exactly two arguments" : "exactly one argument"));
    }
    expect(')', "expected \")\" to close aggregation " + name);
    skipWs();
    if (peekKeyword("by") || peekKeyword("without")) {
      if (grouping != null) {
        throw error(pos, "aggregation " + name + " has two grouping clauses");
      }
      without = peekKeyword("without");
      pos += without ? 7 : 2;
      grouping = labelList(without ? "without" : "by");
    }
    if (arg.type() != ValueType.VECTOR) {
      throw error(
          arg.pos(),
          "expected type instant vector in aggregation expression, got " + arg.type().text());
    }
    return new Expr.Aggregation(op, param, label, arg, grouping, without, start);
  }

  private Expr call(String name, int start) {
    Function fn = Function.byName(name);
    if (fn == null) {
      throw error(start, "unknown function \"" + name + "\"");
    }
    expect('(', "expected \"(\"");
    List<Expr> args = new ArrayList<>();
    skipWs();
    if (!atEnd() && peek() == ')') {
      pos++;
    } else {
      while (true) {
        skipWs();
        int i = args.size();
        boolean stringParam = i < fn.params.size() && fn.params.get(i) == ValueType.STRING
            || fn == Function.LABEL_JOIN && i >= fn.params.size();
        if (stringParam && !atEnd() && (peek() == '"' || peek() == '\'' || peek() == '`')) {
          int at = pos;
          args.add(new Expr.StringLiteral(string(), at));
        } else {
          args.add(expr(0));
        }
        skipWs();
        if (!atEnd() && peek() == ',') {
          pos++;
          continue;
        }
        expect(')', "expected \",\" or \")\" in call to function \"" + name + "\"");
        break;
      }
    }
    boolean variadic = fn == Function.LABEL_JOIN && args.size() > fn.params.size();
    boolean optionalLeftOut = fn == Function.ROUND && args.size() == 1;
    if (args.size() != fn.params.size() && !variadic && !optionalLeftOut) {
      throw error(
          start,
          "function \""
              + name
              + "\" takes "
              + (fn == Function.ROUND ? "1 or " : "")
              + fn.params.size()
              + (fn.params.size() == 1 ? " argument" : " arguments")
              + ", got "
              + args.size());
    }
    for (int i = 0; i < args.size(); i++) {
      ValueType want = i < fn.params.size() ? fn.params.get(i) : ValueType.STRING;
      ValueType got = args.get(i).type();
      if (want != got) {
        throw error(
            args.get(i).pos(),
            "expected type "
                + want.text()
                + " in call to function \""
                + name
                + "\", got "
                + got.text());
      }
    }
    if (fn == Function.LABEL_REPLACE || fn == Function.LABEL_JOIN) {
      Expr.StringLiteral dst = (Expr.StringLiteral) args.get(1);
      if (!dst.value().matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
        throw error(dst.pos(), "invalid destination label name in " + name + "(): \""
            + dst.value() + "\"");
      }
      if (fn == Function.LABEL_REPLACE) {
        Expr.StringLiteral regex = (Expr.StringLiteral) args.get(4);
        try {
          Evaluator.anchored(regex.value());
        } catch (java.util.regex.PatternSyntaxException e) {
          throw error(regex.pos(), "invalid regular expression in label_replace(): "
              + e.getDescription());
        }
      }
    }
    return new Expr.Call(fn, List.copyOf(args), start);
  }

  // ---------------------------------------------------------------- selectors

  private Expr.Selector selector(String metric, int start) {
    expect('{', "expected \"{\"");
    List<LabelMatcher> matchers = new ArrayList<>();
    String name = metric;
    while (true) {
      skipWs();
      if (atEnd()) {
        throw error(pos, "expected label matcher or \"}\"");
      }
      if (peek() == '}') {
        pos++;
        break;
      }
      int labelPos = pos;
      String label;
      if (peek() == '"' || peek() == '\'' || peek() == '`') {
        String quoted = string();
        skipWs();
        if (!atEnd() && (peek() == ',' || peek() == '}')) {
          // {"http.server.duration"}: a quoted metric name.
          if (name != null) {
            throw error(labelPos, "metric name given twice");
          }
          name = quoted;
          if (peek() == ',') {
            pos++;
          }
          continue;
        }
        label = quoted;
      } else if (isLabelStart(peek())) {
        label = labelName();
      } else {
        throw error(pos, "expected label name, got " + describeHere());
      }
      skipWs();
      LabelMatcher.Type type = matchOp();
      if (type == null) {
        throw error(
            pos,
            "expected label matching operator (=, !=, =~, !~) after label name \"" + label + "\"");
      }
      skipWs();
      int valuePos = pos;
      if (atEnd() || (peek() != '"' && peek() != '\'' && peek() != '`')) {
        throw error(pos, "expected quoted label value after " + label + type.symbol());
      }
      String value = string();
      LabelMatcher m;
      try {
        m = LabelMatcher.of(label, type, value);
      } catch (PatternSyntaxException ex) {
        throw error(
            valuePos, "invalid regular expression \"" + value + "\": " + ex.getDescription());
      }
      if (label.equals(NAME) && type == LabelMatcher.Type.EQUAL) {
        if (name != null && !name.equals(value)) {
          throw error(labelPos, "metric name given twice");
        }
        name = value;
      } else {
        matchers.add(m);
      }
      skipWs();
      if (!atEnd() && peek() == ',') {
        pos++;
        continue;
      }
      if (!atEnd() && peek() == '}') {
        pos++;
        break;
      }
      throw error(pos, "expected \",\" or \"}\" after label matcher, got " + describeHere());
    }
    return selectorOf(name, matchers, start);
  }

  private Expr.Selector selectorOf(String metric, List<LabelMatcher> all, int start) {
    List<LabelMatcher> labels = new ArrayList<>();
    List<LabelMatcher> names = new ArrayList<>();
    boolean nonEmpty = metric != null;
    for (LabelMatcher m : all) {
      (m.name().equals(NAME) ? names : labels).add(m);
      nonEmpty |= !m.matches((String) null);
    }
    if (!nonEmpty) {
      throw error(start, "vector selector must contain a metric name or a non-empty matcher");
    }
    return new Expr.Selector(metric, List.copyOf(labels), List.copyOf(names), 0, start);
  }

  private LabelMatcher.Type matchOp() {
    if (src.startsWith("=~", pos)) {
      pos += 2;
      return LabelMatcher.Type.REGEX;
    }
    if (src.startsWith("!~", pos)) {
      pos += 2;
      return LabelMatcher.Type.NOT_REGEX;
    }
    if (src.startsWith("!=", pos)) {
      pos += 2;
      return LabelMatcher.Type.NOT_EQUAL;
    }
    if (src.startsWith("==", pos)) {
      return null;
    }
    if (src.startsWith("=", pos)) {
      pos += 1;
      return LabelMatcher.Type.EQUAL;
    }
    return null;
  }

  private List<String> labelList(String clause) {
    skipWs();
    expect('(', "expected \"(\" after " + clause);
    List<String> labels = new ArrayList<>();
    while (true) {
      skipWs();
      if (!atEnd() && peek() == ')') {
        pos++;
        return List.copyOf(labels);
      }
      if (atEnd() || !isLabelStart(peek())) {
        throw error(pos, "expected label name in " + clause + " clause, got " + describeHere());
      }
      labels.add(labelName());
      skipWs();
      if (!atEnd() && peek() == ',') {
        pos++;
      } else if (atEnd() || peek() != ')') {
        throw error(pos, "expected \",\" or \")\" in " + clause + " clause, got " + describeHere());
      }
    }
  }

  // ---------------------------------------------------------------- lexemes

  private Expr number() {
    int start = pos;
    if (src.startsWith("0x", pos) || src.startsWith("0X", pos)) {
      pos += 2;
      while (!atEnd() && Character.digit(peek(), 16) >= 0) {
        pos++;
      }
      try {
        return new Expr.NumberLiteral(Long.parseLong(src.substring(start + 2, pos), 16), start);
      } catch (NumberFormatException ex) {
        throw error(start, "invalid number \"" + src.substring(start, pos) + "\"");
      }
    }
    while (!atEnd() && isDigit(peek())) {
      pos++;
    }
    if (!atEnd() && peek() == '.') {
      pos++;
      while (!atEnd() && isDigit(peek())) {
        pos++;
      }
    }
    if (!atEnd() && (peek() == 'e' || peek() == 'E')) {
      int save = pos;
      pos++;
      if (!atEnd() && (peek() == '+' || peek() == '-')) {
        pos++;
      }
      if (!atEnd() && isDigit(peek())) {
        while (!atEnd() && isDigit(peek())) {
          pos++;
        }
      } else {
        pos = save;
      }
    }
    if (!atEnd() && (Character.isLetter(peek()) || peek() == '_')) {
      throw error(
          start,
          "unexpected duration or name after number \""
              + src.substring(start, pos)
              + "\" (durations are only allowed in [...])");
    }
    return new Expr.NumberLiteral(Double.parseDouble(src.substring(start, pos)), start);
  }

  /** A duration such as 30s, 5m, 1h30m, 500ms; units y, w, d, h, m, s, ms. */
  private long duration() {
    int start = pos;
    long total = 0;
    boolean any = false;
    while (!atEnd() && isDigit(peek())) {
      int numStart = pos;
      while (!atEnd() && isDigit(peek())) {
        pos++;
      }
      long n;
      try {
        n = Long.parseLong(src.substring(numStart, pos));
      } catch (NumberFormatException ex) {
        throw error(numStart, "duration out of range");
      }
      long unit;
      if (src.startsWith("ms", pos)) {
        unit = 1;
        pos += 2;
      } else if (!atEnd() && "smhdwy".indexOf(peek()) >= 0) {
        unit =
            switch (peek()) {
              case 's' -> 1_000L;
              case 'm' -> 60_000L;
              case 'h' -> 3_600_000L;
              case 'd' -> 86_400_000L;
              case 'w' -> 604_800_000L;
              default -> 31_536_000_000L;
            };
        pos++;
      } else {
        throw error(pos, "expected duration unit (ms, s, m, h, d, w, y) after " + n);
      }
      try {
        total = Math.addExact(total, Math.multiplyExact(n, unit));
      } catch (ArithmeticException ex) {
        throw error(numStart, "duration out of range");
      }
      any = true;
    }
    if (!any) {
      throw error(start, "expected range duration such as 5m, got " + describeHere());
    }
    if (total <= 0) {
      throw error(start, "range duration must be greater than 0");
    }
    return total;
  }

  private String string() {
    int start = pos;
    char quote = peek();
    pos++;
    StringBuilder b = new StringBuilder();
    while (true) {
      if (atEnd()) {
        throw error(start, "unterminated string");
      }
      char c = src.charAt(pos++);
      if (c == quote) {
        return b.toString();
      }
      if (quote == '`') {
        b.append(c);
        continue;
      }
      if (c == '\n') {
        throw error(start, "unterminated string");
      }
      if (c != '\\') {
        b.append(c);
        continue;
      }
      if (atEnd()) {
        throw error(start, "unterminated string");
      }
      char e = src.charAt(pos++);
      switch (e) {
        case 'n' -> b.append('\n');
        case 't' -> b.append('\t');
        case 'r' -> b.append('\r');
        case '\\', '"', '\'', '`' -> b.append(e);
        case 'u' -> {
          if (pos + 4 > src.length()) {
            throw error(pos - 2, "invalid escape \\u");
          }
          try {
            b.append((char) Integer.parseInt(src.substring(pos, pos + 4), 16));
          } catch (NumberFormatException ex) {
            throw error(pos - 2, "invalid escape \\u" + src.substring(pos, pos + 4));
          }
          pos += 4;
        }
        default -> throw error(pos - 2, "invalid escape \\" + e);
      }
    }
  }

  /** Metric names may contain dots, as OpenTelemetry names do (http.server.duration). */
  private String metricName() {
    int start = pos;
    pos++;
    while (!atEnd() && (isNameStart(peek()) || isDigit(peek()) || peek() == '.')) {
      pos++;
    }
    return src.substring(start, pos);
  }

  /** Label names may contain dots too (service.name). */
  private String labelName() {
    int start = pos;
    pos++;
    while (!atEnd() && (isLabelStart(peek()) || isDigit(peek()) || peek() == '.')) {
      pos++;
    }
    return src.substring(start, pos);
  }

  private boolean peekKeyword(String word) {
    if (!src.regionMatches(true, pos, word, 0, word.length())) {
      return false;
    }
    int end = pos + word.length();
    return end >= src.length()
        || !(isNameStart(src.charAt(end)) || isDigit(src.charAt(end)) || src.charAt(end) == '.');
  }

  private void expect(char c, String message) {
    skipWs();
    if (atEnd() || peek() != c) {
      throw error(pos, message + (atEnd() ? ", got end of input" : ", got " + describeHere()));
    }
    pos++;
  }

  private void skipWs() {
    while (!atEnd()) {
      char c = peek();
      if (c == '#') {
        while (!atEnd() && peek() != '\n') {
          pos++;
        }
      } else if (Character.isWhitespace(c)) {
        pos++;
      } else {
        return;
      }
    }
  }

  private String describeHere() {
    if (atEnd()) {
      return "end of input";
    }
    int end = pos + 1;
    if (isNameStart(peek())) {
      while (end < src.length()
          && (isNameStart(src.charAt(end)) || isDigit(src.charAt(end)) || src.charAt(end) == '.')) {
        end++;
      }
    }
    return "\"" + src.substring(pos, end) + "\"";
  }

  private boolean atEnd() {
    return pos >= src.length();
  }

  private char peek() {
    return src.charAt(pos);
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isNameStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
  }

  private static boolean isLabelStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }

  private QueryException error(int at, String reason) {
    return QueryException.at(src, at, reason);
  }
}
