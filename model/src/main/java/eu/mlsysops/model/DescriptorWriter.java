package eu.mlsysops.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes descriptor records back as the top-level-key form ({@code MLSysOpsApp: {...}}) that {@link
 * DescriptorParser} reads to equal records. Absent values and empty lists are left out; field names
 * use the CRDs' spellings (including their misspellings) so the output also fits the real CRDs.
 */
final class DescriptorWriter {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private DescriptorWriter() {}

  static ObjectNode write(Descriptor descriptor) {
    ObjectNode body =
        switch (descriptor.kind()) {
          case APP -> app((AppDescriptor) descriptor);
          case NODE -> node((NodeDescriptor) descriptor);
          case CLUSTER -> cluster((ClusterDescriptor) descriptor);
          case CONTINUUM -> continuum((ContinuumDescriptor) descriptor);
          case DATACENTER -> datacenter((DatacenterDescriptor) descriptor);
        };
    ObjectNode root = F.objectNode();
    root.set(descriptor.kind().wireName(), body);
    return root;
  }

  private static ObjectNode cluster(ClusterDescriptor c) {
    return obj()
        .put("name", c.name())
        .put("cluster_id", c.clusterId())
        .put("datacenter_id", c.datacenterId())
        .put("nodes", strings(c.nodes()))
        .done();
  }

  private static ObjectNode continuum(ContinuumDescriptor c) {
    return obj()
        .put("name", c.name())
        .put("continuum_id", c.continuumId())
        .put("clusters", strings(c.clusters()))
        .done();
  }

  private static ObjectNode datacenter(DatacenterDescriptor d) {
    return obj()
        .put("name", d.name())
        .put("datacenter_id", d.datacenterId())
        .put("cluster_id", d.clusterId())
        .put("continuum", d.continuum() == null ? null : d.continuum().wireName())
        .put("nodes", strings(d.nodes()))
        .put("continent", d.continent())
        .put("country", d.country())
        .put("city", d.city())
        .put("location", numbers(d.location()))
        .put("cloud_provider", d.cloudProvider())
        .done();
  }

  // ---------------------------------------------------------------- app

  private static ObjectNode app(AppDescriptor a) {
    return obj()
        .put("name", a.name())
        .put(
            "cluster_placement",
            a.clusterPlacement(),
            p ->
                obj()
                    .put("cluster_id", strings(p.clusterId()))
                    .put("instances", p.instances())
                    .put(
                        "location",
                        p.location(),
                        l ->
                            obj()
                                .put("continent", strings(l.continent()))
                                .put("country", strings(l.country()))
                                .put("city", strings(l.city()))
                                .done())
                    .put("cloud_provider", p.cloudProvider())
                    .put("accelerators", strings(p.accelerators()))
                    .put("node_types", layers(p.nodeTypes()))
                    .done())
        .put(
            "single_node",
            list(
                a.singleNode(),
                g ->
                    obj()
                        .put("components", strings(g.components()))
                        .put("continuum_layer", layers(g.continuumLayer()))
                        .put("scaling", g.scaling(), DescriptorWriter::scaling)
                        .put("mobile", g.mobile())
                        .put("labels", strings(g.labels()))
                        .put("node", g.node())
                        .done()))
        .put("components", list(a.components(), DescriptorWriter::component))
        .put(
            "component_interactions",
            list(
                a.componentInteractions(),
                i ->
                    obj()
                        .put("component_name1", i.componentName1())
                        .put("type", i.type())
                        .put("component_name2", i.componentName2())
                        .put("interaction_criticality", i.interactionCriticality())
                        .put(
                            "interaction_metrics",
                            list(
                                i.interactionMetrics(),
                                m ->
                                    obj()
                                        .put("system_metric_id", m.systemMetricId())
                                        .put("target", m.target())
                                        .put("measurement_unit", m.measurementUnit())
                                        .put(
                                            "relation",
                                            m.relation() == null ? null : m.relation().wireName())
                                        .done()))
                        .done()))
        .put("permitted_actions", strings(a.permittedActions()))
        .put(
            "global_satisfaction",
            a.globalSatisfaction(),
            g ->
                obj()
                    .put("threshold", g.threshold())
                    .put("relation", g.relation() == null ? null : g.relation().wireName())
                    .put(
                        "achievement_weights",
                        list(
                            g.achievementWeights(),
                            w ->
                                obj()
                                    .put("metric_id", w.metricId())
                                    .put("weight", w.weight())
                                    .done()))
                    .done())
        .put(
            "disconnect",
            a.disconnect(),
            d ->
                obj()
                    .put(
                        "lost_after",
                        d.lostAfter() == null
                            ? null
                            : DisconnectPolicy.formatDuration(d.lostAfter()))
                    .put("replace", d.replace())
                    .put("reconcile", d.reconcile().wireName())
                    .done())
        .put("qos_warmup",
            a.qosWarmup() == null ? null : DisconnectPolicy.formatDuration(a.qosWarmup()))
        .done();
  }

