package eu.mlsysops.cli.client;

/** Canned answers in the shapes of docs/api.md. */
final class Canned {
  private Canned() {}

  static final String APP_DETAIL = """
      {"name": "smart-camera", "phase": "Running", "owner": "admin",
       "submitted": "2025-05-01T10:00:00Z", "qos_warmup": "30s",
       "components": [
         {"name": "camera-ingest", "cluster": "edge", "desired": 1, "running": 1,
          "instances": [{"id": "camera-ingest#0", "node": "edge-1", "state": "RUNNING",
                         "reason": "", "since": "2025-05-01T10:00:02Z"}],
          "qos": []},
         {"name": "detector", "cluster": "edge", "desired": 1, "running": 1,
          "instances": [{"id": "detector#0", "node": "edge-2", "state": "RUNNING",
                         "reason": "", "since": "2025-05-01T10:00:03Z"}],
          "qos": [{"metric": "detector_latency_ms", "relation": "lower_or_equal",
                   "target": 100.0, "current": 42.45678, "met": true}]},
         {"name": "analytics", "cluster": "cloud", "desired": 2, "running": 1,
          "instances": [
            {"id": "analytics#0", "node": "cloud-1", "state": "RUNNING", "reason": "",
             "since": "2025-05-01T10:00:04Z"},
            {"id": "analytics#1", "node": null, "state": "PENDING",
             "reason": "no node has 8 free cores", "since": "2025-05-01T10:00:04Z"}],
          "qos": []}],
       "history": [{"time": "2025-05-01T10:00:00Z", "message": "submitted"},
                   {"time": "2025-05-01T10:00:04Z", "message": "placed on edge, cloud"}]}
      """;

  static final String APPS_PAGE = """
      {"items": [
        {"name": "smart-camera", "phase": "Running", "owner": "admin",
         "submitted": "2025-05-01T10:00:00Z", "components": 3, "running": 3, "desired": 4},
        {"name": "noisy-batch", "phase": "Pending", "owner": "alice",
         "submitted": "2025-05-01T10:05:00Z", "components": 1, "running": 0, "desired": 1}],
       "total": 2, "limit": 50, "offset": 0}
      """;

  static final String EMPTY_PAGE = """
      {"items": [], "total": 0, "limit": 50, "offset": 0}
      """;

  static final String PROBLEM_400 = """
      {"type": "about:blank", "title": "Bad Request", "status": 400,
       "detail": "the descriptor has 2 errors",
       "errors": [
         {"path": "components[1].containers[0].platform_requirements.cpu.requests",
          "message": "\\"250x\\" is not a CPU quantity", "severity": "error"},
         {"path": "components[0].restart_policy",
          "message": "\\"Sometimes\\" is not one of Always, OnFailure, Never",
          "severity": "error"}]}
      """;

  static final String PERFORMANCE = """
      {"app_id": "smart-camera", "metrics": [
        {"component": "detector", "metric": "detector_latency_ms", "target": 100,
         "relation": "<=", "current": 142.0, "met": false},
        {"component": "analytics", "metric": "throughput", "target": 10,
         "relation": ">=", "current": null, "met": null}]}
      """;

  static final String CONTINUUM = """
      {"id": "continuum", "mode": "heuristic", "clusters": [
        {"id": "cloud", "nodes": [
          {"name": "cloud-1", "layer": "cloud", "healthy": true, "instances": [
            {"id": "analytics#0", "app": "smart-camera", "component": "analytics",
             "state": "RUNNING"}]},
          {"name": "cloud-2", "layer": "cloud", "healthy": true, "instances": [],
           "trust": {"score": 0.97, "level": "high", "reasons": []}}]},
        {"id": "edge", "nodes": [
          {"name": "edge-1", "layer": "edge", "healthy": false, "instances": [
            {"id": "camera-ingest#0", "app": "smart-camera", "component": "camera-ingest",
             "state": "RUNNING"},
            {"id": "detector#0", "app": "smart-camera", "component": "detector",
             "state": "STARTING"}],
           "trust": {"score": 0.42, "level": "low", "reasons": [
             "3 failed instances in the last 10 min", "memory reported 2 GiB vs declared 8 GiB"]}}
          ]}]}
      """;

