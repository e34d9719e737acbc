package eu.mlsysops.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class VocabularyTest {

  @ParameterizedTest(name = "{1} {0} {2} is {3}")
  @CsvSource({
    "LOWER_OR_EQUAL, 20, 20, true",
    "LOWER_OR_EQUAL, 21, 20, false",
    "GREATER_OR_EQUAL, 20, 20, true",
    "GREATER_OR_EQUAL, 19.9, 20, false",
    "LOWER_THAN, 20, 20, false",
    "LOWER_THAN, 19, 20, true",
    "GREATER_THAN, 20, 20, false",
    "GREATER_THAN, 21, 20, true",
    "EQUAL, 0.30000000000000004, 0.3, true",
    "EQUAL, 1000000.0000001, 1000000, true",
    "EQUAL, 30.001, 30, false",
    "EQUAL, 0, 0, true",
    "EQUAL, NaN, NaN, false",
  })
  void relationHoldsAsItsNameSays(Relation relation, double value, double target, boolean holds) {
    assertThat(relation.holds(value, target)).isEqualTo(holds);
  }

  @ParameterizedTest
  @EnumSource(Relation.class)
  void relationWireNamesRoundTrip(Relation relation) {
    assertThat(Relation.fromWire(relation.wireName())).isEqualTo(relation);
  }

  @ParameterizedTest
  @EnumSource(ContinuumLayer.class)
  void continuumLayerWireNamesRoundTrip(ContinuumLayer layer) {
    assertThat(ContinuumLayer.fromWire(layer.wireName())).isEqualTo(layer);
  }

  @ParameterizedTest
  @EnumSource(DescriptorKind.class)
  void descriptorKindWireNamesRoundTrip(DescriptorKind kind) {
    assertThat(DescriptorKind.fromWire(kind.wireName())).isEqualTo(kind);
  }

  @Test
  void wireNamesAreTheDescriptorSpellings() {
    assertThat(ContinuumLayer.ANY.wireName()).isEqualTo("*");
    assertThat(ContinuumLayer.EDGE_INFRASTRUCTURE.wireName()).isEqualTo("edge_infrastructure");
    assertThat(RestartPolicy.ON_FAILURE.wireName()).isEqualTo("OnFailure");
    assertThat(DescriptorKind.DATACENTER.wireName()).isEqualTo("MLSysOpsDatacenter");
    assertThat(Relation.fromWire("lower_or_qqual")).isEqualTo(Relation.LOWER_OR_EQUAL);
  }

  @Test
  void unknownWireNamesAreRejectedWithTheChoices() {
    assertThatThrownBy(() -> ContinuumLayer.fromWire("moon"))
        .hasMessage("\"moon\" is not one of cloud, edge_infrastructure, edge, far_edge, *");
    assertThatThrownBy(() -> RestartPolicy.fromWire("on_failure"))
        .hasMessage("\"on_failure\" is not one of Always, OnFailure, Never");
    assertThatThrownBy(() -> DescriptorKind.fromWire("Pod"))
        .hasMessageStartingWith("\"Pod\" is not one of MLSysOpsApp");
  }

  @Test
  void qosMetricIsMetPerItsRelation() {
    QosMetric metric = new QosMetric("latency", 20, Relation.LOWER_OR_EQUAL, null);

    assertThat(metric.isMet(19)).isTrue();
    assertThat(metric.isMet(21)).isFalse();
    assertThat(metric.systemMetricsHints()).isEmpty();
  }

  @ParameterizedTest(name = "{0} reads as {1} GHz")
  @CsvSource({
    "1.4, 1.4, false",
    "0.168, 0.168, false",
    "2400, 2.4, false",
    "100, 0.1, false",
    "10000, 10, false",
    "1400000000, 1.4, false",
    "600000000, 0.6, false",
    "14000, 1.4, true",
    "17000, 1.7, true",
    "500000, 5, true",
    "1000000000000, 1, true",
    "50, 50, false",
  })
  void frequenciesAreNormalisedToGhzByMagnitude(String written, String ghz, boolean guessed) {
    FrequencyUnits.Reading reading = FrequencyUnits.toGhz(new BigDecimal(written));

    assertThat(reading.ghz()).isEqualByComparingTo(ghz);
    assertThat(reading.guessed()).isEqualTo(guessed);
    assertThat(reading.ghz()).isLessThan(BigDecimal.valueOf(100));
  }

  @Test
  void warnsAboutImplausiblyHighFrequencies() {
    ParseResult result =
        Descriptors.parse(
            "MLSysOpsNode: {name: n, continuum_layer: edge, "
                + "environment: {}, hardware: {cpu: {frequency: [50]}}}",
            "n.yaml",
            ParseOptions.DEFAULT);

    assertThat(result.problems())
        .containsExactly(
            new Problem(
                Severity.WARNING,
                "n.yaml",
                "hardware.cpu.frequency[0]",
                "50 GHz is implausibly high for a processor"));
  }

  @ParameterizedTest(name = "node memory {0} is {1} bytes")
  @CsvSource({
    "'\"4\"', 4294967296",
    "4, 4294967296",
    "'\"0.5\"', 536870912",
    "4Gi, 4294967296",
    "4G, 4000000000",
    "512Mi, 536870912",
    "1e3, 1073741824000",
  })
  void nodeMemoryPlainNumbersAreGibAndQuantitiesAreBytes(String written, long bytes) {
    ParseResult result =
        Descriptors.parse(
            "MLSysOpsNode: {name: n, continuum_layer: edge, "
                + "environment: {}, hardware: {memory: "
                + written
                + ", disk: "
                + written
                + "}}",
            "n.yaml",
            ParseOptions.DEFAULT);

    NodeDescriptor node = TestFiles.single(result, NodeDescriptor.class);
    assertThat(node.hardware().memoryBytes()).isEqualTo(bytes);
    assertThat(node.hardware().diskBytes()).isEqualTo(bytes);
  }
}