  private static ObjectNode scaling(Scaling s) {
    return obj()
        .put("scaling_mode", s.scalingMode())
        .put("instances", s.instances())
        .put("scaling_criteria", s.scalingCriteria())
        .done();
  }

  private static ObjectNode component(Component c) {
    return obj()
        .put("metadata", c.metadata(), m -> obj().put("name", m.name()).put("uid", m.uid()).done())
        .put(
            "node_placement",
            c.nodePlacement(),
            p ->
                obj()
                    .put("continuum_layer", layers(p.continuumLayer()))
                    .put("scaling", p.scaling(), DescriptorWriter::scaling)
                    .put("mobile", p.mobile())
                    .put("labels", strings(p.labels()))
                    .put("node", p.node())
                    .done())
        .put("depends_on", strings(c.dependsOn()))
        .put(
            "runtime_configuration",
            c.runtimeConfiguration(),
            r ->
                obj()
                    .put("config_specification_file", r.configSpecificationFile())
                    .put("config_file_path", r.configFilePath())
                    .done())
        .put("sensors", sensors(c.sensors(), DescriptorKind.APP))
        .put(
            "qos_metrics",
            list(
                c.qosMetrics(),
                m ->
                    obj()
                        .put("application_metric_id", m.applicationMetricId())
                        .put("target", Double.isNaN(m.target()) ? null : m.target())
                        .put("relation", m.relation() == null ? null : m.relation().wireName())
                        .put("system_metrics_hints", strings(m.systemMetricsHints()))
                        .done()))
        .put(
            "storage",
            c.storage(),
            s ->
                obj()
                    .put(
                        "buckets",
                        list(
                            s.buckets(),
                            b ->
                                obj()
                                    .put("bucket_id", b.bucketId())
                                    .put("policy_update_token", b.policyUpdateToken())
                                    .put(
                                        "location_restrictions",
                                        b.gdpr() == null
                                            ? null
                                            : obj().put("gdpr", b.gdpr()).done())
                                    .put("reduncancy", b.redundancy())
                                    .put("max_latency", b.maxLatency())
                                    .put("min_download_speed", b.minDownloadSpeed())
                                    .put("server_side_encryption", b.serverSideEncryption())
                                    .done()))
                    .done())
        .put("data_sensitivity", c.dataSensitivity())
        .put("data_criticality", c.dataCriticality())
        .put("external_component", c.externalComponent())
        .put("external_access", c.externalAccess())
        .put("host_network", c.hostNetwork() ? Boolean.TRUE : null)
        .put("runtime_class_name", c.runtimeClassName())
        .put("restart_policy", c.restartPolicy() == null ? null : c.restartPolicy().wireName())
        .put("os", c.os())
        .put("node_type", c.nodeType())
        .put("container_runtime", c.containerRuntime())
        .put("containers", list(c.containers(), DescriptorWriter::container))
        .put("qos_warmup",
            c.qosWarmup() == null ? null : DisconnectPolicy.formatDuration(c.qosWarmup()))
        .done();
  }

