package eu.mlsysops.orchestration;

import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The nodes of a {@link PlacementSnapshot} laid out for the placer's scan: static facts per node
 * ({@link NodeFacts}) and the changing state (allocations, utilisation, health) in parallel arrays.
 *
 * <p>The arrays that describe which nodes exist ({@link #facts}, {@link #names}, {@link #byName},
 * {@link #nameRank}, {@link #index}) are replaced, never written, when a node is added or removed,
 * so a {@link Placement} may keep referring to them. Not thread-safe: the snapshot guards it.
 */
final class NodeTable {
  final FactIndex factIndex;

  /** Ids of clusters and datacenters, apart so that they do not widen every node's fact bits. */
  final FactIndex places;

  NodeFacts[] facts;
  long[] cpuAllocated;
  long[] memoryAllocated;
  double[] utilization;
  boolean[] healthy;

  /** {@link NodeCandidate}s built on demand for custom scorers; null when stale. */
  NodeCandidate[] candidates;

  String[] names;

  /** Node indices in name order. */
  int[] byName;

  /** Each node's position in name order, to break ties without comparing strings. */
  int[] nameRank;

  Map<String, Integer> index;
  boolean anyMcuOnly;

  /** Scratch for the scan: instances of the component being placed, per node; kept all zero. */
  int[] siblings;

  NodeTable(Collection<NodeCandidate> nodes) {
    this.factIndex = new FactIndex();
    this.places = new FactIndex();
    int n = nodes.size();
    facts = new NodeFacts[n];
    cpuAllocated = new long[n];
    memoryAllocated = new long[n];
    utilization = new double[n];
    healthy = new boolean[n];
    candidates = new NodeCandidate[n];
    Map<String, Integer> idx = new HashMap<>(n * 2);
    int i = 0;
    for (NodeCandidate c : nodes) {
      String name = c.name();
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("a candidate node needs a name");
      }
      if (idx.putIfAbsent(name, i) != null) {
        throw new IllegalArgumentException("two candidate nodes are named " + name);
      }
      facts[i] = new NodeFacts(c.node(), factIndex, places);
      setState(i, c);
      i++;
    }
    reindex();
  }

  private NodeTable(NodeTable o) {
    factIndex = o.factIndex.copy();
    places = o.places.copy();
    facts = o.facts.clone();
    cpuAllocated = o.cpuAllocated.clone();
    memoryAllocated = o.memoryAllocated.clone();
    utilization = o.utilization.clone();
    healthy = o.healthy.clone();
    candidates = o.candidates.clone();
    names = o.names;
    byName = o.byName;
    nameRank = o.nameRank;
    index = o.index;
    anyMcuOnly = o.anyMcuOnly;
    siblings = new int[facts.length];
  }

  NodeTable copy() {
    return new NodeTable(this);
  }

  int size() {
    return facts.length;
  }

  /** The node's index, or -1. */
  int indexOf(String name) {
    Integer i = index.get(name);
    return i == null ? -1 : i;
  }

  NodeCandidate candidate(int i) {
    NodeCandidate c = candidates[i];
    if (c == null) {
      c =
          new NodeCandidate(
              facts[i].descriptor, cpuAllocated[i], memoryAllocated[i], utilization[i], healthy[i]);
      candidates[i] = c;
    }
    return c;
  }

  List<NodeCandidate> candidates() {
    NodeCandidate[] out = new NodeCandidate[facts.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = candidate(i);
    }
    return List.of(out);
  }

  long cpuFree(int i) {
    return facts[i].cpuCapacityMillis - cpuAllocated[i];
  }

  long memoryFree(int i) {
    return facts[i].memoryCapacityBytes - memoryAllocated[i];
  }

  void allocate(int i, long cpuMillis, long memoryBytes) {
    cpuAllocated[i] = Math.max(0, cpuAllocated[i] + cpuMillis);
    memoryAllocated[i] = Math.max(0, memoryAllocated[i] + memoryBytes);
    candidates[i] = null;
  }

  /** Adds a node or replaces one of the same name. */
  void put(NodeCandidate c) {
    int i = indexOf(c.name());
    if (i >= 0) {
      if (facts[i].descriptor != c.node()) {
        facts[i] = new NodeFacts(c.node(), factIndex, places);
        anyMcuOnly = computeAnyMcuOnly();
      }
      setState(i, c);
      return;
    }
    int n = facts.length;
    facts = Arrays.copyOf(facts, n + 1);
    cpuAllocated = Arrays.copyOf(cpuAllocated, n + 1);
    memoryAllocated = Arrays.copyOf(memoryAllocated, n + 1);
    utilization = Arrays.copyOf(utilization, n + 1);
    healthy = Arrays.copyOf(healthy, n + 1);
    candidates = Arrays.copyOf(candidates, n + 1);
    facts[n] = new NodeFacts(c.node(), factIndex, places);
    setState(n, c);
    reindex();
  }

  /** Removes the node; false when there is none of that name. */
  boolean remove(String name) {
    int i = indexOf(name);
    if (i < 0) {
      return false;
    }
    facts = without(facts, i);
    cpuAllocated = without(cpuAllocated, i);
    memoryAllocated = without(memoryAllocated, i);
    utilization = without(utilization, i);
    boolean[] h = new boolean[healthy.length - 1];
    System.arraycopy(healthy, 0, h, 0, i);
    System.arraycopy(healthy, i + 1, h, i, h.length - i);
    healthy = h;
    candidates = without(candidates, i);
    reindex();
    return true;
  }

  private void setState(int i, NodeCandidate c) {
    cpuAllocated[i] = c.cpuAllocatedMillis();
    memoryAllocated[i] = c.memoryAllocatedBytes();
    utilization[i] = c.cpuUtilization();
    healthy[i] = c.healthy();
    candidates[i] = c;
  }

  private void reindex() {
    int n = facts.length;
    String[] nm = new String[n];
    Map<String, Integer> idx = new HashMap<>(n * 2);
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      nm[i] = facts[i].name;
      idx.put(nm[i], i);
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparing(i -> nm[i]));
    int[] sorted = new int[n];
    int[] rank = new int[n];
    for (int r = 0; r < n; r++) {
      sorted[r] = order[r];
      rank[order[r]] = r;
    }
    names = nm;
    byName = sorted;
    nameRank = rank;
    index = Map.copyOf(idx);
    anyMcuOnly = computeAnyMcuOnly();
    siblings = new int[n];
  }

  private boolean computeAnyMcuOnly() {
    for (NodeFacts f : facts) {
      if (f.mcuOnly) {
        return true;
      }
    }
    return false;
  }

  private static <T> T[] without(T[] a, int i) {
    T[] out = Arrays.copyOf(a, a.length - 1);
    System.arraycopy(a, i + 1, out, i, a.length - i - 1);
    return out;
  }

  private static long[] without(long[] a, int i) {
    long[] out = new long[a.length - 1];
    System.arraycopy(a, 0, out, 0, i);
    System.arraycopy(a, i + 1, out, i, out.length - i);
    return out;
  }

  private static double[] without(double[] a, int i) {
    double[] out = new double[a.length - 1];
    System.arraycopy(a, 0, out, 0, i);
    System.arraycopy(a, i + 1, out, i, out.length - i);
    return out;
  }
}
