package eu.mlsysops.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each malformed descriptor yields exactly the listed problems: severity, path and message. */
class MalformedDescriptorsTest {
  private static final String SOURCE = "case.yaml";
  private static final String REQ = "components[0].containers[0].platform_requirements";
  private static final String KINDS =
      "MLSysOpsApp, MLSysOpsNode, MLSysOpsCluster, MLSysOpsContinuum, MLSysOpsDatacenter";

  /** An app with the given components (flow-style YAML). */
  private static String app(String... components) {
    return "MLSysOpsApp: {name: demo, components: [" + String.join(", ", components) + "]}";
  }

  /** An app with one component and extra top-level fields. */
  private static String appWith(String extra, String... components) {
    return "MLSysOpsApp: {name: demo, "
        + extra
        + ", components: ["
        + String.join(", ", components)
        + "]}";
  }

  /** A valid component with extra fields. */
  private static String comp(String name, String extra) {
    return "{metadata: {name: "
        + name
        + "}, containers: [{image: i}]"
        + (extra.isEmpty() ? "" : ", " + extra)
        + "}";
  }

  /** Component "a" whose single container has extra fields. */
  private static String cont(String containerExtra) {
    return "{metadata: {name: a}, containers: [{image: i, " + containerExtra + "}]}";
  }

  /** A valid node with extra fields. */
  private static String node(String extra) {
    return "MLSysOpsNode: {name: n, continuum_layer: edge, environment: {os: ubuntu}, "
        + "hardware: {memory: 4Gi}"
        + extra
        + "}";
  }

  private static Problem e(String path, String message) {
    return new Problem(Severity.ERROR, SOURCE, path, message);
  }

  private static Problem w(String path, String message) {
    return new Problem(Severity.WARNING, SOURCE, path, message);
  }

  private static Arguments of(String label, String text, Problem... expected) {
    return Arguments.of(label, text, false, List.of(expected));
  }