  private static ObjectNode container(Container c) {
    return obj()
        .put("image", c.image())
        .put("command", strings(c.command()))
        .put("image_pull_policy", c.imagePullPolicy())
        .put(
            "acceleration_api",
            list(
                c.accelerationApi(),
                a ->
                    obj()
                        .put("call_name", a.callName())
                        .put("required_framework", a.requiredFramework())
                        .done()))
        .put(
            "platform_requirements",
            c.platformRequirements(),
            r ->
                obj()
                    .put(
                        "cpu",
                        r.cpu(),
                        cpu ->
                            obj()
                                .put("requests", quantity(cpu.requests()))
                                .put("limits", quantity(cpu.limits()))
                                .put("architecture", strings(cpu.architecture()))
                                .put("frequency", cpu.frequencyGhz())
                                .put("performance_indicator", cpu.performanceIndicator())
                                .done())
                    .put(
                        "memory",
                        r.memory(),
                        m ->
                            obj()
                                .put("requests", quantity(m.requests()))
                                .put("limits", quantity(m.limits()))
                                .done())
                    .put(
                        "mcu",
                        r.mcu(),
                        m ->
                            obj()
                                .put("requests", quantity(m.requests()))
                                .put("limits", quantity(m.limits()))
                                .put("architecture", strings(m.architecture()))
                                .put("flash", m.flash())
                                .put("frequency", m.frequencyGhz())
                                .put("performance_indicator", m.performanceIndicator())
                                .done())
                    .put("disk", bytes(r.disk()))
                    .put(
                        "gpu",
                        r.gpu(),
                        g ->
                            obj()
                                .put("requests", g.requests())
                                .put("limits", g.limits())
                                .put("model", g.model())
                                .put("memory", g.memory())
                                .put("utilization_request", g.utilizationRequest())
                                .put("performance_indicator", g.performanceIndicator())
                                .done())
                    .put(
                        "fpga",
                        r.fpga(),
                        f ->
                            obj()
                                .put("model", f.model())
                                .put("memory", f.memory())
                                .put("utilization_request", f.utilizationRequest())
                                .put("performance_indicator", f.performanceIndicator())
                                .done())
                    .done())
        .put(
            "ports",
            list(
                c.ports(),
                p ->
                    obj()
                        .put("container_port", p.containerPort())
                        .put("host_ip", p.hostIp())
                        .put("host_port", p.hostPort())
                        .put("name", p.name())
                        .put("protocol", p.protocol())
                        .done()))
        .put(
            "env",
            list(
                c.env(),
                e ->
                    obj()
                        .put("name", e.name())
                        .put("value", e.value())
                        .put(
                            "value_from",
                            e.valueFromFieldPath() == null
                                ? null
                                : obj()
                                    .put(
                                        "field_ref",
                                        obj().put("field_path", e.valueFromFieldPath()).done())
                                    .done())
                        .done()))
        .put("working_dir", c.workingDir())
        .done();
  }

  // ---------------------------------------------------------------- node

