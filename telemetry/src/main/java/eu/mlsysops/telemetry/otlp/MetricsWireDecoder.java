package eu.mlsysops.telemetry.otlp;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import com.google.protobuf.WireFormat;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.IOException;
import java.util.Arrays;

/**
 * Reads a serialised {@code ExportMetricsServiceRequest} straight from its bytes for the common
 * case, gauge and sum number points, without building a message object per point: a point becomes a
 * few primitives and the {@link SeriesLabels} its attribute bytes map to in the {@link LabelCache}.
 * Everything else (histograms, summaries, exemplars, metric metadata, unknown or
 * repeated-in-an-odd-way fields inside a metric) is parsed with the generated classes, one {@link
 * Metric} at a time, and translated as before.
 *
 * <p>Decoding is a separate pass that has no effect on the store: the whole request is read and
 * checked first, so a malformed request writes nothing, as with the generated parser. When anything
 * does not fit this reader (malformed input, deep nesting, a resource sent twice) it gives up
 * ({@link #decode} returns null) and the caller parses the request with the generated classes,
 * which then accept it or fail with their own message.
 *
 * <p>Nesting is checked against protobuf's default recursion limit of 100 at the depth each message
 * has in the request, so that what is accepted here is exactly what the generated parser accepts.
 */
final class MetricsWireDecoder {
  private static final int RECURSION_LIMIT = 100;

  // Depth of each message's fields in a request (the request's own fields are at depth 0).
  private static final int RESOURCE_DEPTH = 2;
  private static final int SCOPE_DEPTH = 3;
  private static final int METRIC_DEPTH = 3;
  private static final int POINT_DEPTH = 5;

  private static final int LD = WireFormat.WIRETYPE_LENGTH_DELIMITED;
  private static final int REQ_RESOURCE_METRICS = tag(1, LD);
  private static final int RM_RESOURCE = tag(1, LD);
  private static final int RM_SCOPE_METRICS = tag(2, LD);
  private static final int RM_SCHEMA_URL = tag(3, LD);
  private static final int SM_SCOPE = tag(1, LD);
  private static final int SM_METRICS = tag(2, LD);
  private static final int SM_SCHEMA_URL = tag(3, LD);
  private static final int M_NAME = tag(1, LD);
  private static final int M_DESCRIPTION = tag(2, LD);
  private static final int M_UNIT = tag(3, LD);
  private static final int M_GAUGE = tag(5, LD);
  private static final int M_SUM = tag(7, LD);
  private static final int DATA_POINTS = tag(1, LD);
  private static final int SUM_TEMPORALITY = tag(2, WireFormat.WIRETYPE_VARINT);
  private static final int SUM_MONOTONIC = tag(3, WireFormat.WIRETYPE_VARINT);
  private static final int P_ATTRIBUTES = tag(7, LD);
  private static final int P_START = tag(2, WireFormat.WIRETYPE_FIXED64);
  private static final int P_TIME = tag(3, WireFormat.WIRETYPE_FIXED64);
  private static final int P_AS_DOUBLE = tag(4, WireFormat.WIRETYPE_FIXED64);
  private static final int P_AS_INT = tag(6, WireFormat.WIRETYPE_FIXED64);
  private static final int P_FLAGS = tag(8, WireFormat.WIRETYPE_VARINT);

  private static int tag(int field, int wireType) {
    return field << 3 | wireType;
  }

  /** {@code AGGREGATION_TEMPORALITY_DELTA}. */
  private static final int DELTA = 1;

  private final LabelCache labels;

  MetricsWireDecoder(LabelCache labels) {
    this.labels = labels;
  }

  /** Thrown inside a metric when the generated classes should take it over. */
  private static final class NotFast extends Exception {
    static final NotFast INSTANCE = new NotFast();

    private NotFast() {
      super(null, null, false, false);
    }
  }

  /** Thrown when the whole request should go to the generated parser. */
  private static final class GiveUp extends Exception {
    static final GiveUp INSTANCE = new GiveUp();

    private GiveUp() {
      super(null, null, false, false);
    }
  }

