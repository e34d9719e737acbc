package eu.mlsysops.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class InputFormsTest {
  private static final String TOP_LEVEL =
      """
      MLSysOpsApp:
        name: shop
        components:
          - metadata: {name: web}
            restart_policy: Always
            node_placement: {continuum_layer: [edge, "*"], scaling: {instances: 2}}
            containers:
              - image: nginx
                platform_requirements:
                  cpu: {requests: 500m, limits: 1}
                  memory: {requests: 128Mi}
          - metadata: {name: db}
            depends_on: []
            containers: [{image: postgres}]
      """;

  private static final String CUSTOM_RESOURCE =
      """
      apiVersion: mlsysops.eu/v1
      kind: MLSysOpsApp
      metadata:
        name: shop
        namespace: default
      spec:
        components:
          - metadata: {name: web}
            restart_policy: Always
            node_placement: {continuum_layer: [edge, "*"], scaling: {instances: 2}}
            containers:
              - image: nginx
                platform_requirements:
                  cpu: {requests: 0.5, limits: "1"}
                  memory: {requests: 134217728}
          - metadata: {name: db}
            containers: [{image: postgres}]
      """;

  private static final String JSON_TOP_LEVEL =
      """
      {"MLSysOpsApp": {"name": "shop", "components": [
        {"metadata": {"name": "web"}, "restart_policy": "Always",
         "node_placement": {"continuum_layer": ["edge", "*"], "scaling": {"instances": 2}},
         "containers": [{"image": "nginx", "platform_requirements": {
            "cpu": {"requests": "500m", "limits": "1000m"}, "memory": {"requests": "128Mi"}}}]},
        {"metadata": {"name": "db"}, "containers": [{"image": "postgres"}]}]}}
      """;

  private static final String JSON_CUSTOM_RESOURCE =
      """
      {"apiVersion": "mlsysops.eu/v1", "kind": "MLSysOpsApp", "metadata": {"name": "shop"},
       "spec": {"components": [
        {"metadata": {"name": "web"}, "restart_policy": "Always",
         "node_placement": {"continuum_layer": ["edge", "*"], "scaling": {"instances": 2}},
         "containers": [{"image": "nginx", "platform_requirements": {
            "cpu": {"requests": "500m", "limits": 1}, "memory": {"requests": "128Mi"}}}]},
        {"metadata": {"name": "db"}, "containers": [{"image": "postgres"}]}]}}
      """;

  private static AppDescriptor app(String text, String source) {
    return TestFiles.single(
        Descriptors.parse(text, source, ParseOptions.DEFAULT), AppDescriptor.class);
  }

  @Test
  void topLevelKeyCustomResourceAndJsonGiveEqualRecords() {
    AppDescriptor expected = app(TOP_LEVEL, "app.yaml");

    assertThat(app(CUSTOM_RESOURCE, "cr.yaml")).isEqualTo(expected);
    assertThat(app(JSON_TOP_LEVEL, "app.json")).isEqualTo(expected);
    assertThat(app(JSON_CUSTOM_RESOURCE, "cr.json")).isEqualTo(expected);
    assertThat(app(JSON_TOP_LEVEL, "no-extension")).isEqualTo(expected);
    assertThat(expected.component("web").orElseThrow().instances()).isEqualTo(2);
    assertThat(expected.component("web").orElseThrow().nodePlacement().continuumLayer())
        .containsExactly(ContinuumLayer.EDGE, ContinuumLayer.ANY);
    assertThat(expected.component("web").orElseThrow().cpuRequests())
        .isEqualTo(Quantity.ofMillis(500));
  }

  @Test
  void readsYamlFlowMappingsThatAreNotJson() {
    ParseResult result =
        Descriptors.parse(
            "{MLSysOpsCluster: {cluster_id: c1, nodes: [n1]}}", "flow.yaml", ParseOptions.DEFAULT);

    assertThat(result.problems()).isEmpty();
    assertThat(result.ofType(ClusterDescriptor.class))
        .extracting(ClusterDescriptor::name)
        .containsExactly("c1");
  }

  @Test
  void metadataNameNamesTheDescriptorWhenSpecHasNone() {
    ParseResult result =
        Descriptors.parse(
            """
            apiVersion: mlsysops.eu/v1
            kind: MLSysOpsNode
            metadata: {name: edge-7}
            spec:
              continuum_layer: edge
              environment: {os: ubuntu}
              hardware: {memory: 8Gi}
            """,
            "node.yaml",
            ParseOptions.DEFAULT);

    NodeDescriptor node = TestFiles.single(result, NodeDescriptor.class);
    assertThat(node.name()).isEqualTo("edge-7");
    assertThat(node.hardware().memoryBytes()).isEqualTo(8L << 30);
    assertThat(result.problems()).isEmpty();
  }

  @Test
  void specNameWinsOverMetadataNameWithAWarning() {
    ParseResult result =
        Descriptors.parse(
            """
            apiVersion: mlsysops.eu/v1
            kind: MLSysOpsCluster
            metadata: {name: k8s-name}
            spec: {name: real-name, cluster_id: c1, nodes: []}
            """,
            "c.yaml",
            ParseOptions.DEFAULT);

    assertThat(TestFiles.single(result, ClusterDescriptor.class).name()).isEqualTo("real-name");
    assertThat(result.problems())
        .containsExactly(
            new Problem(
                Severity.WARNING,
                "c.yaml",
                "name",
                "\"real-name\" differs from metadata.name \"k8s-name\"; using \"real-name\""));
  }

  @Test
  void clusterContinuumAndDatacenterNamesFallBackToTheirIds() {
    ParseResult result =
        Descriptors.parse(
            """
            MLSysOpsCluster: {cluster_id: c1, nodes: [n1, n2]}
            MLSysOpsContinuum: {continuum_id: k1, clusters: [c1]}
            MLSysOpsDatacenter:
              datacenter_id: dc1
              cluster_id: c1
              continuum: cloud
              nodes: [n1]
              city: volos
              location: [22.9, 39.4]
            """,
            "infra.yaml",
            ParseOptions.DEFAULT);

    assertThat(result.problems()).isEmpty();
    assertThat(result.descriptors())
        .extracting(Descriptor::name)
        .containsExactly("c1", "k1", "dc1");
    assertThat(result.ofType(DatacenterDescriptor.class).get(0).continuum())
        .isEqualTo(ContinuumLayer.CLOUD);
  }

  @Test
  void readsEveryDocumentOfAMultiDocumentStream() {
    String all =
        String.join("\n---\n", TestFiles.EXAMPLES.stream().map(TestFiles::exampleText).toList());

    ParseResult result = Descriptors.parse(all, "all.yaml", ParseOptions.DEFAULT);

    assertThat(result.errors()).isEmpty();
    assertThat(result.descriptors())
        .extracting(Descriptor::kind)
        .containsExactly(
            DescriptorKind.APP,
            DescriptorKind.CLUSTER,
            DescriptorKind.CONTINUUM,
            DescriptorKind.NODE,
            DescriptorKind.NODE,
            DescriptorKind.NODE);
    assertThat(result.ofType(NodeDescriptor.class))
        .extracting(NodeDescriptor::name)
        .containsExactly("node-1", "node-2", "node-3");
    assertThat(result.warnings()).extracting(Problem::source).contains("all.yaml#4", "all.yaml#5");
  }

  @Test
  void keepsGoodDocumentsAndNamesTheBadOneInAStream() {
    ParseResult result =
        Descriptors.parse(
            """
            MLSysOpsCluster: {cluster_id: c1, nodes: []}
            ---
            MLSysOpsCluster: {nodes: []}
            ---
            ---
            MLSysOpsContinuum: {continuum_id: k, clusters: [c1]}
            """,
            "s.yaml",
            ParseOptions.DEFAULT);

    assertThat(result.descriptors()).extracting(Descriptor::name).containsExactly("c1", "k");
    assertThat(result.problems())
        .containsExactly(
            new Problem(Severity.ERROR, "s.yaml#2", "cluster_id", "required field is missing"));
  }

  @Test
  void acceptsTheCrdFileNameAsKindWithAWarning() {
    ParseResult result =
        Descriptors.parse(
            "MLSysOpsApplication: {name: a, components: [{metadata: {name: x}, containers: [{image:"
                + " i}]}]}",
            "a.yaml",
            ParseOptions.DEFAULT);

    assertThat(result.ofType(AppDescriptor.class)).hasSize(1);
    assertThat(result.problems())
        .containsExactly(
            new Problem(
                Severity.WARNING,
                "a.yaml",
                "MLSysOpsApplication",
                "\"MLSysOpsApplication\" is not a descriptor kind; accepted as \"MLSysOpsApp\""));
  }

  @Test
  void expandsYamlAnchorsAliasesAndMergeKeys() {
    AppDescriptor app =
        app(
            """
            MLSysOpsApp:
              name: anchors
              components:
                - metadata: {name: a}
                  containers:
                    - image: i
                      platform_requirements: &small {cpu: {requests: 100m, limits: 200m}}
                - metadata: {name: b}
                  containers:
                    - image: i
                      platform_requirements:
                        <<: *small
                        memory: {requests: 1Gi}
                - metadata: {name: c}
                  containers: [{image: i, platform_requirements: *small}]
            """,
            "anchors.yaml");

    assertThat(app.component("a").orElseThrow().cpuRequests()).isEqualTo(Quantity.ofMillis(100));
    assertThat(app.component("b").orElseThrow().cpuRequests()).isEqualTo(Quantity.ofMillis(100));
    assertThat(app.component("b").orElseThrow().memoryRequests()).isEqualTo(Quantity.parse("1Gi"));
    assertThat(app.component("c").orElseThrow().containers())
        .isEqualTo(app.component("a").orElseThrow().containers());
  }

  @Test
  void parseAppReturnsTheAppOrThrowsWithEveryErrorLine() {
    assertThat(Descriptors.parseApp(TOP_LEVEL).name()).isEqualTo("shop");

    assertThatThrownBy(
            () ->
                Descriptors.parseApp(
                    """
                    MLSysOpsApp:
                      name: broken
                      components:
                        - metadata: {name: a}
                          restart_policy: Sometimes
                          containers: [{image: i, ports: [{container_port: 0}]}]
                    """))
        .isInstanceOf(DescriptorException.class)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "<input>: components[0].restart_policy: \"Sometimes\" is not one of Always, "
                + "OnFailure, Never\n"
                + "<input>: components[0].containers[0].ports[0].container_port: 0 is not a port "
                + "number (1..65535)")
        .satisfies(e -> assertThat(((DescriptorException) e).problems()).hasSize(2));

    assertThatThrownBy(() -> Descriptors.parseApp("MLSysOpsCluster: {cluster_id: c, nodes: []}"))
        .isInstanceOf(DescriptorException.class)
        .hasMessage("<input>: expected one MLSysOpsApp, found 0");
  }

  @Test
  void problemPrintsSourcePathAndMessage() {
    Problem problem =
        new Problem(Severity.ERROR, "app.yaml", "components", "required field is missing");

    assertThat(problem).hasToString("app.yaml: components: required field is missing");
    assertThat(new Problem(Severity.WARNING, "x.yaml", "", "m")).hasToString("x.yaml: m");
    assertThat(Severity.ERROR).hasToString("error");
    assertThat(Severity.WARNING).hasToString("warning");
  }

  @Test
  void ofTypeFiltersDescriptors() {
    ParseResult result =
        Descriptors.parse(
            String.join(
                "\n---\n",
                TestFiles.exampleText("cluster.yaml"),
                TestFiles.exampleText("node-2.yaml")),
            "two.yaml",
            ParseOptions.DEFAULT);

    assertThat(result.ofType(ClusterDescriptor.class)).hasSize(1);
    assertThat(result.ofType(NodeDescriptor.class)).hasSize(1);
    assertThat(result.ofType(AppDescriptor.class)).isEqualTo(List.of());
  }
}
