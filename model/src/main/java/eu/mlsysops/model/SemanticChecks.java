package eu.mlsysops.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks the schema cannot express: cross-references, uniqueness, ranges and orderings. Runs on the
 * tree the {@link SchemaWalker} normalised, and skips values of the wrong type, which the walker
 * has already reported.
 */
final class SemanticChecks {
  private static final int MAX_CYCLE_SHOWN = 8;

  private final ProblemSink sink;
  private final AppLimits limits;

  private SemanticChecks(ProblemSink sink, AppLimits limits) {
    this.sink = sink;
    this.limits = limits;
  }

  static void check(DescriptorKind kind, ObjectNode body, ProblemSink sink, AppLimits limits) {
    SemanticChecks checks = new SemanticChecks(sink, limits);
    switch (kind) {
      case APP -> checks.app(body);
      case NODE -> checks.node(body);
      case CLUSTER -> {
        checks.notEmpty(body, "cluster_id", "");
        checks.noDuplicates(body.get("nodes"), "nodes", "node");
      }
      case CONTINUUM -> {
        checks.notEmpty(body, "continuum_id", "");
        checks.noDuplicates(body.get("clusters"), "clusters", "cluster");
      }
      case DATACENTER -> {
        checks.notEmpty(body, "datacenter_id", "");
        checks.notEmpty(body, "cluster_id", "");
        checks.noDuplicates(body.get("nodes"), "nodes", "node");
        checks.location(body.get("location"), "location");
      }
    }
  }

  // ---------------------------------------------------------------- app

  private void app(ObjectNode body) {
    JsonNode appName = body.get("name");
    if (appName != null && appName.isTextual() && !appName.textValue().isBlank()) {
      dnsLabel(appName.textValue(), "name");
    }
    JsonNode components = body.get("components");
    Map<String, Integer> byName = new LinkedHashMap<>();
    List<String> names = new ArrayList<>();
    Set<String> metricIds = new HashSet<>();
    if (components != null && components.isArray()) {
      if (components.isEmpty()) {
        sink.error("components", "at least one component is required");
      }
      if (components.size() > limits.components()) {
        // Every component multiplies placement, status and dry-run work: refuse before it.
        sink.error("components", "at most " + limits.components() + " components per app (app"
            + " limit components), got " + components.size());
        return;
      }
      long instances = 0;
      for (JsonNode c : components) {
        JsonNode n = c.path("node_placement").path("scaling").get("instances");
        // A count over the per-component bound has its own error; it counts as that bound here.
        instances += n != null && n.isNumber() && n.longValue() > 0
            ? Math.min(n.longValue(), MAX_INSTANCES) : 1;
      }
      if (instances > limits.instances()) {
        sink.error("components", "at most " + limits.instances() + " instances per app, in all"
            + " its components (app limit instances), got " + instances);
      }
      for (int i = 0; i < components.size(); i++) {
        names.add(componentName(components.get(i), "components[" + i + "]", byName, i));
      }
      for (int i = 0; i < components.size(); i++) {
        component(components.get(i), "components[" + i + "]", byName, metricIds);
      }
      dependencyCycles(components, names, byName);
    }
    JsonNode interactions = body.get("component_interactions");
    forEachObject(
        interactions,
        "component_interactions",
        (interaction, path) -> {
          for (String field : List.of("component_name1", "component_name2")) {
            JsonNode name = interaction.get(field);
            if (name == null) {
              sink.error(ProblemSink.field(path, field), "required field is missing");
            } else {
              knownComponent(name, ProblemSink.field(path, field), byName);
            }
          }
        });
    forEachObject(
        body.get("single_node"),
        "single_node",
        (group, path) -> {
          forEachItem(
              group.get("components"),
              path + ".components",
              (name, itemPath) -> knownComponent(name, itemPath, byName));
          atLeast(group.path("scaling").get("instances"), path + ".scaling.instances", 0);
        });
    atLeast(body.path("cluster_placement").get("instances"), "cluster_placement.instances", 0);
    globalSatisfaction(body.get("global_satisfaction"), metricIds, !names.isEmpty());
    disconnect(body.get("disconnect"));
    qosWarmup(body.get("qos_warmup"), "qos_warmup");
  }

