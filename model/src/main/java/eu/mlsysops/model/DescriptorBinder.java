package eu.mlsysops.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Builds descriptor records from a body the {@link SchemaWalker} has validated and normalised, so
 * types are right; it still reads defensively and treats a value of the wrong type as absent.
 */
final class DescriptorBinder {
  private DescriptorBinder() {}

  /**
   * Binds a body.
   *
   * @param name the resolved descriptor name (body name, else metadata.name), possibly null
   */
  static Descriptor bind(DescriptorKind kind, JsonNode body, String name) {
    return switch (kind) {
      case APP -> app(body, name);
      case NODE -> node(body, name);
      case CLUSTER ->
          new ClusterDescriptor(
              orElse(name, text(body, "cluster_id")),
              text(body, "cluster_id"),
              text(body, "datacenter_id"),
              strings(body, "nodes"));
      case CONTINUUM ->
          new ContinuumDescriptor(
              orElse(name, text(body, "continuum_id")),
              text(body, "continuum_id"),
              strings(body, "clusters"));
      case DATACENTER ->
          new DatacenterDescriptor(
              orElse(name, text(body, "datacenter_id")),
              text(body, "datacenter_id"),
              text(body, "cluster_id"),
              layer(text(body, "continuum")),
              strings(body, "nodes"),
              text(body, "continent"),
              text(body, "country"),
              text(body, "city"),
              numbers(body, "location"),
              text(body, "cloud_provider"));
    };
  }

  // ---------------------------------------------------------------- app

  private static AppDescriptor app(JsonNode body, String name) {
    return new AppDescriptor(
        name,
        object(body, "cluster_placement", DescriptorBinder::clusterPlacement),
        objects(body, "single_node", DescriptorBinder::singleNode),
        objects(body, "components", DescriptorBinder::component),
        objects(body, "component_interactions", DescriptorBinder::interaction),
        strings(body, "permitted_actions"),
        object(
            body,
            "global_satisfaction",
            g ->
                new GlobalSatisfaction(
                    number(g, "threshold"),
                    relation(text(g, "relation")),
                    objects(
                        g,
                        "achievement_weights",
                        w -> new AchievementWeight(text(w, "metric_id"), number(w, "weight"))))),
        object(body, "disconnect", DescriptorBinder::disconnect),
        qosWarmup(body.get("qos_warmup")));
  }

