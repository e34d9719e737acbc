package eu.mlsysops.telemetry.otlp;

import static eu.mlsysops.telemetry.otlp.Otlp.T0;
import static eu.mlsysops.telemetry.otlp.Otlp.attr;
import static eu.mlsysops.telemetry.otlp.Otlp.attrs;
import static eu.mlsysops.telemetry.otlp.Otlp.gauge;
import static eu.mlsysops.telemetry.otlp.Otlp.point;
import static eu.mlsysops.telemetry.otlp.Otlp.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import eu.mlsysops.telemetry.Labels;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValueList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelMappingTest {
  private final CollectingSink sink = new CollectingSink();

  @Test
  void promotedAndMlsysopsResourceAttributesAndScopeBecomeLabels() {
    OtlpMetricsTranslator t = OtlpMetricsTranslator.builder(sink).nodeName("agent-node").build();

    t.translate(
        request(
            attrs(
                "service.name",
                "checkout",
                "service.instance.id",
                "c-1",
                "host.name",
                "h1",
                "process.pid",
                "77",
                "mlsysops.node",
                "n7",
                "mlsysops.app",
                "shop",
                "mlsysops.component",
                "cart",
                "mlsysops.instance",
                "shop/cart/0"),
            InstrumentationScope.newBuilder().setName("io.meter").setVersion("1.2").build(),
            gauge("g", point(T0, 1, "path", "/buy"))));

    assertThat(sink.samples().get(0).labels().map())
        .isEqualTo(
            Map.of(
                "service.name",
                "checkout",
                "service.instance.id",
                "c-1",
                "host.name",
                "h1",
                "node",
                "n7",
                "app",
                "shop",
                "component",
                "cart",
                "instance",
                "shop/cart/0",
                "otel_scope_name",
                "io.meter",
                "otel_scope_version",
                "1.2",
                "path",
                "/buy"));
  }

  @Test
  void theReceivingAgentsNodeIsAddedWhenNoneIsGiven() {
    OtlpMetricsTranslator t = OtlpMetricsTranslator.builder(sink).nodeName("n1").build();

    t.translate(request(gauge("g", point(T0, 1), point(T0, 2, "node", "other"))));

    assertThat(sink.samples())
        .extracting(s -> s.labels())
        .containsExactly(Labels.of("node", "n1"), Labels.of("node", "other"));
  }

  @Test
  void withoutANodeNameNoNodeLabelIsAdded() {
    OtlpMetricsTranslator t = OtlpMetricsTranslator.builder(sink).build();

    t.translate(request(attrs("service.name", "s"), gauge("g", point(T0, 1))));

    assertThat(sink.samples().get(0).labels()).isEqualTo(Labels.of("service.name", "s"));
  }

  @Test
  void pointAttributesWinOverResourceLabels() {
    OtlpMetricsTranslator t = OtlpMetricsTranslator.builder(sink).build();

    t.translate(
        request(
            attrs("mlsysops.app", "from-resource"), gauge("g", point(T0, 1, "app", "from-point"))));

    assertThat(sink.samples().get(0).labels()).isEqualTo(Labels.of("app", "from-point"));
  }

  @Test
  void thePromotedListIsConfigurableAndTheSenderAttributeIsNeverALabel() {
    OtlpMetricsTranslator t =
        OtlpMetricsTranslator.builder(sink)
            .promotedResourceAttributes(List.of("k8s.pod.name"))
            .build();

    t.translate(
        request(
            attrs(
                "k8s.pod.name",
                "p-1",
                "service.name",
                "s",
                OtlpMetricsEncoder.SENDER_ATTRIBUTE,
                "cluster-1"),
            gauge("g", point(T0, 1))));

    assertThat(sink.samples().get(0).labels()).isEqualTo(Labels.of("k8s.pod.name", "p-1"));
  }

  @Test
  void attributeValuesOfEveryKindAreRenderedAsText() {
    OtlpMetricsTranslator t = OtlpMetricsTranslator.builder(sink).build();
    AnyValue array =
        AnyValue.newBuilder()
            .setArrayValue(
                ArrayValue.newBuilder()
                    .addValues(AnyValue.newBuilder().setStringValue("a\"b"))
                    .addValues(AnyValue.newBuilder().setIntValue(2))
                    .addValues(AnyValue.newBuilder().setBoolValue(true)))
            .build();
    AnyValue kvlist =
        AnyValue.newBuilder()
            .setKvlistValue(
                KeyValueList.newBuilder()
                    .addValues(attr("x", AnyValue.newBuilder().setDoubleValue(1.5).build())))
            .build();

    t.translate(
        request(
            gauge(
                "g",
                point(T0, 1).toBuilder()
                    .addAttributes(attr("bool", AnyValue.newBuilder().setBoolValue(false).build()))
                    .addAttributes(attr("int", AnyValue.newBuilder().setIntValue(-7).build()))
                    .addAttributes(
                        attr("double", AnyValue.newBuilder().setDoubleValue(2.0).build()))
                    .addAttributes(
                        attr(
                            "bytes",
                            AnyValue.newBuilder()
                                .setBytesValue(ByteString.copyFromUtf8("hi"))
                                .build()))
                    .addAttributes(attr("array", array))
                    .addAttributes(attr("kvlist", kvlist))
                    .addAttributes(attr("empty", AnyValue.getDefaultInstance()))
                    .build())));

    assertThat(sink.samples().get(0).labels().map())
        .isEqualTo(
            Map.of(
                "bool",
                "false",
                "int",
                "-7",
                "double",
                "2",
                "bytes",
                "aGk=",
                "array",
                "[\"a\\\"b\",2,true]",
                "kvlist",
                "{\"x\":1.5}",
                "empty",
                ""));
  }

  @Test
  void repeatedAttributeSetsShareOneLabelsInstance() {
    OtlpMetricsTranslator t = OtlpMetricsTranslator.builder(sink).build();

    t.translate(request(attrs("service.name", "s"), gauge("g", point(T0, 1, "k", "v"))));
    t.translate(request(attrs("service.name", "s"), gauge("g", point(T0 + 1, 2, "k", "v"))));

    assertThat(sink.samples().get(1).labels()).isSameAs(sink.samples().get(0).labels());
  }

  @Test
  void decimalsAreWrittenPlainAndShort() {
    assertThat(AttributeText.decimal(1)).isEqualTo("1");
    assertThat(AttributeText.decimal(0.005)).isEqualTo("0.005");
    assertThat(AttributeText.decimal(1e6)).isEqualTo("1000000");
    assertThat(AttributeText.decimal(-2.5)).isEqualTo("-2.5");
    assertThat(AttributeText.decimal(1e-7)).isEqualTo("0.0000001");
    assertThat(AttributeText.decimal(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
    assertThat(AttributeText.decimal(0.0)).isEqualTo("0");
  }
}