  /** An app's or a component's {@code qos_warmup}: a duration, or a number of seconds. */
  private void qosWarmup(JsonNode warmup, String path) {
    if (warmup != null && warmup.isNumber()) {
      double s = warmup.asDouble(); // a number: seconds
      if (!(s >= 0) || s * 1000 > MAX_QOS_WARMUP.toMillis()) {
        sink.error(path, "must be from 0 to " + MAX_QOS_WARMUP.toSeconds()
            + " seconds (or a duration such as 30s), got " + warmup.asText());
      }
    } else if (warmup != null && warmup.isTextual()) {
      try {
        if (DisconnectPolicy.parseDuration(warmup.textValue()).compareTo(MAX_QOS_WARMUP) > 0) {
          sink.error(path, "must be at most " + DisconnectPolicy.formatDuration(
              MAX_QOS_WARMUP));
        }
      } catch (IllegalArgumentException e) {
        sink.error(path, e.getMessage());
      }
    } else if (warmup != null && !warmup.isNull()) {
      sink.error(path, "expected a duration such as 30s, or a number of seconds");
    }
  }

  /** The longest warm-up accepted: longer would mean QoS is never judged in practice. */
  static final java.time.Duration MAX_QOS_WARMUP = java.time.Duration.ofHours(1);

  private void disconnect(JsonNode disconnect) {
    if (disconnect == null || !disconnect.isObject()) {
      return;
    }
    JsonNode lostAfter = disconnect.get("lost_after");
    if (lostAfter != null && lostAfter.isTextual()) {
      try {
        if (DisconnectPolicy.parseDuration(lostAfter.textValue()).isZero()) {
          sink.error("disconnect.lost_after", "must be longer than 0");
        }
      } catch (IllegalArgumentException e) {
        sink.error("disconnect.lost_after", e.getMessage());
      }
    }
  }

  private String componentName(
      JsonNode component, String path, Map<String, Integer> byName, int index) {
    JsonNode metadata = component.get("metadata");
    if (!component.isObject() || metadata == null || !metadata.isObject()) {
      return null; // reported by the schema walker
    }
    JsonNode name = metadata.get("name");
    String namePath = path + ".metadata.name";
    if (name == null) {
      sink.error(namePath, "required field is missing");
      return null;
    }
    if (!name.isTextual()) {
      return null;
    }
    String text = name.textValue();
    if (text.isBlank()) {
      sink.error(namePath, "must not be empty");
      return null;
    }
    dnsLabel(text, namePath);
    Integer first = byName.putIfAbsent(text, index);
    if (first != null) {
      sink.error(
          namePath,
          "duplicate component name "
              + ValueText.quote(text)
              + " (first at components["
              + first
              + "])");
    }
    return text;
  }

  private void component(
      JsonNode component, String path, Map<String, Integer> byName, Set<String> metricIds) {
    if (!component.isObject()) {
      return;
    }
    forEachItem(
        component.get("depends_on"),
        path + ".depends_on",
        (name, itemPath) -> knownComponent(name, itemPath, byName));
    atLeast(
        component.path("node_placement").path("scaling").get("instances"),
        path + ".node_placement.scaling.instances",
        0);
    atMost(
        component.path("node_placement").path("scaling").get("instances"),
        path + ".node_placement.scaling.instances",
        MAX_INSTANCES);
    qosWarmup(component.get("qos_warmup"), path + ".qos_warmup");
    sensors(component.get("sensors"), path + ".sensors");
    forEachObject(
        component.get("qos_metrics"),
        path + ".qos_metrics",
        (metric, p) -> {
          // The CRD leaves these optional, but a target without a metric or value is unusable.
          for (String field : List.of("application_metric_id", "target")) {
            if (!metric.has(field)) {
              sink.error(p + "." + field, "required field is missing");
            }
          }
          if (metric.path("application_metric_id").isTextual()) {
            metricIds.add(metric.get("application_metric_id").textValue());
          }
        });
    JsonNode containers = component.get("containers");
    if (containers != null && containers.isArray() && containers.isEmpty()) {
      sink.error(path + ".containers", "at least one container is required");
    }
    boolean hostNetwork =
        component.path("host_network").asBoolean(false)
            && component.path("host_network").isBoolean();
    Map<String, String> portNames = new HashMap<>();
    forEachObject(
        containers,
        path + ".containers",
        (container, cp) -> {
          if (!container.has("image")) {
            sink.error(cp + ".image", "required field is missing");
          }
          JsonNode dir = container.get("working_dir");
          if (dir != null && dir.isTextual()
              && (dir.textValue().isBlank() || dir.textValue().indexOf('\0') >= 0)) {
            sink.error(cp + ".working_dir", "must be a directory path (absolute, or relative to"
                + " where the node agent runs)");
          }
          JsonNode requirements = container.get("platform_requirements");
          if (requirements != null && requirements.isObject()) {
            String rp = cp + ".platform_requirements";
            requestsWithinLimits(requirements.get("cpu"), rp + ".cpu");
            requestsWithinLimits(requirements.get("memory"), rp + ".memory");
            requestsWithinLimits(requirements.get("mcu"), rp + ".mcu");
            gpuRequests(requirements.get("gpu"), rp + ".gpu");
          }
          forEachObject(
              container.get("ports"),
              cp + ".ports",
              (port, pp) -> port(port, pp, hostNetwork, portNames));
          forEachObject(
              container.get("env"),
              cp + ".env",
              (env, ep) -> {
                if (!env.has("name")) {
                  sink.error(ep + ".name", "required field is missing");
                }
                if (env.has("value") && env.has("value_from")) {
                  sink.error(ep, "value and value_from are mutually exclusive");
                }
              });
        });
  }