  private static Arguments strict(String label, String text, Problem... expected) {
    return Arguments.of(label, text, true, List.of(expected));
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        // names
        of(
            "app name with a path in it",
            "MLSysOpsApp: {name: ../../etc, components: [" + comp("a", "") + "]}",
            e("name", "\"../../etc\" is not a valid name: use at most 63 lowercase letters,"
                + " digits and '-', starting and ending with a letter or digit")),
        of(
            "component name with capitals",
            app(comp("Web_Front", "")),
            e("components[0].metadata.name", "\"Web_Front\" is not a valid name: use at most 63"
                + " lowercase letters, digits and '-', starting and ending with a letter or digit")),
        of(
            "absurd instance count",
            app(comp("a", "node_placement: {scaling: {scaling_mode: manual, instances: 100000}}")),
            e("components[0].node_placement.scaling.instances",
                "must be 1000 or less, got 100000")),
        // quantities
        of(
            "bad CPU quantity",
            app(cont("platform_requirements: {cpu: {requests: 250x}}")),
            e(REQ + ".cpu.requests", "\"250x\" is not a CPU quantity")),
        of(
            "bad memory quantity",
            app(cont("platform_requirements: {memory: {limits: lots}}")),
            e(REQ + ".memory.limits", "\"lots\" is not a memory quantity")),
        of(
            "negative CPU",
            app(cont("platform_requirements: {cpu: {requests: -1}}")),
            e(REQ + ".cpu.requests", "must not be negative, got \"-1\"")),
        of(
            "memory in millibytes",
            app(cont("platform_requirements: {memory: {requests: 128m}}")),
            w(REQ + ".memory.requests", "\"128m\" is 0.128 bytes; did you mean \"128Mi\"?")),
        of(
            "CPU requests above limits",
            app(cont("platform_requirements: {cpu: {requests: 600m, limits: 500m}}")),
            e(REQ + ".cpu.requests", "requests 600m exceed limits 500m")),
        of(
            "memory requests above limits",
            app(cont("platform_requirements: {memory: {requests: 1Gi, limits: 512Mi}}")),
            e(REQ + ".memory.requests", "requests 1Gi exceed limits 512Mi")),
        of(
            "disk that is not a quantity",
            app(cont("platform_requirements: {disk: plenty}")),
            e(REQ + ".disk", "\"plenty\" is not a disk quantity")),
        // enums and their variants
        of(
            "unknown restart policy",
            app(comp("a", "restart_policy: Sometimes")),
            e(
                "components[0].restart_policy",
                "\"Sometimes\" is not one of Always, OnFailure, Never")),
        of(
            "restart policy variant",
            app(comp("a", "restart_policy: on_failure")),
            w(
                "components[0].restart_policy",
                "\"on_failure\" is not one of Always, OnFailure, "
                    + "Never; accepted as \"OnFailure\"")),
        of(
            "restart policy lower case",
            app(comp("a", "restart_policy: never")),
            w(
                "components[0].restart_policy",
                "\"never\" is not one of Always, OnFailure, Never; " + "accepted as \"Never\"")),
        of(
            "image pull policy variant",
            app(cont("image_pull_policy: ifnotpresent")),
            w(
                "components[0].containers[0].image_pull_policy",
                "\"ifnotpresent\" is not one of "
                    + "Always, Never, IfNotPresent; accepted as \"IfNotPresent\"")),
        of(
            "unknown continuum layer",
            app(comp("a", "node_placement: {continuum_layer: [moon]}")),
            e(
                "components[0].node_placement.continuum_layer[0]",
                "\"moon\" is not one of cloud, far_edge, edge_infrastructure, edge, *")),
        of(
            "unknown QoS relation",
            app(comp("a", "qos_metrics: [{application_metric_id: m, target: 1, relation: below}]")),
            e(
                "components[0].qos_metrics[0].relation",
                "\"below\" is not one of lower_or_equal, "
                    + "greater_or_equal, equal, lower_than, greater_than")),
        // required fields
        of(
            "missing components",
            "MLSysOpsApp: {name: demo}",
            e("components", "required field is missing")),
        of(
            "missing containers",
            app("{metadata: {name: a}}"),
            e("components[0].containers", "required field is missing")),
        of(
            "missing component name",
            app("{metadata: {uid: u}, containers: [{image: i}]}"),
            e("components[0].metadata.name", "required field is missing")),
        of(
            "missing app name",
            "MLSysOpsApp: {components: [" + comp("a", "") + "]}",
            e("name", "required field is missing")),
        of(
            "missing container image",
            app("{metadata: {name: a}, containers: [{command: [x]}]}"),
            e("components[0].containers[0].image", "required field is missing")),
        // types
        of(
            "QoS target not a number",
            app(
                comp(
                    "a",
                    "qos_metrics: [{application_metric_id: m, target: fast, relation: equal}]")),
            e("components[0].qos_metrics[0].target", "expected number, got string \"fast\"")),
        of(
            "QoS target as numeric string",
            app(
                comp(
                    "a",
                    "qos_metrics: [{application_metric_id: m, target: '20', relation: equal}]")),
            w(
                "components[0].qos_metrics[0].target",
                "expected number, got string \"20\"; accepted as 20")),
        of(
            "instances as numeric string",
            app(comp("a", "node_placement: {scaling: {instances: '2'}}")),
            w(
                "components[0].node_placement.scaling.instances",
                "expected integer, got string \"2\"; accepted as 2")),
        of(
            "fractional instances",
            app(comp("a", "node_placement: {scaling: {instances: 2.5}}")),
            e(
                "components[0].node_placement.scaling.instances",
                "expected integer, got number 2.5")),
        of(
            "integer out of range",
            app(cont("ports: [{container_port: 99999999999}]")),
            e(
                "components[0].containers[0].ports[0].container_port",
                "expected integer, got number 99999999999 (out of range)")),
        of(
            "boolean word",
            app(comp("a", "host_network: yes")),
            w(
                "components[0].host_network",
                "expected boolean, got string \"yes\"; accepted as true")),
        of(
            "not a boolean",
            app(comp("a", "host_network: maybe")),
            e("components[0].host_network", "expected boolean, got string \"maybe\"")),
        of(
            "number where a string is expected",
            app(cont("platform_requirements: {disk: 120}")),
            w(REQ + ".disk", "expected string, got number 120; accepted as \"120\"")),
        of(
            "object where an array is expected",
            app("{metadata: {name: a}, containers: {image: i}}"),
            e("components[0].containers", "expected array, got object")),
        of(
            "scalar where a list is expected",
            app(comp("a", "node_placement: {continuum_layer: edge}")),
            w(
                "components[0].node_placement.continuum_layer",
                "expected array, got string \"edge\"; accepted as a list of one")),
        of(
            "null list item",
            app(comp("a", "depends_on: [~]")),
            e("components[0].depends_on[0]", "expected string, got null")),
        // unknown fields
        of(
            "unknown field warns",
            app(comp("a", "colour: blue")),
            w("components[0].colour", "unknown field")),
        strict(
            "unknown field is an error when strict",
            app(comp("a", "colour: blue")),
            e("components[0].colour", "unknown field")),
        of(
            "unknown field near a known one",
            app(comp("a", "restart_polcy: Always")),
            w("components[0].restart_polcy", "unknown field; did you mean \"restart_policy\"?")),
        // field-name variants
        of(
            "mobility variant",
            app(comp("a", "node_placement: {mobility: true}")),
            w("components[0].node_placement.mobility", "unknown field; accepted as \"mobile\"")),
        of(
            "mobility and mobile together",
            app(comp("a", "node_placement: {mobility: true, mobile: false}")),
            e("components[0].node_placement.mobility", "both \"mobility\" and \"mobile\" given")),
        // references
        of(
            "duplicate component names",
            app(comp("a", ""), comp("a", "")),
            e(
                "components[1].metadata.name",
                "duplicate component name \"a\" (first at components[0])")),
        of(
            "unknown dependency",
            app(comp("a", "depends_on: [db]")),
            e("components[0].depends_on[0]", "unknown component \"db\"")),
        of(
            "dependency cycle",
            app(
                comp("a", "depends_on: [b]"),
                comp("b", "depends_on: [c]"),
                comp("c", "depends_on: [a]")),
            e("components[0].depends_on", "dependency cycle: a -> b -> c -> a")),
        of(
            "self dependency",
            app(comp("x", ""), comp("a", "depends_on: [a]")),
            e("components[1].depends_on", "dependency cycle: a -> a")),
        of(
            "interaction with an unknown component",
            appWith(
                "component_interactions: [{component_name1: a, component_name2: ghost}]",
                comp("a", "")),
            e("component_interactions[0].component_name2", "unknown component \"ghost\"")),
        of(
            "single node group with an unknown component",
            appWith("single_node: [{components: [a, ghost]}]", comp("a", "")),
            e("single_node[0].components[1]", "unknown component \"ghost\"")),
        // ranges
        of(
            "port out of range",
            app(cont("ports: [{container_port: 70000}]")),
            e(
                "components[0].containers[0].ports[0].container_port",
                "70000 is not a port number (1..65535)")),
        of(
            "host port differs with host networking",
            app(
                "{metadata: {name: a}, host_network: true, "
                    + "containers: [{image: i, ports: [{container_port: 80, host_port: 8080}]}]}"),
            e(
                "components[0].containers[0].ports[0].host_port",
                "must equal container_port 80 when host_network is true, got 8080")),
        of(
            "negative instances",
            app(comp("a", "node_placement: {scaling: {instances: -1}}")),
            e("components[0].node_placement.scaling.instances", "must be 0 or more, got -1")),
        of(
            "threshold out of range",
            appWith("global_satisfaction: {threshold: 1.5}", comp("a", "")),
            e("global_satisfaction.threshold", "1.5 is not in (0, 1]")),
        of(
            "negative weight",
            appWith(
                "global_satisfaction: {threshold: 0.5, achievement_weights: "
                    + "[{metric_id: m, weight: -0.5}]}",
                comp("a", "qos_metrics: [{application_metric_id: m, target: 1}]")),
            e("global_satisfaction.achievement_weights[0].weight", "must be 0 or more, got -0.5")),
        // structure
        of(
            "environment value and value_from together",
            app(cont("env: [{name: X, value: v, value_from: {field_ref: {field_path: p}}}]")),
            e("components[0].containers[0].env[0]", "value and value_from are mutually exclusive")),
        of(
            "sensor entry with two types",
            app(comp("a", "sensors: [{camera: {model: d455}, temperature: {model: sdc30}}]")),
            e(
                "components[0].sensors[0]",
                "a sensor entry needs exactly one sensor type, got 2 (camera, temperature)")),
        of(
            "several errors in one document are all reported",
            "MLSysOpsApp: {components: [{metadata: {name: a}, restart_policy: Sometimes,"
                + " containers: [{image: i, ports: [{container_port: 0}], platform_requirements:"
                + " {cpu: {requests: 250x}}}]}]}",
            e(
                "components[0].restart_policy",
                "\"Sometimes\" is not one of Always, OnFailure, Never"),
            e(REQ + ".cpu.requests", "\"250x\" is not a CPU quantity"),
            e("name", "required field is missing"),
            e(
                "components[0].containers[0].ports[0].container_port",
                "0 is not a port number (1..65535)")),
        of(
            "QoS metric without target",
            app(comp("a", "qos_metrics: [{application_metric_id: m}]")),
            e("components[0].qos_metrics[0].target", "required field is missing")),
        of(
            "duplicate port names in a component",
            app(
                "{metadata: {name: a}, containers: [{image: i, ports: [{container_port: 1, "
                    + "name: h}]}, {image: j, ports: [{container_port: 2, name: h}]}]}"),
            e(
                "components[0].containers[1].ports[0].name",
                "duplicate port name \"h\" (first at components[0].containers[0].ports[0])")),
        of(
            "GPU requests above limits",
            app(cont("platform_requirements: {gpu: {requests: 3, limits: 1}}")),
            e(REQ + ".gpu.requests", "requests 3 exceed limits 1")),
        of(
            "interaction without a destination",
            appWith("component_interactions: [{component_name1: a}]", comp("a", "")),
            e("component_interactions[0].component_name2", "required field is missing")),
        of(
            "unknown sensor type",
            app(comp("a", "sensors: [{lidar: {model: l1}}]")),
            w("components[0].sensors[0].lidar", "unknown field")),
        of(
            "required field left empty",
            "MLSysOpsApp:\n  name: x\n  components:\n",
            e("components", "required field is missing")),
        of(
            "empty component list",
            "MLSysOpsApp: {name: x, components: []}",
            e("components", "at least one component is required")),
        of(
            "descriptor body left empty",
            "MLSysOpsApp:\n",
            e("", "MLSysOpsApp: expected object, got null")),
        // envelopes
        of(
            "wrong apiVersion",
            "apiVersion: v1\nkind: MLSysOpsCluster\n" + "spec: {cluster_id: c, nodes: []}",
            e("apiVersion", "\"v1\" is not mlsysops.eu/v1")),
        of(
            "unknown kind",
            "apiVersion: mlsysops.eu/v1\nkind: MLSysOpsFoo\nspec: {}",
            e("kind", "\"MLSysOpsFoo\" is not one of " + KINDS)),
        of(
            "custom resource without spec",
            "apiVersion: mlsysops.eu/v1\nkind: MLSysOpsApp\nmetadata: {name: x}",
            e("spec", "required field is missing")),
        of(
            "wrong top-level key",
            "Application: {name: x}",
            e("Application", "\"Application\" is not one of " + KINDS)),
        // node, cluster, datacenter
        of(
            "node without name",
            "MLSysOpsNode: {continuum_layer: edge, environment: {}, " + "hardware: {}}",
            e("name", "required field is missing")),
        of(
            "node missing its required sections",
            "MLSysOpsNode: {name: n}",
            e("continuum_layer", "required field is missing"),
            e("environment", "required field is missing"),
            e("hardware", "required field is missing")),
        of(
            "node layer cannot be anywhere",
            node("").replace("continuum_layer: edge", "continuum_layer: '*'"),
            e("continuum_layer", "\"*\" is not one of cloud, edge_infrastructure, edge, far_edge")),
        of(
            "node memory that is not a quantity",
            node("").replace("4Gi", "lots"),
            e("hardware.memory", "\"lots\" is not a memory quantity")),
        of(
            "node frequency zero",
            node("").replace("memory: 4Gi", "cpu: {frequency: [0]}"),
            e("hardware.cpu.frequency[0]", "must be positive, got 0")),
        of(
            "node memory as a decimal string",
            node("").replace("4Gi", "'4.5'"),
            w("hardware.memory", "expected integer, got string \"4.5\"; accepted as 4.5")),
        of(
            "node longitude out of range",
            node(", location: [200, 10]"),
            e("location[0]", "longitude must be within -180..180, got 200")),
        of(
            "node location with three numbers",
            node(", location: [1, 2, 3]"),
            e("location", "expected [longitude, latitude], got 3 values")),
        of(
            "node mobility variant",
            node(", mobility: true"),
            w("mobility", "unknown field; accepted as \"mobile\"")),
        of(
            "cluster without nodes",
            "MLSysOpsCluster: {cluster_id: c}",
            e("nodes", "required field is missing")),
        of(
            "cluster listing a node twice",
            "MLSysOpsCluster: {cluster_id: c, nodes: [n, n]}",
            w("nodes[1]", "duplicate node \"n\"")),
        of(
            "cluster name of the wrong type",
            "MLSysOpsCluster: {name: 5, cluster_id: c, nodes: []}",
            w("name", "expected string, got number 5; accepted as \"5\"")),
        of(
            "datacenter with a capitalised continent",
            "MLSysOpsDatacenter: {datacenter_id: d, "
                + "cluster_id: c, continuum: cloud, nodes: [], continent: Europe}",
            e(
                "continent",
                "\"Europe\" is not one of europe, asia, africa, australia, "
                    + "north_america, south_america, antarctica")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void reportsExactlyTheExpectedProblems(
      String label, String text, boolean strict, List<Problem> expected) {
    ParseResult result = Descriptors.parse(text, SOURCE, new ParseOptions(strict));

    assertThat(result.problems()).containsExactlyElementsOf(expected);
    boolean anyError = expected.stream().anyMatch(Problem::isError);
    assertThat(result.descriptors()).hasSize(anyError ? 0 : 1);
  }

  @Test
  void tableCoversAtLeastThirtyCases() {
    assertThat(cases().count()).isGreaterThanOrEqualTo(30);
  }

  @Test
  void variantsAreNormalisedBeforeBinding() {
    ParseResult result =
        Descriptors.parse(
            app(
                "{metadata: {name: a}, restart_policy: on_failure, node_placement: {mobility:"
                    + " true}, containers: [{image: i, image_pull_policy: always, ports:"
                    + " [{container_port: '80', protocol: tcp}]}]}"),
            SOURCE,
            ParseOptions.DEFAULT);

    Component c = TestFiles.single(result, AppDescriptor.class).components().get(0);
    assertThat(c.restartPolicy()).isEqualTo(RestartPolicy.ON_FAILURE);
    assertThat(c.nodePlacement().mobile()).isTrue();
    assertThat(c.containers().get(0).imagePullPolicy()).isEqualTo("Always");
    assertThat(c.containers().get(0).ports())
        .containsExactly(new Port(80, null, null, null, "TCP"));
    assertThat(result.warnings()).hasSize(5);
  }

  @Test
  void acceptsBothSpellingsOfFieldsTheCrdsMisspell() {
    String node =
        node(
            ", acceleration_api: [{call_name: image_inference, supported_platforms: "
                + "[{name: gpu, %s: [pytorch]}]}]");
    String bucket =
        cont("")
            .replace(
                "containers", "storage: {buckets: [{bucket_id: b, %s: high}]}, " + "containers");

    for (String spelling : List.of("suported_frameworks", "supported_frameworks")) {
      ParseResult result = Descriptors.parse(node.formatted(spelling), SOURCE, ParseOptions.STRICT);
      assertThat(result.problems()).isEmpty();
      assertThat(
              TestFiles.single(result, NodeDescriptor.class)
                  .accelerationApi()
                  .get(0)
                  .supportedPlatforms()
                  .get(0)
                  .supportedFrameworks())
          .containsExactly("pytorch");
    }
    for (String spelling : List.of("reduncancy", "redundancy")) {
      ParseResult result =
          Descriptors.parse(app(bucket.formatted(spelling)), SOURCE, ParseOptions.STRICT);
      assertThat(result.problems()).isEmpty();
      assertThat(
              TestFiles.single(result, AppDescriptor.class)
                  .components()
                  .get(0)
                  .storage()
                  .buckets()
                  .get(0)
                  .redundancy())
          .isEqualTo("high");
    }
  }

  @Test
  void acceptsTheCorrectSpellingOfTheNodeCrdsMisspelledRelation() {
    for (String relation : List.of("lower_or_qqual", "lower_or_equal")) {
      ParseResult result =
          Descriptors.parse(
              node(
                  ", power: {target: {consumption: "
                      + "{value: 10, relation: "
                      + relation
                      + ", measurement_unit: kwh}}}"),
              SOURCE,
              ParseOptions.STRICT);

      assertThat(result.problems()).isEmpty();
      assertThat(
              TestFiles.single(result, NodeDescriptor.class)
                  .power()
                  .target()
                  .consumption()
                  .relation())
          .isEqualTo(Relation.LOWER_OR_EQUAL);
    }
  }

  @Test
  void readsRenewableProductionBesideItsName() {
    ParseResult result =
        Descriptors.parse(
            node(
                ", power: {renewable: [{name: solar_panel, "
                    + "production: {levels: [1, 2.5], measurement_unit: wh}}]}"),
            SOURCE,
            ParseOptions.STRICT);

    assertThat(result.problems()).isEmpty();
    assertThat(TestFiles.single(result, NodeDescriptor.class).power().renewable())
        .containsExactly(
            new RenewableSource("solar_panel", new EnergyLevels(List.of(1.0, 2.5), "wh")));
  }

  @Test
  void capsTheNumberOfReportedProblems() {
    StringBuilder fields = new StringBuilder();
    for (int i = 0; i < 2000; i++) {
      fields.append(", x").append(i).append(": 1");
    }
    ParseResult result =
        Descriptors.parse(
            "MLSysOpsCluster: {cluster_id: c, nodes: []" + fields + "}",
            SOURCE,
            ParseOptions.STRICT);

    assertThat(result.problems()).hasSize(ProblemSink.MAX_PROBLEMS + 1);
    assertThat(result.problems().get(ProblemSink.MAX_PROBLEMS).message())
        .isEqualTo("1500 more problems not shown");
  }
}
