package eu.mlsysops.telemetry.otlp;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.List;

/**
 * The default {@link SignalForwarder}: keeps the last {@code capacity} log records and the last
 * {@code capacity} spans in memory (with their resource and scope), so received logs and traces can
 * be inspected and are never dropped without a count. Older entries make room for newer ones; those
 * are counted as dropped. Thread-safe.
 */
public final class RecentSignals implements SignalForwarder {
  private final Ring<LogRecord> logs;
  private final Ring<Span> spans;

  /** A buffer of the last {@code capacity} log records and the last {@code capacity} spans. */
  public RecentSignals(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive, got " + capacity);
    }
    logs = new Ring<>(capacity);
    spans = new Ring<>(capacity);
  }

  /** Always takes the request (older entries make room). */
  @Override
  public boolean forward(ExportLogsServiceRequest request) {
    for (ResourceLogs rl : request.getResourceLogsList()) {
      for (ScopeLogs sl : rl.getScopeLogsList()) {
        for (LogRecord r : sl.getLogRecordsList()) {
          logs.add(new Received<>(rl.getResource(), sl.getScope(), r));
        }
      }
    }
    return true;
  }

  /** Always takes the request (older entries make room). */
  @Override
  public boolean forward(ExportTraceServiceRequest request) {
    for (ResourceSpans rs : request.getResourceSpansList()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span s : ss.getSpansList()) {
          spans.add(new Received<>(rs.getResource(), ss.getScope(), s));
        }
      }
    }
    return true;
  }

  /** The buffered log records, oldest first. */
  public List<Received<LogRecord>> logs() {
    return logs.snapshot();
  }

  /** The buffered spans, oldest first. */
  public List<Received<Span>> spans() {
    return spans.snapshot();
  }

  /** Log records received since creation. */
  public long logRecordsReceived() {
    return logs.received();
  }

  /** Log records pushed out of the buffer by newer ones. */
  public long logRecordsDropped() {
    return logs.dropped();
  }

  /** Spans received since creation. */
  public long spansReceived() {
    return spans.received();
  }

  /** Spans pushed out of the buffer by newer ones. */
  public long spansDropped() {
    return spans.dropped();
  }

  /**
   * One buffered log record or span with where it came from.
   *
   * @param resource the resource that sent it
   * @param scope the instrumentation scope it was recorded in
   * @param item the log record or span
   */
  public record Received<T>(Resource resource, InstrumentationScope scope, T item) {}

  private static final class Ring<T> {
    private final Object[] items;
    private int next;
    private int size;
    private long received;

    Ring(int capacity) {
      items = new Object[capacity];
    }

    synchronized void add(Received<T> r) {
      items[next] = r;
      next = (next + 1) % items.length;
      if (size < items.length) {
        size++;
      }
      received++;
    }

    @SuppressWarnings("unchecked")
    synchronized List<Received<T>> snapshot() {
      List<Received<T>> out = new ArrayList<>(size);
      int start = (next - size + items.length) % items.length;
      for (int k = 0; k < size; k++) {
        out.add((Received<T>) items[(start + k) % items.length]);
      }
      return out;
    }

    synchronized long received() {
      return received;
    }

    synchronized long dropped() {
      return received - size;
    }
  }
}
