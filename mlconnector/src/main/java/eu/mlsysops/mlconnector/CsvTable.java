package eu.mlsysops.mlconnector;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Training data as a model needs it: the columns it names, taken from a CSV file with a header
 * (comma-separated, optionally double-quoted fields, other columns ignored). Inputs must be
 * numbers; a classifier's target may be any text (its label).
 *
 * @param inputs the input columns' names, in the model's order
 * @param x one row of inputs per example
 * @param target the target column's text per example
 */
record CsvTable(List<String> inputs, double[][] x, String[] target) {
  /** Most rows a training set may have. */
  static final int MAX_ROWS = 1_000_000;

  CsvTable {
    inputs = List.copyOf(inputs);
    Objects.requireNonNull(x);
    Objects.requireNonNull(target);
  }

  int rows() {
    return x.length;
  }

  /**
   * The columns {@code spec} names, read from {@code csv}.
   *
   * @throws IllegalArgumentException naming the line and column of what is wrong
   */
  static CsvTable parse(byte[] csv, ModelSpec spec) {
    String[] lines = new String(csv, StandardCharsets.UTF_8).split("\r?\n");
    int first = 0;
    while (first < lines.length && lines[first].isBlank()) {
      first++;
    }
    if (first == lines.length) {
      throw new IllegalArgumentException("data: empty (a header line and rows are needed)");
    }
    List<String> header = fields(lines[first]);
    Map<String, Integer> at = new java.util.HashMap<>();
    for (int i = 0; i < header.size(); i++) {
      at.putIfAbsent(header.get(i).trim(), i);
    }
    List<String> inputs = spec.inputs();
    int[] cols = new int[inputs.size()];
    for (int i = 0; i < cols.length; i++) {
      Integer c = at.get(inputs.get(i));
      if (c == null) {
        throw new IllegalArgumentException("data: no column \"" + inputs.get(i) + "\" (an input"
            + " of the model) in the header " + header);
      }
      cols[i] = c;
    }
    Integer tc = at.get(spec.target());
    if (tc == null) {
      throw new IllegalArgumentException("data: no column \"" + spec.target() + "\" (the model's"
          + " target) in the header " + header);
    }
    List<double[]> xs = new ArrayList<>();
    List<String> ys = new ArrayList<>();
    for (int l = first + 1; l < lines.length; l++) {
      if (lines[l].isBlank()) {
        continue;
      }
      if (xs.size() >= MAX_ROWS) {
        throw new IllegalArgumentException("data: more than " + MAX_ROWS + " rows (the limit)");
      }
      List<String> f = fields(lines[l]);
      double[] row = new double[cols.length];
      for (int i = 0; i < cols.length; i++) {
        row[i] = number(f, cols[i], l + 1, inputs.get(i));
      }
      String t = cols(f, tc, l + 1, spec.target()).trim();
      if (spec.kind() == ModelKind.REGRESSION) {
        number(f, tc, l + 1, spec.target());
      } else if (t.isEmpty()) {
        throw new IllegalArgumentException("data: line " + (l + 1) + ", column \"" + spec.target()
            + "\": empty label");
      }
      xs.add(row);
      ys.add(t);
    }
    if (xs.isEmpty()) {
      throw new IllegalArgumentException("data: no rows after the header");
    }
    return new CsvTable(inputs, xs.toArray(double[][]::new), ys.toArray(String[]::new));
  }

  /** Each input's mean. */
  double[] means() {
    double[] m = new double[inputs.size()];
    for (double[] row : x) {
      for (int i = 0; i < m.length; i++) {
        m[i] += row[i] / x.length;
      }
    }
    return m;
  }

  /** The rows at {@code idx}. */
  CsvTable subset(int[] idx) {
    double[][] sx = new double[idx.length][];
    String[] st = new String[idx.length];
    for (int i = 0; i < idx.length; i++) {
      sx[i] = x[idx[i]];
      st[i] = target[idx[i]];
    }
    return new CsvTable(inputs, sx, st);
  }

  private static String cols(List<String> f, int c, int line, String name) {
    if (c >= f.size()) {
      throw new IllegalArgumentException("data: line " + line + " has " + f.size()
          + " fields, no column \"" + name + "\"");
    }
    return f.get(c);
  }

  private static double number(List<String> f, int c, int line, String name) {
    String s = cols(f, c, line, name).trim();
    double v;
    try {
      v = Double.parseDouble(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("data: line " + line + ", column \"" + name + "\": \""
          + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + "\" is not a number");
    }
    if (!Double.isFinite(v)) {
      throw new IllegalArgumentException("data: line " + line + ", column \"" + name
          + "\": not a finite number");
    }
    return v;
  }

  /** The fields of one line: commas separate, double quotes enclose ("" is a quote). */
  static List<String> fields(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder b = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          b.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          b.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        out.add(b.toString());
        b.setLength(0);
      } else {
        b.append(c);
      }
    }
    out.add(b.toString());
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CsvTable t && inputs.equals(t.inputs) && Arrays.deepEquals(x, t.x)
        && Arrays.equals(target, t.target);
  }

  @Override
  public int hashCode() {
    return inputs.hashCode() * 31 + Arrays.deepHashCode(x);
  }

  @Override
  public String toString() {
    return "CsvTable[" + inputs + ", " + x.length + " rows]";
  }
}