  private void knownComponent(JsonNode name, String path, Map<String, Integer> byName) {
    if (name.isTextual() && !byName.containsKey(name.textValue())) {
      sink.error(path, "unknown component " + ValueText.quote(name.textValue()));
    }
  }

  private void requestsWithinLimits(JsonNode group, String path) {
    if (group == null || !group.isObject()) {
      return;
    }
    Quantity requests = quantity(group.get("requests"));
    Quantity limits = quantity(group.get("limits"));
    if (requests != null && limits != null && requests.compareTo(limits) > 0) {
      sink.error(path + ".requests", "requests " + requests + " exceed limits " + limits);
    }
  }

  private void gpuRequests(JsonNode gpu, String path) {
    if (gpu == null || !gpu.isObject()) {
      return;
    }
    atLeast(gpu.get("requests"), path + ".requests", 0);
    atLeast(gpu.get("limits"), path + ".limits", 0);
    JsonNode requests = gpu.get("requests");
    JsonNode limits = gpu.get("limits");
    if (requests != null
        && limits != null
        && requests.isInt()
        && limits.isInt()
        && requests.intValue() > limits.intValue()) {
      sink.error(
          path + ".requests",
          "requests " + requests.intValue() + " exceed limits " + limits.intValue());
    }
  }

  private void port(JsonNode port, String path, boolean hostNetwork, Map<String, String> names) {
    JsonNode containerPort = port.get("container_port");
    JsonNode hostPort = port.get("host_port");
    portNumber(containerPort, path + ".container_port");
    portNumber(hostPort, path + ".host_port");
    if (hostNetwork
        && containerPort != null
        && hostPort != null
        && containerPort.isInt()
        && hostPort.isInt()
        && containerPort.intValue() != hostPort.intValue()) {
      sink.error(
          path + ".host_port",
          "must equal container_port "
              + containerPort.intValue()
              + " when host_network is true, got "
              + hostPort.intValue());
    }
    JsonNode name = port.get("name");
    if (name != null && name.isTextual()) {
      String first = names.putIfAbsent(name.textValue(), path);
      if (first != null) {
        sink.error(
            path + ".name",
            "duplicate port name "
                + ValueText.quote(name.textValue())
                + " (first at "
                + first
                + ")");
      }
    }
  }

  private void portNumber(JsonNode port, String path) {
    if (port != null && port.isInt() && (port.intValue() < 1 || port.intValue() > 65535)) {
      sink.error(path, port.intValue() + " is not a port number (1..65535)");
    }
  }