  /**
   * A duration ({@code 30s}) or a number of seconds ({@code 30}). Semantic checks reported a bad
   * value already; here it only makes the field absent.
   */
  private static java.time.Duration qosWarmup(JsonNode v) {
    if (v != null && v.isNumber()) {
      double s = v.asDouble();
      return s >= 0 && Double.isFinite(s) ? java.time.Duration.ofMillis(Math.round(s * 1000))
          : null;
    }
    if (v == null || !v.isTextual()) {
      return null;
    }
    try {
      return DisconnectPolicy.parseDuration(v.textValue());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Semantic checks reported bad values already; here they only make the field absent. */
  private static DisconnectPolicy disconnect(JsonNode d) {
    java.time.Duration lostAfter = null;
    String text = text(d, "lost_after");
    if (text != null) {
      try {
        lostAfter = DisconnectPolicy.parseDuration(text);
      } catch (IllegalArgumentException e) {
        lostAfter = null;
      }
      if (lostAfter != null && lostAfter.isZero()) {
        lostAfter = null;
      }
    }
    Boolean replace = bool(d, "replace");
    String reconcile = text(d, "reconcile");
    DisconnectPolicy.Reconcile mode = null;
    if (reconcile != null) {
      try {
        mode = DisconnectPolicy.Reconcile.fromWire(reconcile);
      } catch (IllegalArgumentException e) {
        mode = null;
      }
    }
    return new DisconnectPolicy(lostAfter, replace == null || replace, mode);
  }

  private static ClusterPlacement clusterPlacement(JsonNode p) {
    return new ClusterPlacement(
        strings(p, "cluster_id"),
        integer(p, "instances"),
        object(
            p,
            "location",
            l ->
                new PlacementLocation(
                    strings(l, "continent"), strings(l, "country"), strings(l, "city"))),
        text(p, "cloud_provider"),
        strings(p, "accelerators"),
        layers(p, "node_types"));
  }

  private static SingleNodeGroup singleNode(JsonNode g) {
    return new SingleNodeGroup(
        strings(g, "components"),
        layers(g, "continuum_layer"),
        object(g, "scaling", DescriptorBinder::scaling),
        bool(g, "mobile"),
        strings(g, "labels"),
        text(g, "node"));
  }

  private static Scaling scaling(JsonNode s) {
    return new Scaling(
        text(s, "scaling_mode"), integer(s, "instances"), text(s, "scaling_criteria"));
  }

  private static Component component(JsonNode c) {
    String restart = text(c, "restart_policy");
    return new Component(
        object(c, "metadata", m -> new ComponentMetadata(text(m, "name"), text(m, "uid"))),
        object(
            c,
            "node_placement",
            p ->
                new NodePlacement(
                    layers(p, "continuum_layer"),
                    object(p, "scaling", DescriptorBinder::scaling),
                    bool(p, "mobile"),
                    strings(p, "labels"),
                    text(p, "node"))),
        strings(c, "depends_on"),
        object(
            c,
            "runtime_configuration",
            r ->
                new RuntimeConfiguration(
                    text(r, "config_specification_file"), text(r, "config_file_path"))),
        sensors(c),
        objects(
            c,
            "qos_metrics",
            m ->
                new QosMetric(
                    text(m, "application_metric_id"),
                    orElse(number(m, "target"), Double.NaN),
                    relation(text(m, "relation")),
                    strings(m, "system_metrics_hints"))),
        object(
            c,
            "storage",
            s ->
                new Storage(
                    objects(
                        s,
                        "buckets",
                        b ->
                            new StorageBucket(
                                text(b, "bucket_id"),
                                text(b, "policy_update_token"),
                                bool(b.path("location_restrictions"), "gdpr"),
                                text(b, "reduncancy"),
                                number(b, "max_latency"),
                                number(b, "min_download_speed"),
                                text(b, "server_side_encryption"))))),
        bool(c, "data_sensitivity"),
        text(c, "data_criticality"),
        bool(c, "external_component"),
        bool(c, "external_access"),
        Boolean.TRUE.equals(bool(c, "host_network")),
        text(c, "runtime_class_name"),
        restart == null ? null : RestartPolicy.fromWire(restart),
        text(c, "os"),
        text(c, "node_type"),
        text(c, "container_runtime"),
        objects(c, "containers", DescriptorBinder::container),
        qosWarmup(c.get("qos_warmup")));
  }

  private static Container container(JsonNode c) {
    return new Container(
        text(c, "image"),
        strings(c, "command"),
        text(c, "image_pull_policy"),
        objects(
            c,
            "acceleration_api",
            a -> new AccelerationApi(text(a, "call_name"), text(a, "required_framework"))),
        object(c, "platform_requirements", DescriptorBinder::platformRequirements),
        objects(
            c,
            "ports",
            p ->
                new Port(
                    integer(p, "container_port"),
                    text(p, "host_ip"),
                    integer(p, "host_port"),
                    text(p, "name"),
                    text(p, "protocol"))),
        objects(
            c,
            "env",
            e ->
                new EnvVar(
                    text(e, "name"),
                    text(e, "value"),
                    text(e.path("value_from").path("field_ref"), "field_path"))),
        text(c, "working_dir"));
  }

  private static PlatformRequirements platformRequirements(JsonNode r) {
    return new PlatformRequirements(
        object(
            r,
            "cpu",
            c ->
                new CpuRequirements(
                    quantity(c, "requests"),
                    quantity(c, "limits"),
                    strings(c, "architecture"),
                    ghz(c.get("frequency")),
                    number(c, "performance_indicator"))),
        object(
            r,
            "memory",
            m -> new MemoryRequirements(quantity(m, "requests"), quantity(m, "limits"))),
        object(
            r,
            "mcu",
            m ->
                new McuRequirements(
                    quantity(m, "requests"),
                    quantity(m, "limits"),
                    strings(m, "architecture"),
                    text(m, "flash"),
                    ghz(m.get("frequency")),
                    number(m, "performance_indicator"))),
        bytes(r, "disk"),
        object(
            r,
            "gpu",
            g ->
                new GpuRequirements(
                    integer(g, "requests"),
                    integer(g, "limits"),
                    text(g, "model"),
                    integer(g, "memory"),
                    text(g, "utilization_request"),
                    number(g, "performance_indicator"))),
        object(
            r,
            "fpga",
            f ->
                new FpgaRequirements(
                    text(f, "model"),
                    integer(f, "memory"),
                    text(f, "utilization_request"),
                    number(f, "performance_indicator"))));
  }

  private static ComponentInteraction interaction(JsonNode i) {
    return new ComponentInteraction(
        text(i, "component_name1"),
        text(i, "type"),
        text(i, "component_name2"),
        text(i, "interaction_criticality"),
        objects(
            i,
            "interaction_metrics",
            m ->
                new InteractionMetric(
                    text(m, "system_metric_id"),
                    number(m, "target"),
                    text(m, "measurement_unit"),
                    relation(text(m, "relation")))));
  }

  // ---------------------------------------------------------------- node

  private static NodeDescriptor node(JsonNode n, String name) {
    return new NodeDescriptor(
        name,
        strings(n, "labels"),
        layer(text(n, "continuum_layer")),
        text(n, "cluster_id"),
        text(n, "datacenter_id"),
        text(n, "availability"),
        Boolean.TRUE.equals(bool(n, "mobile")),
        numbers(n, "location"),
        sensors(n),
        strings(n, "permitted_actions"),
        object(
            n,
            "distributed_storage_service",
            d -> new DistributedStorageService(bool(d, "member"), number(d, "available_space"))),
        object(
            n,
            "environment",
            e ->
                new Environment(
                    text(e, "node_type"), text(e, "os"), strings(e, "container_runtime"))),
        objects(
            n,
            "acceleration_api",
            a ->
                new NodeAccelerationApi(
                    text(a, "call_name"),
                    objects(
                        a,
                        "supported_platforms",
                        p ->
                            new SupportedPlatform(
                                text(p, "name"), strings(p, "suported_frameworks"))))),
        object(n, "hardware", DescriptorBinder::hardware),
        object(n, "network_resources", DescriptorBinder::network),
        object(n, "power", DescriptorBinder::power));
  }

  private static Hardware hardware(JsonNode h) {
    return new Hardware(
        object(
            h,
            "cpu",
            c -> {
              List<Double> frequencies = new ArrayList<>();
              for (JsonNode f : c.path("frequency")) {
                Double ghz = ghz(f);
                if (ghz != null) {
                  frequencies.add(ghz);
                }
              }
              return new CpuHardware(
                  text(c, "model"),
                  text(c, "architecture"),
                  integer(c, "cores"),
                  frequencies,
                  number(c, "performance_indicator"));
            }),
        object(
            h,
            "mcu",
            m ->
                new McuHardware(
                    text(m, "architecture"),
                    text(m, "flash"),
                    integer(m, "cores"),
                    ghz(m.get("frequency")),
                    number(m, "performance_indicator"))),
        bytes(h, "memory"),
        bytes(h, "disk"),
        object(
            h,
            "gpu",
            g ->
                new GpuHardware(
                    text(g, "model"),
                    integer(g, "memory"),
                    number(g, "instances"),
                    number(g, "performance_indicator"))),
        object(
            h,
            "fpga",
            f ->
                new FpgaHardware(
                    text(f, "model"), integer(f, "memory"), number(f, "performance_indicator"))));
  }

  private static NetworkResources network(JsonNode n) {
    return new NetworkResources(
        object(
            n,
            "basic_interface",
            b ->
                new BasicInterface(
                    text(b, "name"),
                    number(b, "range"),
                    text(b, "interface_name"),
                    bool(b, "application_traffic_permission"))),
        objects(
            n,
            "redirection_interface",
            r ->
                new RedirectionInterface(
                    text(r, "connection_type"),
                    number(r, "range"),
                    text(r, "interface_name"),
                    text(r, "mode"),
                    text(r, "hardware_address"),
                    object(
                        r,
                        "pairing_info",
                        p ->
                            new PairingInfo(
                                text(p, "ip_address"),
                                text(p, "network_ssid"),
                                text(p, "net_key"))))));
  }

  private static Power power(JsonNode p) {
    Function<JsonNode, PowerGoal> goal =
        g ->
            new PowerGoal(
                number(g, "value"), relation(text(g, "relation")), text(g, "measurement_unit"));
    Function<JsonNode, EnergyLevels> levels =
        l -> new EnergyLevels(numbers(l, "levels"), text(l, "measurement_unit"));
    return new Power(
        object(
            p,
            "target",
            t ->
                new PowerTarget(
                    object(t, "consumption", goal),
                    object(t, "cost", goal),
                    object(t, "co2_emission", goal))),
        object(
            p,
            "max_consumption",
            m -> new PowerValue(number(m, "value"), text(m, "measurement_unit"))),
        bool(p, "grid"),
        objects(
            p,
            "renewable",
            r -> new RenewableSource(text(r, "name"), object(r, "production", levels))),
        object(p, "battery", b -> new Battery(object(b, "capacity", levels))));
  }

  // ---------------------------------------------------------------- shared

  /** Sensor entries: the one object-valued key is the type; see {@link Sensor}. */
  private static List<Sensor> sensors(JsonNode owner) {
    return objects(
        owner,
        "sensors",
        entry -> {
          String type = null;
          JsonNode spec = null;
          for (Map.Entry<String, JsonNode> e : entry.properties()) {
            if (e.getValue().isObject()) {
              type = e.getKey();
              spec = e.getValue();
              break;
            }
          }
          if (type == null) {
            return null;
          }
          Map<String, Object> attributes = new LinkedHashMap<>();
          for (Map.Entry<String, JsonNode> e : spec.properties()) {
            if (!e.getKey().equals("model") || !e.getValue().isTextual()) {
              putPlain(attributes, e.getKey(), e.getValue());
            }
          }
          for (Map.Entry<String, JsonNode> e : entry.properties()) {
            if (!e.getValue().isObject() && !attributes.containsKey(e.getKey())) {
              putPlain(attributes, e.getKey(), e.getValue());
            }
          }
          return new Sensor(type, text(spec, "model"), attributes);
        });
  }

  private static void putPlain(Map<String, Object> map, String key, JsonNode value) {
    Object plain = plain(value);
    if (plain != null) {
      map.put(key, plain);
    }
  }

  /** A JSON value as plain Java: String, Long, Double, Boolean, List or Map; null for null. */
  private static Object plain(JsonNode value) {
    if (value.isTextual()) {
      return value.textValue();
    }
    if (value.isBoolean()) {
      return value.booleanValue();
    }
    if (value.isNumber()) {
      if (value.isIntegralNumber() && value.canConvertToLong()) {
        return value.longValue();
      }
      return value.doubleValue();
    }
    if (value.isArray()) {
      List<Object> list = new ArrayList<>();
      value.forEach(
          item -> {
            Object p = plain(item);
            if (p != null) {
              list.add(p);
            }
          });
      return Collections.unmodifiableList(list);
    }
    if (value.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      value.properties().forEach(e -> putPlain(map, e.getKey(), e.getValue()));
      return Collections.unmodifiableMap(map);
    }
    return null;
  }

  private static <T> T object(JsonNode owner, String field, Function<JsonNode, T> bind) {
    JsonNode value = owner.get(field);
    return value != null && value.isObject() ? bind.apply(value) : null;
  }

  private static <T> List<T> objects(JsonNode owner, String field, Function<JsonNode, T> bind) {
    List<T> result = new ArrayList<>();
    for (JsonNode item : owner.path(field)) {
      if (item.isObject()) {
        T bound = bind.apply(item);
        if (bound != null) {
          result.add(bound);
        }
      }
    }
    return result;
  }

  private static String text(JsonNode owner, String field) {
    JsonNode value = owner.get(field);
    return value != null && value.isTextual() ? value.textValue() : null;
  }

  private static Integer integer(JsonNode owner, String field) {
    JsonNode value = owner.get(field);
    return value != null && value.isIntegralNumber() && value.canConvertToInt()
        ? value.intValue()
        : null;
  }

  private static Double number(JsonNode owner, String field) {
    JsonNode value = owner.get(field);
    return value != null && value.isNumber() ? value.doubleValue() : null;
  }

  private static Boolean bool(JsonNode owner, String field) {
    JsonNode value = owner.get(field);
    return value != null && value.isBoolean() ? value.booleanValue() : null;
  }

  private static List<String> strings(JsonNode owner, String field) {
    List<String> result = new ArrayList<>();
    for (JsonNode item : owner.path(field)) {
      if (item.isTextual()) {
        result.add(item.textValue());
      }
    }
    return result;
  }

  private static List<Double> numbers(JsonNode owner, String field) {
    List<Double> result = new ArrayList<>();
    for (JsonNode item : owner.path(field)) {
      if (item.isNumber()) {
        result.add(item.doubleValue());
      }
    }
    return result;
  }

  private static List<ContinuumLayer> layers(JsonNode owner, String field) {
    List<ContinuumLayer> result = new ArrayList<>();
    for (String s : strings(owner, field)) {
      result.add(ContinuumLayer.fromWire(s));
    }
    return result;
  }

  private static ContinuumLayer layer(String wire) {
    return wire == null ? null : ContinuumLayer.fromWire(wire);
  }

  private static Relation relation(String wire) {
    return wire == null ? null : Relation.fromWire(wire);
  }

  private static Quantity quantity(JsonNode owner, String field) {
    JsonNode value = owner.get(field);
    return value != null && value.isTextual() ? Quantity.parse(value.textValue()) : null;
  }

  private static Quantity bytes(JsonNode owner, String field) {
    JsonNode value = owner.get(field);
    return value != null && (value.isTextual() || value.isNumber())
        ? FieldMeaning.bytes(value)
        : null;
  }

  private static Double ghz(JsonNode value) {
    if (value == null || !value.isNumber()) {
      return null;
    }
    BigDecimal v = value.decimalValue();
    return v.signum() > 0 ? FrequencyUnits.toGhz(v).ghz().doubleValue() : null;
  }

  private static <T> T orElse(T value, T fallback) {
    return value != null ? value : fallback;
  }
}