  static final String NODE = """
      {"name": "edge-1", "cluster": "edge", "layer": "edge", "healthy": true,
       "cpu": {"cores": 4, "architecture": "arm64", "frequencies_ghz": [0.6, 1.2, 1.8]},
       "memory_bytes": 4294967296, "sensors": ["camera/d455"], "labels": {"zone": "a"},
       "instances": [{"id": "detector#0", "app": "smart-camera", "component": "detector",
                      "state": "RUNNING"}],
       "telemetry": {"node_cpu_utilization": 0.375, "node_power_watts": 5.25,
                     "node_cpu_scaling_frequency_hertz": 1.8e9},
       "descriptor": {"name": "edge-1"}}
      """;

  static final String NODES_PAGE = """
      {"items": [
        {"name": "cloud-1", "cluster": "cloud", "layer": "cloud", "healthy": true,
         "instances": [{"id": "a#0"}, {"id": "b#0"}],
         "telemetry": {"node_cpu_utilization": 0.5, "node_power_watts": 175.0,
                       "node_cpu_scaling_frequency_hertz": 2.4e9}},
        {"name": "edge-1", "cluster": "edge", "layer": "edge", "healthy": false,
         "instances": [],
         "telemetry": {"node_cpu_utilization": null, "node_power_watts": null,
                       "node_cpu_scaling_frequency_hertz": null}}],
       "total": 2, "limit": 50, "offset": 0}
      """;

  static final String PLANS_PAGE = """
      {"items": [
        {"id": "p2", "agent": "edge", "policy": "qos-relocation", "app": "smart-camera",
         "core": false, "status": "Completed", "reason": "",
         "explanation": "detector_latency_ms 142 > 100 on edge-2; moving detector to edge-3",
         "inputs": {}, "commands": [{"mechanism": "placement", "action": "relocate",
                                     "args": {}}],
         "created": "2025-05-01T10:01:00Z", "updated": "2025-05-01T10:01:02Z", "attempts": 1},
        {"id": "p1", "agent": "edge-2", "policy": "cpu-frequency", "app": null, "core": false,
         "status": "Failed", "reason": "mechanism busy", "explanation": "utilization 0.92",
         "inputs": {}, "commands": [], "created": "2025-05-01T10:00:30Z",
         "updated": "2025-05-01T10:00:31Z", "attempts": 3}],
       "total": 7, "limit": 2, "offset": 0}
      """;

  static final String POLICIES = """
      {"tiers": {
        "continuum": {"directory": "/d/policies/continuum", "files": {}, "errors": {},
          "policies": [{"name": "cluster-placement", "source": "built-in", "scope": "app",
                        "core": true, "instances": 1, "analyses": 12, "plans": 1, "errors": 0,
                        "last_error": null}]},
        "cluster": {"directory": "/d/policies/cluster",
          "files": {"policy-good.groovy": ["my-policy"]},
          "errors": {"policy-bad.groovy": "line 3: unexpected token: }"},
          "policies": [{"name": "my-policy", "source": "policy-good.groovy", "scope": "cluster",
                        "core": false, "disabled": true, "instances": 2, "analyses": 40, "plans": 3, "errors": 1,
                        "last_error": "division by zero"}]},
        "node": {"directory": "/d/policies/node", "files": {}, "errors": {},
          "policies": [{"name": "ml-cpu-frequency", "source": "built-in", "scope": "global",
                        "core": false, "disabled": false, "paused_by_mode": "heuristic",
                        "state": "paused (mode heuristic)", "instances": 8, "analyses": 0,
                        "plans": 0, "errors": 0, "last_error": ""}]}}}
      """;

  static final String INFRA_LIST = """
      {"nodes": [{"id": "edge-1", "cluster": "edge", "healthy": true},
                 {"id": "edge-2", "cluster": "edge", "healthy": false}],
       "clusters": [{"id": "edge", "status": "Ready"}],
       "datacenters": ["dc-athens"]}
      """;
}
