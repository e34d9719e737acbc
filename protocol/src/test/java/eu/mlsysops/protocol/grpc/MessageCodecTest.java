package eu.mlsysops.protocol.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.ClusterDescriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.protocol.Message;
import eu.mlsysops.protocol.grpc.proto.Envelope;
import eu.mlsysops.protocol.grpc.proto.InstanceAssignment;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MessageCodecTest {

  static String resource(String name) {
    try (InputStream in = MessageCodecTest.class.getResourceAsStream("/descriptors/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static <T> T parse(String name, Class<T> type) {
    var result = Descriptors.parse(resource(name), name, ParseOptions.DEFAULT);
    assertThat(result.errors()).isEmpty();
    return type.cast(result.descriptors().get(0));
  }

  static NodeDescriptor node() {
    return parse("full-node.yaml", NodeDescriptor.class);
  }

  static ClusterDescriptor cluster() {
    return parse("cluster.yaml", ClusterDescriptor.class);
  }

  static AppDescriptor app() {
    return parse("full-app.yaml", AppDescriptor.class);
  }

  static ExportMetricsServiceRequest metrics() {
    NumberDataPoint point =
        NumberDataPoint.newBuilder()
            .setTimeUnixNano(1_700_000_000_000_000_000L)
            .setAsDouble(0.42)
            .addAttributes(
                KeyValue.newBuilder()
                    .setKey("cpu")
                    .setValue(AnyValue.newBuilder().setStringValue("0")))
            .build();
    Metric metric =
        Metric.newBuilder()
            .setName("node_cpu_utilization")
            .setUnit("1")
            .setGauge(Gauge.newBuilder().addDataPoints(point))
            .build();
    return ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(
            ResourceMetrics.newBuilder()
                .setResource(
                    Resource.newBuilder()
                        .addAttributes(
                            KeyValue.newBuilder()
                                .setKey("mlsysops.node")
                                .setValue(AnyValue.newBuilder().setStringValue("n1"))))
                .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(metric)))
        .build();
  }

  /** One or more instances of every message type, with nulls where the records allow them. */
  static List<Message> everyMessage() {
    AppDescriptor app = app();
    Message.InstanceReport running =
        new Message.InstanceReport("full-app-detector-0", "full-app", "detector", "n1", "RUNNING",
            null, 1234L);
    Message.InstanceReport bare = new Message.InstanceReport(null, null, null, null, null, "", 0L);
    Map<String, String> args = new LinkedHashMap<>();
    args.put("component", "detector");
    args.put("target", "n2");
    return List.of(
        new Message.Register("n1", Message.Tier.NODE, node(), null, List.of(running, bare)),
        new Message.Register("c1", Message.Tier.CLUSTER, null, cluster(), List.of()),
        new Message.Register("k", Message.Tier.CONTINUUM, null, null, List.of()),
        new Message.Inventory("c1", List.of(node(), node()), List.of("n2")),
        new Message.Inventory("c1", List.of(), List.of()),
        new Message.Registered("c1", 42),
        new Message.Heartbeat("n1", 1_700_000_000_123L),
        new Message.DesiredState(
            "c1",
            7,
            app.components().stream()
                .map(c -> new Message.InstanceAssignment("full-app", "full-app-" + c.name() + "-0", c))
                .toList(),
            List.of(app)),
        new Message.DesiredState("c1", 0, List.of(), List.of()),
        new Message.StatusReport("n1", List.of(running), true),
        new Message.StatusReport("n1", List.of(), false),
        new Message.TelemetryBatch("n1", metrics()),
        new Message.TelemetryBatch("n1", ExportMetricsServiceRequest.getDefaultInstance()),
        new Message.TelemetryDemand("c1", 5000),
        new Message.PlanForward("n1", "p-1", "cpu-frequency", "placement", "relocate", args,
            "too slow"),
        new Message.PlanForward("n1", null, null, null, null, Map.of(), null),
        new Message.PlanResult("c1", "p-1", true, null),
        new Message.PlanResult("c1", "p-2", false, "no node fits"),
        new Message.Heartbeat(null, 1),
        new Message.Control("k", "abc123", "ml", List.of(
            new Message.TierControl(Message.Tier.NODE, List.of("cpu-frequency"),
                List.of("node_*: avg by (node)"),
                List.of(new Message.PolicyFile("policy-x.groovy", "00ff",
                    com.google.protobuf.ByteString.copyFromUtf8("class X {}")))),
            new Message.TierControl(Message.Tier.CLUSTER, List.of(), List.of(), List.of()))),
        new Message.Control("k", "", "heuristic", List.of()),
        new Message.ModelSet("k", "d1", List.of(
            new Message.ServedModel("m-1", 2, "ab12", 3_456, "{\"spec\":{}}"))),
        new Message.ModelSet("c1", "", List.of()),
        new Message.ModelWant("n1", List.of("ab12", "cd34")),
        new Message.ModelChunk("c1", "ab12", 1_024, 3_456,
            com.google.protobuf.ByteString.copyFrom(new byte[] {1, 2, 3})),
        new Message.ControlReport("c1", "n1", Message.Tier.NODE, "abc123",
            Map.of("policy-x.groovy", "unexpected token")),
        new Message.Records("c1", "n1", 1_700_000_000_000L, 3,
            List.of(new Message.PlanTransition("p-1", "n1", "cpu-frequency", "", false,
                    List.of(new Message.PlanCommand("cpu_frequency", "set", Map.of("ghz", "1.8"))),
                    "too slow", Map.of("latency", "120"), "Completed", "ok", 1L, 2L, 1),
                new Message.PlanTransition("p-2", "n1", null, null, true, List.of(), null,
                    Map.of(), "Pending", null, 0, 0, 0)),
            List.of(new Message.Event(5L, "n1", "instance", "a/b/0 running")), 2),
        new Message.SeriesQuery("k", "q-1", Message.Tier.NODE, "node_cpu_utilization",
            List.of(new Message.SeriesMatcher("node", Message.MatchOp.REGEX, "edge-.*"),
                new Message.SeriesMatcher("app", Message.MatchOp.NOT_EQUAL, "")),
            1_000L, 2_000L, false, 5_000L),
        new Message.SeriesQuery("k", "q-2", Message.Tier.CLUSTER, null, List.of(), 0, 0, true,
            1),
        new Message.SeriesAnswer("c1", "q-1",
            List.of(new Message.SeriesData("node_cpu_utilization", Map.of("node", "edge-1"),
                new long[] {1_000L, 2_000L}, new double[] {0.5, Double.NaN})),
            List.of(), List.of("node edge-2 did not answer within 3s"), null),
        new Message.SeriesAnswer("c1", "q-2", List.of(), List.of("a", "b"), List.of(),
            "more than 500000 samples"),
        new Message.AgentStatus("c1", "n1", Message.Tier.NODE,
            List.of(new Message.PolicyState("cpu-frequency", "built-in", "global", false, 1, 40,
                    3, 0, "", true, ""),
                new Message.PolicyState("x", null, null, true, 0, 0, 0, 1, null, false, ""),
                new Message.PolicyState("ml-cpu-frequency", "built-in", "global", false, 1, 0,
                    0, 0, "", true, "heuristic")),
            List.of(new Message.MechanismState("cpu_frequency", "{\"available_ghz\":[1.0]}",
                "{\"current_ghz\":1.0}"), new Message.MechanismState("m", null, null))));
  }

  @ParameterizedTest
  @MethodSource("everyMessage")
  void roundTripGivesAnEqualMessage(Message message) throws Exception {
    Envelope envelope = MessageCodec.encode(message);
    Envelope overTheWire = Envelope.parseFrom(envelope.toByteArray());

    assertThat(MessageCodec.decode(overTheWire)).isEqualTo(message);
  }

  @Test
  void everyMessageTypeIsCovered() {
    var covered = everyMessage().stream().map(Object::getClass).collect(Collectors.toSet());
    assertThat(covered)
        .containsExactlyInAnyOrderElementsOf(
            Arrays.stream(Message.class.getPermittedSubclasses()).toList());
    var bodies =
        everyMessage().stream().map(m -> MessageCodec.encode(m).getBodyCase()).collect(Collectors.toSet());
    assertThat(bodies).hasSize(Message.class.getPermittedSubclasses().length);
  }

  @Test
  void aComponentKeepsItsDependenciesOutsideItsDocument() {
    var detector = app().component("detector").orElseThrow();
    assertThat(detector.dependsOn()).containsExactly("camera-reader");

    Envelope e =
        MessageCodec.encode(
            new Message.DesiredState(
                "c1", 1, List.of(new Message.InstanceAssignment("full-app", "d-0", detector)),
                List.of()));

    InstanceAssignment wire = e.getDesiredState().getInstances(0);
    assertThat(wire.getComponentDependsOnList()).containsExactly("camera-reader");
    assertThat(wire.getComponentJson()).doesNotContain("depends_on");
  }

  @Test
  void aDescriptorThatDoesNotParseIsReportedWithItsField() {
    Envelope bad =
        Envelope.newBuilder()
            .setFrom("c1")
            .setInventory(
                eu.mlsysops.protocol.grpc.proto.Inventory.newBuilder()
                    .addNodesJson(Descriptors.toJson(node()))
                    .addNodesJson("{\"MLSysOpsNode\": {\"name\": 3}}"))
            .build();

    assertThatThrownBy(() -> MessageCodec.decode(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("inventory.nodes_json[1]");
  }

  @Test
  void linkControlAndEmptyEnvelopesAreNotMessages() {
    assertThatThrownBy(() -> MessageCodec.decode(Envelope.getDefaultInstance()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no message");
    Envelope accepted =
        Envelope.newBuilder()
            .setAccepted(eu.mlsysops.protocol.grpc.proto.Accepted.getDefaultInstance())
            .build();
    assertThatThrownBy(() -> MessageCodec.decode(accepted))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
