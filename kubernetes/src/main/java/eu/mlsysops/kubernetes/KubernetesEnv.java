package eu.mlsysops.kubernetes;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The environment an instance gets, as the node agent gives it: the OpenTelemetry SDK pointed at
 * the node's agent. Loopback addresses here become the pod's host IP (see {@link PodSpecs}), where
 * the node agent DaemonSet listens on the host's OTLP ports.
 */
final class KubernetesEnv {
  private KubernetesEnv() {}

  static Map<String, String> forInstance(String app, String component, String id, String node) {
    Map<String, String> e = new LinkedHashMap<>();
    e.put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318");
    e.put("TELEMETRY_ENDPOINT", "127.0.0.1:4317");
    e.put("OTEL_SERVICE_NAME", component);
    e.put(
        "OTEL_RESOURCE_ATTRIBUTES",
        "service.name="
            + component
            + ",mlsysops.app="
            + app
            + ",mlsysops.node="
            + node
            + ",mlsysops.instance="
            + id);
    e.put("NODE_NAME", node);
    e.put("NODE_IP", "127.0.0.1");
    return e;
  }
}