  /** Reports each dependency cycle once, starting from its first component in descriptor order. */
  private void dependencyCycles(
      JsonNode components, List<String> names, Map<String, Integer> byName) {
    int n = components.size();
    List<List<Integer>> edges = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      List<Integer> targets = new ArrayList<>();
      // Only the first component of a duplicated name takes part; duplicates are already errors.
      if (names.get(i) != null && byName.get(names.get(i)) == i) {
        for (JsonNode dep : components.get(i).path("depends_on")) {
          Integer target = dep.isTextual() ? byName.get(dep.textValue()) : null;
          if (target != null) {
            targets.add(target);
          }
        }
      }
      edges.add(targets);
    }
    // Iterative DFS: a hostile app may have thousands of components in one chain.
    int[] state = new int[n]; // 0 new, 1 on stack, 2 done
    int[] next = new int[n];
    Set<Set<Integer>> reported = new HashSet<>();
    for (int root = 0; root < n; root++) {
      if (state[root] != 0) {
        continue;
      }
      Deque<Integer> stack = new ArrayDeque<>();
      List<Integer> onStack = new ArrayList<>();
      stack.push(root);
      onStack.add(root);
      state[root] = 1;
      while (!stack.isEmpty()) {
        int u = stack.peek();
        if (next[u] < edges.get(u).size()) {
          int v = edges.get(u).get(next[u]++);
          if (state[v] == 0) {
            state[v] = 1;
            stack.push(v);
            onStack.add(v);
          } else if (state[v] == 1) {
            List<Integer> cycle =
                new ArrayList<>(onStack.subList(onStack.indexOf(v), onStack.size()));
            if (reported.add(new TreeSet<>(cycle))) {
              reportCycle(cycle, names);
            }
          }
        } else {
          state[u] = 2;
          stack.pop();
          onStack.remove(onStack.size() - 1);
        }
      }
    }
  }

  private void reportCycle(List<Integer> cycle, List<String> names) {
    int start = cycle.indexOf(cycle.stream().min(Integer::compare).orElseThrow());
    StringBuilder text = new StringBuilder("dependency cycle: ");
    int n = cycle.size();
    for (int k = 0; k <= n; k++) {
      // A long cycle shows its first and last steps only, so the message stays readable.
      if (n > MAX_CYCLE_SHOWN && k == MAX_CYCLE_SHOWN / 2) {
        text.append(" -> ...");
        k = n - MAX_CYCLE_SHOWN / 2;
      }
      String name = names.get(cycle.get((start + k) % n));
      text.append(k == 0 ? "" : " -> ").append(name.length() > 40 ? ValueText.quote(name) : name);
    }
    if (n > MAX_CYCLE_SHOWN) {
      text.append(" (").append(n).append(" components)");
    }
    sink.error("components[" + cycle.get(start) + "].depends_on", text.toString());
  }

  private void globalSatisfaction(JsonNode satisfaction, Set<String> metricIds, boolean known) {
    if (satisfaction == null || !satisfaction.isObject()) {
      return;
    }
    JsonNode threshold = satisfaction.get("threshold");
    if (threshold != null
        && threshold.isNumber()
        && (threshold.doubleValue() <= 0 || threshold.doubleValue() > 1)) {
      sink.error(
          "global_satisfaction.threshold", ValueText.numberText(threshold) + " is not in (0, 1]");
    }
    forEachObject(
        satisfaction.get("achievement_weights"),
        "global_satisfaction.achievement_weights",
        (weight, path) -> {
          JsonNode w = weight.get("weight");
          if (w != null && w.isNumber() && w.doubleValue() < 0) {
            sink.error(path + ".weight", "must be 0 or more, got " + ValueText.numberText(w));
          }
          JsonNode metric = weight.get("metric_id");
          if (known
              && metric != null
              && metric.isTextual()
              && !metricIds.contains(metric.textValue())) {
            sink.warning(
                path + ".metric_id",
                "unknown metric "
                    + ValueText.quote(metric.textValue())
                    + "; no component lists it in qos_metrics");
          }
        });
  }

  // ---------------------------------------------------------------- node

  private void node(ObjectNode body) {
    sensors(body.get("sensors"), "sensors");
    location(body.get("location"), "location");
    JsonNode hardware = body.path("hardware");
    atLeast(hardware.path("cpu").get("cores"), "hardware.cpu.cores", 1);
    atLeast(hardware.path("mcu").get("cores"), "hardware.mcu.cores", 1);
    atLeast(hardware.path("gpu").get("memory"), "hardware.gpu.memory", 0);
    atLeast(hardware.path("fpga").get("memory"), "hardware.fpga.memory", 0);
    atLeast(
        body.path("distributed_storage_service").get("available_space"),
        "distributed_storage_service.available_space",
        0);
  }

  // ---------------------------------------------------------------- shared

  /** Each sensor entry holds exactly one sensor-type key (a key with an object value). */
  private void sensors(JsonNode sensors, String path) {
    forEachObject(
        sensors,
        path,
        (entry, entryPath) -> {
          List<String> types = new ArrayList<>();
          entry
              .properties()
              .forEach(
                  e -> {
                    if (e.getValue().isObject()) {
                      types.add(e.getKey());
                    }
                  });
          if (types.isEmpty()) {
            sink.error(
                entryPath, "a sensor entry needs one sensor type, e.g. camera or temperature");
          } else if (types.size() > 1) {
            sink.error(
                entryPath,
                "a sensor entry needs exactly one sensor type, got "
                    + types.size()
                    + " ("
                    + String.join(", ", types)
                    + ")");
          }
        });
  }

  private void location(JsonNode location, String path) {
    if (location == null || !location.isArray() || location.isEmpty()) {
      return;
    }
    if (location.size() != 2) {
      sink.error(path, "expected [longitude, latitude], got " + location.size() + " values");
      return;
    }
    range(location.get(0), path + "[0]", "longitude", 180);
    range(location.get(1), path + "[1]", "latitude", 90);
  }

  private void range(JsonNode value, String path, String what, double bound) {
    if (value.isNumber() && Math.abs(value.doubleValue()) > bound) {
      sink.error(
          path,
          what
              + " must be within -"
              + (int) bound
              + ".."
              + (int) bound
              + ", got "
              + ValueText.numberText(value));
    }
  }

  /** Upper bound on replicas per component: beyond it a typo, not a plan, is the likely cause. */
  static final int MAX_INSTANCES = 1000;

  private static final java.util.regex.Pattern DNS_LABEL =
      java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  /**
   * App and component names become parts of instance ids, Kubernetes object names and URL paths,
   * so they must be DNS-1123 labels, as Kubernetes requires of its own names.
   */
  private void dnsLabel(String text, String path) {
    if (text.length() > 63 || !DNS_LABEL.matcher(text).matches()) {
      sink.error(path, ValueText.quote(text) + " is not a valid name: use at most 63 lowercase"
          + " letters, digits and '-', starting and ending with a letter or digit");
    }
  }

  private void atMost(JsonNode value, String path, int max) {
    if (value != null && value.isNumber() && value.doubleValue() > max) {
      sink.error(path, "must be " + max + " or less, got " + ValueText.numberText(value));
    }
  }

  private void atLeast(JsonNode value, String path, int min) {
    if (value != null && value.isNumber() && value.doubleValue() < min) {
      sink.error(path, "must be " + min + " or more, got " + ValueText.numberText(value));
    }
  }

  private void notEmpty(JsonNode body, String field, String parent) {
    JsonNode value = body.get(field);
    if (value != null && value.isTextual() && value.textValue().isBlank()) {
      sink.error(ProblemSink.field(parent, field), "must not be empty");
    }
  }

  private void noDuplicates(JsonNode list, String path, String what) {
    Set<String> seen = new HashSet<>();
    forEachItem(
        list,
        path,
        (item, itemPath) -> {
          if (item.isTextual() && !seen.add(item.textValue())) {
            sink.warning(itemPath, "duplicate " + what + " " + ValueText.quote(item.textValue()));
          }
        });
  }

  private interface ItemCheck {
    void check(JsonNode item, String path);
  }

  private static void forEachItem(JsonNode list, String path, ItemCheck check) {
    if (list == null || !list.isArray()) {
      return;
    }
    for (int i = 0; i < list.size(); i++) {
      check.check(list.get(i), ProblemSink.index(path, i));
    }
  }

  private static void forEachObject(JsonNode list, String path, ItemCheck check) {
    forEachItem(
        list,
        path,
        (item, itemPath) -> {
          if (item.isObject()) {
            check.check(item, itemPath);
          }
        });
  }

  private static Quantity quantity(JsonNode value) {
    if (value == null || !value.isTextual()) {
      return null;
    }
    try {
      return Quantity.parse(value.textValue());
    } catch (QuantityFormatException e) {
      return null;
    }
  }
}
