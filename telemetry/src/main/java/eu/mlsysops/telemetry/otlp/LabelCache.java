package eu.mlsysops.telemetry.otlp;

import eu.mlsysops.telemetry.Labels;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves OTLP resource, scope and point attributes to {@link Labels}, caching both levels: the
 * labels of a resource and scope, and the labels of a point's attribute set under that. Keys are
 * the protobuf attribute lists themselves (their hashes are memoised per message), so a repeated
 * attribute set costs one hash lookup. Bounded: when full a cache is cleared, which only costs
 * rebuilding.
 */
final class LabelCache {
  static final String MLSYSOPS_PREFIX = "mlsysops.";

  private final Set<String> promoted;
  private final String nodeName;
  private final int maxSeries;
  private final int maxBases;
  private final Map<BaseKey, Base> bases = new ConcurrentHashMap<>();
  private final Map<PointKey, SeriesLabels> series = new ConcurrentHashMap<>();

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
      TreeMap<String, String> m = new TreeMap<>(base.plain.labels.map());
      for (KeyValue kv : attributes) {
        if (!kv.getKey().isEmpty()) {
          m.put(kv.getKey(), AttributeText.render(kv.getValue()));
        }
      }
      s = new SeriesLabels(new Labels(m));
      series.put(key, s);
    }
    return s;
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
}
