package eu.mlsysops.orchestration;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A placement's rejected nodes as a read-only map in node-name order, kept as one int per node (the
 * {@link Filters#code}) and rendered to {@link Rejection}s only when read: a placement over 5,000
 * nodes must not build 5,000 strings that nobody asks for.
 *
 * <p>Holds only arrays the {@link NodeTable} never writes again and the immutable {@link
 * CompiledRequest}, so it stays valid and thread-safe after the snapshot has moved on.
 */
final class RejectionMap extends AbstractMap<String, Rejection> {
  private final String[] names;
  private final int[] byName;
  private final Map<String, Integer> index;
  private final int[] codes;
  private final int size;
  private final CompiledRequest request;

  RejectionMap(NodeTable t, int[] codes, int size, CompiledRequest request) {
    this.names = t.names;
    this.byName = t.byName;
    this.index = t.index;
    this.codes = codes;
    this.size = size;
    this.request = request;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public boolean containsKey(Object key) {
    Integer i = index.get(key);
    return i != null && codes[i] != 0;
  }

  @Override
  public Rejection get(Object key) {
    Integer i = index.get(key);
    return i == null || codes[i] == 0 ? null : Filters.reason(request, codes[i]);
  }

  /** Rejected nodes per reason text, most first then by text; renders each reason once. */
  Map<String, Integer> countByText() {
    int[] sorted = new int[size];
    int k = 0;
    for (int c : codes) {
      if (c != 0) {
        sorted[k++] = c;
      }
    }
    Arrays.sort(sorted);
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (int a = 0; a < k; ) {
      int b = a;
      while (b < k && sorted[b] == sorted[a]) {
        b++;
      }
      counts.merge(Filters.reason(request, sorted[a]).text(), b - a, Integer::sum);
      a = b;
    }
    return counts;
  }

  @Override
  public Set<Map.Entry<String, Rejection>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public int size() {
        return size;
      }

      @Override
      public Iterator<Map.Entry<String, Rejection>> iterator() {
        return new Iterator<>() {
          private int pos = advance(0);

          private int advance(int from) {
            int p = from;
            while (p < byName.length && codes[byName[p]] == 0) {
              p++;
            }
            return p;
          }

          @Override
          public boolean hasNext() {
            return pos < byName.length;
          }

          @Override
          public Map.Entry<String, Rejection> next() {
            if (pos >= byName.length) {
              throw new NoSuchElementException();
            }
            int i = byName[pos];
            pos = advance(pos + 1);
            return new SimpleImmutableEntry<>(names[i], Filters.reason(request, codes[i]));
          }
        };
      }
    };
  }
}