  /**
   * The request's metrics and points, in request order; null when the generated parser must decide
   * (malformed or unusual input).
   */
  Plan decode(byte[] bytes) {
    Plan plan = new Plan(bytes);
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      for (int tag; (tag = in.readTag()) != 0; ) {
        if (tag == REQ_RESOURCE_METRICS) {
          int len = in.readRawVarint32();
          int start = in.getTotalBytesRead();
          in.skipRawBytes(len);
          resourceMetrics(plan, bytes, start, len);
        } else {
          skipUnknown(in, tag);
        }
      }
    } catch (IOException | GiveUp | RuntimeException e) {
      return null; // the generated parser accepts it after all, or fails with its own message
    }
    return plan;
  }

  private void resourceMetrics(Plan plan, byte[] bytes, int off, int len)
      throws IOException, GiveUp {
    CodedInputStream in = sub(bytes, off, len);
    int resourceOff = -1;
    int resourceLen = 0;
    int[] scopes = new int[8];
    int nScopes = 0;
    for (int tag; (tag = in.readTag()) != 0; ) {
      if (tag == RM_RESOURCE) {
        if (resourceOff >= 0) {
          throw GiveUp.INSTANCE; // sent twice: the generated parser merges them
        }
        resourceLen = in.readRawVarint32();
        resourceOff = off + in.getTotalBytesRead();
        in.skipRawBytes(resourceLen);
      } else if (tag == RM_SCOPE_METRICS) {
        int l = in.readRawVarint32();
        if (nScopes + 2 > scopes.length) {
          scopes = Arrays.copyOf(scopes, scopes.length * 2);
        }
        scopes[nScopes++] = off + in.getTotalBytesRead();
        scopes[nScopes++] = l;
        in.skipRawBytes(l);
      } else if (tag == RM_SCHEMA_URL) {
        in.readStringRequireUtf8();
      } else {
        skipUnknown(in, tag);
      }
    }
    Resource resource =
        resourceOff < 0
            ? Resource.getDefaultInstance()
            : message(Resource.parser(), bytes, resourceOff, resourceLen, RESOURCE_DEPTH);
    for (int i = 0; i < nScopes; i += 2) {
      scopeMetrics(plan, resource, bytes, scopes[i], scopes[i + 1]);
    }
  }

  private void scopeMetrics(Plan plan, Resource resource, byte[] bytes, int off, int len)
      throws IOException, GiveUp {
    CodedInputStream in = sub(bytes, off, len);
    int scopeOff = -1;
    int scopeLen = 0;
    int[] metrics = new int[32];
    int n = 0;
    for (int tag; (tag = in.readTag()) != 0; ) {
      if (tag == SM_SCOPE) {
        if (scopeOff >= 0) {
          throw GiveUp.INSTANCE;
        }
        scopeLen = in.readRawVarint32();
        scopeOff = off + in.getTotalBytesRead();
        in.skipRawBytes(scopeLen);
      } else if (tag == SM_METRICS) {
        int l = in.readRawVarint32();
        if (n + 2 > metrics.length) {
          metrics = Arrays.copyOf(metrics, metrics.length * 2);
        }
        metrics[n++] = off + in.getTotalBytesRead();
        metrics[n++] = l;
        in.skipRawBytes(l);
      } else if (tag == SM_SCHEMA_URL) {
        in.readStringRequireUtf8();
      } else {
        skipUnknown(in, tag);
      }
    }
    InstrumentationScope scope =
        scopeOff < 0
            ? InstrumentationScope.getDefaultInstance()
            : message(InstrumentationScope.parser(), bytes, scopeOff, scopeLen, SCOPE_DEPTH);
    LabelCache.Base base = labels.base(resource, scope);
    for (int i = 0; i < n; i += 2) {
      int mOff = metrics[i];
      int mLen = metrics[i + 1];
      int firstPoint = plan.points;
      try {
        metric(plan, base, bytes, mOff, mLen);
      } catch (NotFast e) {
        plan.points = firstPoint;
        plan.addGenerated(base, message(Metric.parser(), bytes, mOff, mLen, METRIC_DEPTH));
      }
    }
  }

  private void metric(Plan plan, LabelCache.Base base, byte[] bytes, int off, int len)
      throws IOException, NotFast {
    CodedInputStream in = sub(bytes, off, len);
    String name = "";
    String description = "";
    String unit = "";
    int dataTag = 0;
    int dataOff = 0;
    int dataLen = 0;
    for (int tag; (tag = in.readTag()) != 0; ) {
      if (tag == M_NAME) {
        name = in.readStringRequireUtf8();
      } else if (tag == M_DESCRIPTION) {
        description = in.readStringRequireUtf8();
      } else if (tag == M_UNIT) {
        unit = in.readStringRequireUtf8();
      } else if ((tag == M_GAUGE || tag == M_SUM) && dataTag == 0) {
        dataTag = tag;
        dataLen = in.readRawVarint32();
        dataOff = off + in.getTotalBytesRead();
        in.skipRawBytes(dataLen);
      } else {
        // Another data kind, a second data field (merged or replaced), metadata, unknown fields.
        throw NotFast.INSTANCE;
      }
    }
    if (dataTag == 0) {
      throw NotFast.INSTANCE; // no data: nothing to write, let the generated path decide
    }
    int firstPoint = plan.points;
    boolean monotonic = false;
    int temporality = 0;
    // Exporters send a metric's series in the same order every time: compare each point's
    // attributes with the same point of the last request that began with the same point
    // (sequential reads, no hash lookup).
    LayoutCursor layout = new LayoutCursor();
    int misses = 0;
    CodedInputStream d = sub(bytes, dataOff, dataLen);
    for (int tag; (tag = d.readTag()) != 0; ) {
      if (tag == DATA_POINTS) {
        int old = d.pushLimit(d.readRawVarint32());
        if (!point(plan, base, name, bytes, d, dataOff, layout, plan.points - firstPoint)) {
          misses++;
        }
        d.popLimit(old);
      } else if (dataTag == M_SUM && tag == SUM_TEMPORALITY) {
        temporality = d.readEnum();
      } else if (dataTag == M_SUM && tag == SUM_MONOTONIC) {
        monotonic = d.readBool();
      } else {
        throw NotFast.INSTANCE;
      }
    }
    int n = plan.points - firstPoint;
    if (n > 0 && (misses > 0 || layout.last == null || layout.last.size() != n)) {
      labels.layout(
          base,
          name,
          layout.firstHash,
          bytes,
          plan.attrOffsets,
          plan.attrLengths,
          plan.labels,
          firstPoint,
          n);
    }
    plan.addFast(
        name,
        description,
        unit,
        dataTag == M_SUM,
        monotonic,
        temporality == DELTA,
        firstPoint,
        plan.points);
  }

  /**
   * Reads one point from {@code in}, limited to it; {@code off} is where {@code in} starts in
   * {@code bytes}. The point is the {@code k}-th of its metric.
   *
   * @return whether its attributes were those of the {@code k}-th point of {@code layout}
   */
  private boolean point(
      Plan plan,
      LabelCache.Base base,
      String name,
      byte[] bytes,
      CodedInputStream in,
      int off,
      LayoutCursor layout,
      int k)
      throws IOException, NotFast {
    int attrStart = -1;
    int attrEnd = -1;
    long time = 0;
    int flags = 0;
    int valueCase = Plan.NO_VALUE;
    double value = 0;
    for (; ; ) {
      int before = off + in.getTotalBytesRead();
      int tag = in.readTag();
      if (tag == 0) {
        break;
      }
      if (tag == P_ATTRIBUTES) {
        if (attrStart < 0) {
          attrStart = before;
        } else if (attrEnd != before) {
          throw NotFast.INSTANCE; // attributes interleaved with other fields
        }
        in.skipRawBytes(in.readRawVarint32());
        attrEnd = off + in.getTotalBytesRead();
      } else if (tag == P_TIME) {
        time = in.readFixed64();
      } else if (tag == P_START) {
        in.readFixed64();
      } else if (tag == P_AS_DOUBLE) {
        value = in.readDouble();
        valueCase = Plan.AS_DOUBLE;
      } else if (tag == P_AS_INT) {
        value = in.readSFixed64();
        valueCase = Plan.AS_INT;
      } else if (tag == P_FLAGS) {
        flags = in.readUInt32();
      } else {
        throw NotFast.INSTANCE; // exemplars, unknown fields
      }
    }
    int attrLength = attrStart < 0 ? 0 : attrEnd - attrStart;
    if (k == 0) {
      layout.firstHash = LabelCache.AttributeBytes.hash(bytes, attrStart, attrLength);
      layout.last = labels.layout(base, name, layout.firstHash);
    }
    LabelCache.Layout last = layout.last;
    boolean same = last != null && last.matches(k, bytes, attrStart, attrLength);
    SeriesLabels sl;
    if (same) {
      sl = last.labels(k);
    } else if (attrStart < 0) {
      sl = base.plain;
    } else {
      sl = labels.series(base, bytes, attrStart, attrLength, RECURSION_LIMIT - POINT_DEPTH);
      if (sl == null) {
        throw new InvalidProtocolBufferException("malformed attributes");
      }
    }
    plan.addPoint(sl, time, value, valueCase, flags, attrStart, attrLength);
    return same;
  }

  /** The layout a metric's points are compared with, found at its first point. */
  private static final class LayoutCursor {
    int firstHash;
    LabelCache.Layout last;
  }

  /** A stream over a nested message's fields. */
  private static CodedInputStream sub(byte[] bytes, int off, int len) {
    return CodedInputStream.newInstance(bytes, off, len);
  }

  /** Parses a nested message as the generated parser would at {@code depth}. */
  private static <T> T message(Parser<T> parser, byte[] bytes, int off, int len, int depth)
      throws IOException {
    CodedInputStream in = sub(bytes, off, len);
    in.setRecursionLimit(RECURSION_LIMIT - depth);
    T m = parser.parseFrom(in);
    in.checkLastTagWas(0);
    return m;
  }

  /** Skips a field the reader does not use; an end-group tag here means malformed input. */
  private static void skipUnknown(CodedInputStream in, int tag) throws IOException, GiveUp {
    if (!in.skipField(tag)) {
      throw GiveUp.INSTANCE;
    }
  }

  /** What a request holds, in order: fast metrics with their points, and generated metrics. */
  static final class Plan {
    static final int NO_VALUE = 0;
    static final int AS_DOUBLE = 1;
    static final int AS_INT = 2;

    final byte[] bytes;
    int metrics;
    String[] names = new String[16];
    String[] descriptions = new String[16];
    String[] units = new String[16];

    /**
     * 0: generated ({@link #generated}); else bit 1 sum, bit 2 monotonic, bit 4 delta, bit 8 set.
     */
    int[] kinds = new int[16];

    int[] firstPoints = new int[16];
    int[] endPoints = new int[16];
    Metric[] generated = new Metric[16];
    LabelCache.Base[] bases = new LabelCache.Base[16];

    int points;
    SeriesLabels[] labels = new SeriesLabels[256];
    int[] attrOffsets = new int[256];
    int[] attrLengths = new int[256];
    long[] times = new long[256];
    double[] values = new double[256];
    byte[] valueCases = new byte[256];
    int[] flags = new int[256];

    Plan(byte[] bytes) {
      this.bytes = bytes;
    }

    static final int FAST = 8;
    static final int SUM = 1;
    static final int MONOTONIC = 2;
    static final int DELTA_SUM = 4;

    private void growMetrics() {
      if (metrics == names.length) {
        int n = metrics * 2;
        names = Arrays.copyOf(names, n);
        descriptions = Arrays.copyOf(descriptions, n);
        units = Arrays.copyOf(units, n);
        kinds = Arrays.copyOf(kinds, n);
        firstPoints = Arrays.copyOf(firstPoints, n);
        endPoints = Arrays.copyOf(endPoints, n);
        generated = Arrays.copyOf(generated, n);
        bases = Arrays.copyOf(bases, n);
      }
    }

    void addGenerated(LabelCache.Base base, Metric m) {
      growMetrics();
      kinds[metrics] = 0;
      generated[metrics] = m;
      bases[metrics] = base;
      metrics++;
    }

    void addFast(
        String name,
        String description,
        String unit,
        boolean sum,
        boolean monotonic,
        boolean delta,
        int first,
        int end) {
      growMetrics();
      names[metrics] = name;
      descriptions[metrics] = description;
      units[metrics] = unit;
      kinds[metrics] =
          FAST | (sum ? SUM : 0) | (monotonic ? MONOTONIC : 0) | (delta ? DELTA_SUM : 0);
      firstPoints[metrics] = first;
      endPoints[metrics] = end;
      metrics++;
    }

    void addPoint(
        SeriesLabels sl,
        long time,
        double value,
        int valueCase,
        int flag,
        int attrOffset,
        int attrLength) {
      if (points == labels.length) {
        int n = points * 2;
        labels = Arrays.copyOf(labels, n);
        attrOffsets = Arrays.copyOf(attrOffsets, n);
        attrLengths = Arrays.copyOf(attrLengths, n);
        times = Arrays.copyOf(times, n);
        values = Arrays.copyOf(values, n);
        valueCases = Arrays.copyOf(valueCases, n);
        flags = Arrays.copyOf(flags, n);
      }
      labels[points] = sl;
      attrOffsets[points] = attrOffset;
      attrLengths[points] = attrLength;
      times[points] = time;
      values[points] = value;
      valueCases[points] = (byte) valueCase;
      flags[points] = flag;
      points++;
    }
  }
}
