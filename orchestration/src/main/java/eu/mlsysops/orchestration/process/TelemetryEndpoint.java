package eu.mlsysops.orchestration.process;

import java.util.Objects;

/**
 * Where the apps a runtime starts send their OpenTelemetry data: the node agent's OTLP receivers.
 *
 * @param host address the apps connect to (e.g. {@code 127.0.0.1})
 * @param grpcPort the OTLP/gRPC port, or -1 when that receiver is off
 * @param httpPort the OTLP/HTTP port, or -1 when that receiver is off
 */
public record TelemetryEndpoint(String host, int grpcPort, int httpPort,
    eu.mlsysops.telemetry.otlp.OtlpCredentials credentials) {
  /** Validates the ports. */
  public TelemetryEndpoint {
    Objects.requireNonNull(credentials, "credentials");
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host: must not be blank");
    }
    checkPort("grpcPort", grpcPort);
    checkPort("httpPort", httpPort);
    if (grpcPort < 0 && httpPort < 0) {
      throw new IllegalArgumentException("grpcPort, httpPort: at least one receiver must be on");
    }
  }

  /** Receivers that let anyone write (local development on loopback). */
  public TelemetryEndpoint(String host, int grpcPort, int httpPort) {
    this(host, grpcPort, httpPort, eu.mlsysops.telemetry.otlp.OtlpCredentials.anyone());
  }

  /** This endpoint, whose receivers ask for tokens minted with {@code credentials}. */
  public TelemetryEndpoint withCredentials(eu.mlsysops.telemetry.otlp.OtlpCredentials c) {
    return new TelemetryEndpoint(host, grpcPort, httpPort, c);
  }

  /**
   * The endpoint of receivers bound to {@code bindAddress}: a wildcard bind ({@code 0.0.0.0},
   * {@code ::}) is reached on loopback.
   */
  public static TelemetryEndpoint boundTo(String bindAddress, int grpcPort, int httpPort) {
    String host = bindAddress;
    if (host == null || host.isBlank() || host.equals("0.0.0.0") || host.equals("::")
        || host.equals("[::]")) {
      host = "127.0.0.1";
    }
    return new TelemetryEndpoint(host, grpcPort, httpPort);
  }

  private static void checkPort(String field, int port) {
    if (port < -1 || port == 0 || port > 65_535) {
      throw new IllegalArgumentException(field + ": " + port + " is not a port (1-65535, or -1)");
    }
  }

  private String hostForUrl() {
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  /**
   * {@code OTEL_EXPORTER_OTLP_ENDPOINT}: the HTTP receiver when on (the SDKs' default protocol,
   * {@code http/protobuf}), else the gRPC one.
   */
  public String otlpEndpointUrl() {
    return "http://" + hostForUrl() + ":" + (httpPort > 0 ? httpPort : grpcPort);
  }

  /** {@code OTEL_EXPORTER_OTLP_PROTOCOL} matching {@link #otlpEndpointUrl()}. */
  public String otlpProtocol() {
    return httpPort > 0 ? "http/protobuf" : "grpc";
  }

  /**
   * The variables that point an app's OpenTelemetry SDK here: {@code OTEL_EXPORTER_OTLP_ENDPOINT},
   * {@code OTEL_EXPORTER_OTLP_PROTOCOL} and the reference's {@code TELEMETRY_ENDPOINT}.
   */
  public java.util.Map<String, String> environment() {
    return java.util.Map.of(
        "OTEL_EXPORTER_OTLP_ENDPOINT", otlpEndpointUrl(),
        "OTEL_EXPORTER_OTLP_PROTOCOL", otlpProtocol(),
        "TELEMETRY_ENDPOINT", telemetryEndpoint());
  }

  /**
   * The variables for one instance: {@link #environment()} and, where the receivers ask for
   * tokens, {@code OTEL_EXPORTER_OTLP_HEADERS} with the instance's own (it can report as itself
   * only).
   */
  public java.util.Map<String, String> environment(String node, String app, String component,
      String instance) {
    java.util.Map<String, String> env = new java.util.LinkedHashMap<>(environment());
    if (credentials.required()) {
      env.put("OTEL_EXPORTER_OTLP_HEADERS", eu.mlsysops.telemetry.otlp.OtlpCredentials
          .headersVariable(credentials.mint(new eu.mlsysops.telemetry.otlp.OtlpCredentials.Source(
              node, app, component, instance))));
    }
    return env;
  }

  /**
   * The reference implementation's {@code TELEMETRY_ENDPOINT}: {@code host:port} of the gRPC
   * receiver (its apps use the OTel SDK's gRPC exporter), or of the HTTP one when gRPC is off.
   */
  public String telemetryEndpoint() {
    return hostForUrl() + ":" + (grpcPort > 0 ? grpcPort : httpPort);
  }
}
