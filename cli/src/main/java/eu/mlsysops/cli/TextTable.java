package eu.mlsysops.cli;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table with aligned columns, as people read in a terminal (shared by every command). */
public final class TextTable {
  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();

  public TextTable(String... headers) {
    this.headers = List.of(headers);
  }

  public TextTable row(Object... cells) {
    List<String> r = new ArrayList<>();
    for (Object c : cells) {
      r.add(c == null ? "" : c.toString());
    }
    rows.add(r);
    return this;
  }

  public boolean isEmpty() {
    return rows.isEmpty();
  }

  public String render() {
    int[] w = new int[headers.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = headers.get(i).length();
      for (List<String> r : rows) {
        if (i < r.size()) {
          w[i] = Math.max(w[i], r.get(i).length());
        }
      }
    }
    StringBuilder b = new StringBuilder();
    line(b, headers, w);
    for (List<String> r : rows) {
      line(b, r, w);
    }
    return b.toString();
  }

  private static void line(StringBuilder b, List<String> cells, int[] w) {
    StringBuilder l = new StringBuilder();
    for (int i = 0; i < w.length; i++) {
      String c = i < cells.size() ? cells.get(i) : "";
      l.append(c);
      if (i < w.length - 1) {
        l.append(" ".repeat(w[i] - c.length() + 2));
      }
    }
    b.append(l.toString().stripTrailing()).append('\n');
  }
}
