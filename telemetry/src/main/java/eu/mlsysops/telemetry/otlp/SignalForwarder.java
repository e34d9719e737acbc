package eu.mlsysops.telemetry.otlp;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.util.List;

/**
 * Where the receivers hand the logs and traces they accept: upward to another agent, to an external
 * OTLP endpoint ({@link OtlpGrpcExporter}), or into a bounded buffer ({@link RecentSignals}, the
 * default). Called on receiver threads: implementations queue and return, never block or throw.
 */
public interface SignalForwarder {

  /**
   * Takes a logs request.
   *
   * @return false when it was refused (e.g. a full queue); the receiver then reports its log
   *     records as rejected to the client
   */
  boolean forward(ExportLogsServiceRequest request);

  /**
   * Takes a trace request.
   *
   * @return false when it was refused; the receiver then reports its spans as rejected
   */
  boolean forward(ExportTraceServiceRequest request);

  /**
   * A forwarder handing every request to each of {@code targets}; it reports success when at least
   * one of them took the request (so the signal was not lost).
   */
  static SignalForwarder fanOut(SignalForwarder... targets) {
    List<SignalForwarder> all = List.of(targets);
    return new SignalForwarder() {
      @Override
      public boolean forward(ExportLogsServiceRequest request) {
        boolean any = false;
        for (SignalForwarder f : all) {
          any |= f.forward(request);
        }
        return any;
      }

      @Override
      public boolean forward(ExportTraceServiceRequest request) {
        boolean any = false;
        for (SignalForwarder f : all) {
          any |= f.forward(request);
        }
        return any;
      }
    };
  }
}
