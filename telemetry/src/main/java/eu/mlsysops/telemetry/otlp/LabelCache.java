package eu.mlsysops.telemetry.otlp;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.ExtensionRegistryLite;
import com.google.protobuf.WireFormat;
import eu.mlsysops.telemetry.Labels;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Resolves OTLP resource, scope and point attributes to {@link Labels}, caching both levels: the
 * labels of a resource and scope, and the labels of a point's attribute set under that. Keys are
 * the protobuf attribute lists themselves (their hashes are memoised per message), or, for points
 * read straight from the wire ({@link MetricsWireDecoder}), the attributes' bytes, so a repeated
 * attribute set costs one hash lookup. For the wire path it also remembers, per metric, the
 * attribute bytes of the last request's points in order ({@link Layout}): a point whose bytes are
 * those of the same point last time takes its labels from there, with no hash lookup at all.
 * Bounded: when full a cache is cleared (layouts also above {@link #LAYOUT_BUDGET_BYTES}), which
 * only costs rebuilding.
 */
final class LabelCache {
  static final String MLSYSOPS_PREFIX = "mlsysops.";

  /** Memory the remembered layouts may take before they are all dropped. */
  static final long LAYOUT_BUDGET_BYTES = 16L << 20;

  private final Set<String> promoted;
  private final String nodeName;
  private final int maxSeries;
  private final int maxBases;
  private final Map<BaseKey, Base> bases = new ConcurrentHashMap<>();
  private final Map<PointKey, SeriesLabels> series = new ConcurrentHashMap<>();
  private final Map<AttributeBytes, SeriesLabels> byBytes = new ConcurrentHashMap<>();
  private final Map<LayoutKey, Layout> layouts = new ConcurrentHashMap<>();
  private final AtomicLong layoutBytes = new AtomicLong();

  LabelCache(Set<String> promoted, String nodeName, int maxSeries) {
    this.promoted = Set.copyOf(promoted);
    this.nodeName = nodeName;
    this.maxSeries = maxSeries;
    this.maxBases = Math.max(16, maxSeries / 16);
  }

  /** The labels every point of a resource and scope carries. */
  Base base(Resource resource, InstrumentationScope scope) {
    BaseKey key = new BaseKey(resource.getAttributesList(), scope);
    Base b = bases.get(key);
    if (b == null) {
      if (bases.size() >= maxBases) {
        bases.clear();
        series.clear(); // its keys refer to bases by identity
        byBytes.clear();
        layouts.clear();
      }
      b = bases.computeIfAbsent(key, this::build);
    }
    return b;
  }

  /** The labels of a point: its base's, overridden by the point's own attributes. */
  SeriesLabels series(Base base, List<KeyValue> attributes) {
    if (attributes.isEmpty()) {
      return base.plain;
    }
    PointKey key = new PointKey(base, attributes);
    SeriesLabels s = series.get(key);
    if (s == null) {
      if (series.size() >= maxSeries) {
        series.clear();
      }
      s = build(base, attributes);
      // The first of concurrent builders wins, so that every caller gets the same Labels instance:
      // stores and aggregators key on it, and an identical instance compares without a deep equals.
      SeriesLabels first = series.putIfAbsent(key, s);
      if (first != null) {
        s = first;
      }
    }
    return s;
  }

  /**
   * The labels of a point whose attributes are {@code len} bytes of a serialised {@code
   * NumberDataPoint} at {@code off}: its {@code attributes} fields, tags included. The bytes
   * themselves are the key (hashed and compared as bytes, no message is built when they are known);
   * new ones are parsed with the generated classes under {@code recursionLimit}.
   *
   * @return null when the bytes are not valid attributes
   */
  SeriesLabels series(Base base, byte[] bytes, int off, int len, int recursionLimit) {
    AttributeBytes probe = new AttributeBytes(base, bytes, off, len);
    SeriesLabels s = byBytes.get(probe);
    if (s != null) {
      return s;
    }
    List<KeyValue> attributes = new ArrayList<>();
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes, off, len);
      in.setRecursionLimit(recursionLimit);
      for (int tag; (tag = in.readTag()) != 0; ) {
        if (WireFormat.getTagFieldNumber(tag) != NumberDataPoint.ATTRIBUTES_FIELD_NUMBER) {
          return null;
        }
        attributes.add(in.readMessage(KeyValue.parser(), ExtensionRegistryLite.getEmptyRegistry()));
      }
    } catch (IOException e) {
      return null;
    }
    // Through the message-keyed cache, so that both paths hand out the same instances.
    s = series(base, attributes);
    if (byBytes.size() >= maxSeries) {
      byBytes.clear();
    }
    SeriesLabels first = byBytes.putIfAbsent(probe.copy(), s);
    return first != null ? first : s;
  }

  /**
   * The attributes of a metric's points in the last request that carried it and began with a point
   * whose attributes hash to {@code firstHash}, or null. (Keyed by the first point too, because
   * exporters that split a metric's series over several requests send the same split each time.)
   */
  Layout layout(Base base, String metric, int firstHash) {
    return layouts.get(new LayoutKey(base, metric, firstHash));
  }

  /**
   * Remembers the attributes of a metric's points {@code first .. first + n} (offsets into {@code
   * bytes}) and their labels, for the next request of the metric.
   */
  void layout(
      Base base,
      String metric,
      int firstHash,
      byte[] bytes,
      int[] offsets,
      int[] lengths,
      SeriesLabels[] labels,
      int first,
      int n) {
    if (n > Layout.MAX_POINTS) {
      return;
    }
    if (layouts.size() >= maxBases || layoutBytes.get() > LAYOUT_BUDGET_BYTES) {
      layouts.clear();
      layoutBytes.set(0); // approximate under races; it only bounds a cache
    }
    Layout l = new Layout(bytes, offsets, lengths, labels, first, n);
    Layout old = layouts.put(new LayoutKey(base, metric, firstHash), l);
    layoutBytes.addAndGet(l.bytes() - (old == null ? 0 : old.bytes()));
  }

  private static SeriesLabels build(Base base, List<KeyValue> attributes) {
    TreeMap<String, String> m = new TreeMap<>(base.plain.labels.map());
    for (KeyValue kv : attributes) {
      if (!kv.getKey().isEmpty()) {
        m.put(kv.getKey(), AttributeText.render(kv.getValue()));
      }
    }
    return new SeriesLabels(new Labels(m));
  }

  private Base build(BaseKey key) {
    TreeMap<String, String> m = new TreeMap<>();
    for (KeyValue kv : key.resource) {
      String k = kv.getKey();
      if (k.startsWith(MLSYSOPS_PREFIX)) {
        String shortName = k.substring(MLSYSOPS_PREFIX.length());
        if (!shortName.isEmpty() && !k.equals(OtlpMetricsEncoder.SENDER_ATTRIBUTE)) {
          m.put(shortName, AttributeText.render(kv.getValue()));
        }
      }
    }
    for (KeyValue kv : key.resource) {
      if (promoted.contains(kv.getKey())) {
        m.putIfAbsent(kv.getKey(), AttributeText.render(kv.getValue()));
      }
    }
    if (nodeName != null) {
      m.putIfAbsent("node", nodeName);
    }
    InstrumentationScope scope = key.scope;
    if (!scope.getName().isEmpty()) {
      m.put("otel_scope_name", scope.getName());
    }
    if (!scope.getVersion().isEmpty()) {
      m.put("otel_scope_version", scope.getVersion());
    }
    for (KeyValue kv : scope.getAttributesList()) {
      if (!kv.getKey().isEmpty()) {
        m.put("otel_scope_" + kv.getKey(), AttributeText.render(kv.getValue()));
      }
    }
    return new Base(new SeriesLabels(new Labels(m)));
  }

  /** Labels of one resource and scope; compared by identity (the cache interns them). */
  static final class Base {
    final SeriesLabels plain;

    Base(SeriesLabels plain) {
      this.plain = plain;
    }
  }

  private record BaseKey(List<KeyValue> resource, InstrumentationScope scope) {}

  private record PointKey(Base base, List<KeyValue> attributes) {}

  private record LayoutKey(Base base, String metric, int firstHash) {}

  /** The serialised attributes of one metric's points in one request, in order, with labels. */
  static final class Layout {
    static final int MAX_POINTS = 100_000;

    private final byte[] bytes;
    private final int[] ends;
    private final SeriesLabels[] labels;

    Layout(byte[] src, int[] offsets, int[] lengths, SeriesLabels[] labels, int first, int n) {
      int total = 0;
      for (int i = first; i < first + n; i++) {
        total += lengths[i];
      }
      this.bytes = new byte[total];
      this.ends = new int[n];
      int at = 0;
      for (int i = 0; i < n; i++) {
        int len = lengths[first + i];
        if (len > 0) {
          System.arraycopy(src, offsets[first + i], bytes, at, len);
        }
        at += len;
        ends[i] = at;
      }
      this.labels = Arrays.copyOfRange(labels, first, first + n);
    }

    int size() {
      return ends.length;
    }

    /** Approximate heap bytes. */
    long bytes() {
      return 64 + bytes.length + 4L * ends.length + 4L * labels.length;
    }

    /** Whether point {@code k} had exactly these attribute bytes. */
    boolean matches(int k, byte[] b, int off, int len) {
      if (k >= ends.length) {
        return false;
      }
      int start = k == 0 ? 0 : ends[k - 1];
      return ends[k] - start == len
          && (len == 0 || Arrays.equals(bytes, start, ends[k], b, off, off + len));
    }

    SeriesLabels labels(int k) {
      return labels[k];
    }
  }

  /**
   * A point's serialised attributes under a base. Lookups use a key over the request's bytes; the
   * cache keeps a copy.
   */
  static final class AttributeBytes {
    private static final VarHandle LONGS =
        MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long MIX = 0x9E3779B97F4A7C15L;

    final Base base;
    final byte[] bytes;
    final int off;
    final int len;
    private final int hash;

    AttributeBytes(Base base, byte[] bytes, int off, int len) {
      this.base = base;
      this.bytes = bytes;
      this.off = off;
      this.len = len;
      this.hash = hash(bytes, off, len) ^ System.identityHashCode(base);
    }

    private AttributeBytes(AttributeBytes k, byte[] copy) {
      this.base = k.base;
      this.bytes = copy;
      this.off = 0;
      this.len = k.len;
      this.hash = k.hash;
    }

    AttributeBytes copy() {
      return new AttributeBytes(this, Arrays.copyOfRange(bytes, off, off + len));
    }

    /** A 64-bit multiply-xorshift hash, eight bytes at a time. */
    static int hash(byte[] b, int off, int len) {
      long h = len * MIX;
      int i = off;
      int end = off + len;
      for (; i + 8 <= end; i += 8) {
        h = (h ^ (long) LONGS.get(b, i)) * MIX;
        h ^= h >>> 29;
      }
      long tail = 0;
      for (int shift = 0; i < end; i++, shift += 8) {
        tail |= (b[i] & 0xFFL) << shift;
      }
      h = (h ^ tail) * MIX;
      h ^= h >>> 32;
      return (int) h;
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof AttributeBytes k
          && k.hash == hash
          && k.base == base
          && Arrays.equals(bytes, off, off + len, k.bytes, k.off, k.off + k.len);
    }
  }
}