  private static ObjectNode node(NodeDescriptor n) {
    return obj()
        .put("name", n.name())
        .put("labels", strings(n.labels()))
        .put("continuum_layer", n.continuumLayer() == null ? null : n.continuumLayer().wireName())
        .put("cluster_id", n.clusterId())
        .put("datacenter_id", n.datacenterId())
        .put("availability", n.availability())
        .put("mobile", n.mobile())
        .put("location", numbers(n.location()))
        .put("sensors", sensors(n.sensors(), DescriptorKind.NODE))
        .put("permitted_actions", strings(n.permittedActions()))
        .put(
            "distributed_storage_service",
            n.distributedStorageService(),
            d -> obj().put("member", d.member()).put("available_space", d.availableSpace()).done())
        .put(
            "environment",
            n.environment(),
            e ->
                obj()
                    .put("node_type", e.nodeType())
                    .put("os", e.os())
                    .put("container_runtime", strings(e.containerRuntime()))
                    .done())
        .put(
            "acceleration_api",
            list(
                n.accelerationApi(),
                a ->
                    obj()
                        .put("call_name", a.callName())
                        .put(
                            "supported_platforms",
                            list(
                                a.supportedPlatforms(),
                                p ->
                                    obj()
                                        .put("name", p.name())
                                        .put(
                                            "suported_frameworks", strings(p.supportedFrameworks()))
                                        .done()))
                        .done()))
        .put(
            "hardware",
            n.hardware(),
            h ->
                obj()
                    .put(
                        "cpu",
                        h.cpu(),
                        c ->
                            obj()
                                .put("model", c.model())
                                .put("architecture", c.architecture())
                                .put("cores", c.cores())
                                .put("frequency", numbers(c.frequencyGhz()))
                                .put("performance_indicator", c.performanceIndicator())
                                .done())
                    .put(
                        "mcu",
                        h.mcu(),
                        m ->
                            obj()
                                .put("architecture", m.architecture())
                                .put("flash", m.flash())
                                .put("cores", m.cores())
                                .put("frequency", m.frequencyGhz())
                                .put("performance_indicator", m.performanceIndicator())
                                .done())
                    .put("memory", bytes(h.memory()))
                    .put("disk", bytes(h.disk()))
                    .put(
                        "gpu",
                        h.gpu(),
                        g ->
                            obj()
                                .put("model", g.model())
                                .put("memory", g.memory())
                                .put("instances", g.instances())
                                .put("performance_indicator", g.performanceIndicator())
                                .done())
                    .put(
                        "fpga",
                        h.fpga(),
                        f ->
                            obj()
                                .put("model", f.model())
                                .put("memory", f.memory())
                                .put("performance_indicator", f.performanceIndicator())
                                .done())
                    .done())
        .put(
            "network_resources",
            n.networkResources(),
            r ->
                obj()
                    .put(
                        "basic_interface",
                        r.basicInterface(),
                        b ->
                            obj()
                                .put("name", b.name())
                                .put("range", b.range())
                                .put("interface_name", b.interfaceName())
                                .put(
                                    "application_traffic_permission",
                                    b.applicationTrafficPermission())
                                .done())
                    .put(
                        "redirection_interface",
                        list(
                            r.redirectionInterface(),
                            i ->
                                obj()
                                    .put("connection_type", i.connectionType())
                                    .put("range", i.range())
                                    .put("interface_name", i.interfaceName())
                                    .put("mode", i.mode())
                                    .put("hardware_address", i.hardwareAddress())
                                    .put(
                                        "pairing_info",
                                        i.pairingInfo(),
                                        p ->
                                            obj()
                                                .put("ip_address", p.ipAddress())
                                                .put("network_ssid", p.networkSsid())
                                                .put("net_key", p.netKey())
                                                .done())
                                    .done()))
                    .done())
        .put("power", n.power(), DescriptorWriter::power)
        .done();
  }

  private static ObjectNode power(Power p) {
    Function<PowerGoal, ObjectNode> goal =
        g ->
            obj()
                .put("value", g.value())
                .put("relation", g.relation() == null ? null : g.relation().wireName())
                .put("measurement_unit", g.measurementUnit())
                .done();
    Function<EnergyLevels, ObjectNode> levels =
        l ->
            obj()
                .put("levels", numbers(l.levels()))
                .put("measurement_unit", l.measurementUnit())
                .done();
    return obj()
        .put(
            "target",
            p.target(),
            t ->
                obj()
                    .put("consumption", t.consumption(), goal)
                    .put("cost", t.cost(), goal)
                    .put("co2_emission", t.co2Emission(), goal)
                    .done())
        .put(
            "max_consumption",
            p.maxConsumption(),
            m -> obj().put("value", m.value()).put("measurement_unit", m.measurementUnit()).done())
        .put("grid", p.grid())
        .put(
            "renewable",
            list(
                p.renewable(),
                r -> obj().put("name", r.name()).put("production", r.production(), levels).done()))
        .put("battery", p.battery(), b -> obj().put("capacity", b.capacity(), levels).done())
        .done();
  }

  // ---------------------------------------------------------------- shared

  /**
   * A sensor entry; each attribute goes where the schema declares it (inside the sensor-type
   * object, or beside it for entry-level fields such as {@code protocol}), else inside.
   */
  private static ArrayNode sensors(List<Sensor> sensors, DescriptorKind kind) {
    Schema entrySchema =
        kind == DescriptorKind.APP
            ? CrdSchemas.of(kind).property("components").items().property("sensors").items()
            : CrdSchemas.of(kind).property("sensors").items();
    return list(
        sensors,
        s -> {
          Schema typeSchema = entrySchema.property(s.type());
          ObjectNode spec = F.objectNode();
          ObjectNode entry = F.objectNode();
          if (s.model() != null) {
            spec.put("model", s.model());
          }
          entry.set(s.type(), spec);
          for (Map.Entry<String, Object> a : s.attributes().entrySet()) {
            boolean inside =
                typeSchema == null
                    || typeSchema.property(a.getKey()) != null
                    || entrySchema.property(a.getKey()) == null;
            (inside ? spec : entry).set(a.getKey(), plain(a.getValue()));
          }
          return entry;
        });
  }

  private static JsonNode plain(Object value) {
    if (value instanceof String s) {
      return F.textNode(s);
    }
    if (value instanceof Boolean b) {
      return F.booleanNode(b);
    }
    if (value instanceof Long l) {
      return F.numberNode(l);
    }
    if (value instanceof Integer i) {
      return F.numberNode(i);
    }
    if (value instanceof Number n) {
      return F.numberNode(n.doubleValue());
    }
    if (value instanceof Collection<?> c) {
      ArrayNode array = F.arrayNode();
      c.forEach(item -> array.add(plain(item)));
      return array;
    }
    if (value instanceof Map<?, ?> m) {
      ObjectNode object = F.objectNode();
      m.forEach((k, v) -> object.set(String.valueOf(k), plain(v)));
      return object;
    }
    return value == null ? F.nullNode() : F.textNode(value.toString());
  }

  private static String quantity(Quantity q) {
    return q == null ? null : q.toString();
  }

  /**
   * A byte size as a suffixed quantity: a plain number would read back as GiB, so a suffix-less
   * canonical form is rewritten with {@code k}.
   */
  private static String bytes(Quantity q) {
    if (q == null) {
      return null;
    }
    String text = q.toString();
    if (q.isZero() || Character.isLetter(text.charAt(text.length() - 1))) {
      return text;
    }
    return ValueText.number(q.value().movePointLeft(3)) + "k";
  }

  private static ArrayNode strings(List<String> values) {
    ArrayNode array = F.arrayNode();
    values.forEach(array::add);
    return array;
  }

  private static ArrayNode numbers(List<Double> values) {
    ArrayNode array = F.arrayNode();
    values.forEach(array::add);
    return array;
  }

  private static ArrayNode layers(List<ContinuumLayer> values) {
    ArrayNode array = F.arrayNode();
    values.forEach(l -> array.add(l.wireName()));
    return array;
  }

  private static <T> ArrayNode list(List<T> values, Function<T, ObjectNode> write) {
    ArrayNode array = F.arrayNode();
    values.forEach(v -> array.add(write.apply(v)));
    return array;
  }

  private static Obj obj() {
    return new Obj();
  }

  /** A tiny builder that skips nulls and empty arrays, so optional fields stay absent. */
  private static final class Obj {
    private final ObjectNode node = F.objectNode();

    Obj put(String field, String value) {
      if (value != null) {
        node.put(field, value);
      }
      return this;
    }

    Obj put(String field, Integer value) {
      if (value != null) {
        node.put(field, value);
      }
      return this;
    }

    Obj put(String field, Double value) {
      if (value != null) {
        node.put(field, value);
      }
      return this;
    }

    Obj put(String field, Boolean value) {
      if (value != null) {
        node.put(field, value);
      }
      return this;
    }

    Obj put(String field, JsonNode value) {
      if (value != null && !(value.isArray() && value.isEmpty())) {
        node.set(field, value);
      }
      return this;
    }

    <T> Obj put(String field, T value, Function<T, ObjectNode> write) {
      if (value != null) {
        node.set(field, write.apply(value));
      }
      return this;
    }

    ObjectNode done() {
      return node;
    }
  }
}
