package eu.mlsysops.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The optional {@code qos_warmup} of an app: parsing, validation and round trip. */
class QosWarmupTest {
  private static ParseResult parse(String warmup) {
    String extra = warmup == null ? "" : "qos_warmup: " + warmup + ", ";
    return Descriptors.parse("MLSysOpsApp: {name: demo, " + extra
        + "components: [{metadata: {name: a}, containers: [{image: i}]}]}", "case.yaml",
        ParseOptions.DEFAULT);
  }

  @Test
  void isReadAsADurationAndAbsentByDefault() {
    assertThat(parse(null).ofType(AppDescriptor.class).get(0).qosWarmup()).isNull();
    ParseResult r = parse("45s");
    assertThat(r.errors()).isEmpty();
    assertThat(r.ofType(AppDescriptor.class).get(0).qosWarmup()).isEqualTo(Duration.ofSeconds(45));
  }

  @Test
  void aBadOrHugeValueIsAnErrorOnItsField() {
    assertThat(parse("soon").errors()).extracting(Problem::path, Problem::message)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("qos_warmup",
            "\"soon\" is not a duration (e.g. 500ms, 30s, 5m, 1h, 1m30s)"));
    assertThat(parse("2h").errors()).extracting(Problem::path, Problem::message)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("qos_warmup", "must be at most 1h"));
  }

  @Test
  void survivesAWriteAndAReadAndACopyWithOtherComponents() {
    AppDescriptor a = parse("1m30s").ofType(AppDescriptor.class).get(0);
    AppDescriptor again = Descriptors.parse(Descriptors.toJson(a), "again", ParseOptions.DEFAULT)
        .ofType(AppDescriptor.class).get(0);
    assertThat(again.qosWarmup()).isEqualTo(Duration.ofSeconds(90));
    assertThat(a.withComponents(a.components()).qosWarmup()).isEqualTo(Duration.ofSeconds(90));
  }

  @Test
  void aBareNumberIsSecondsWithoutAWarning() {
    ParseResult r = parse("30");
    assertThat(r.errors()).isEmpty();
    assertThat(r.problems()).isEmpty();
    assertThat(r.ofType(AppDescriptor.class).get(0).qosWarmup()).isEqualTo(Duration.ofSeconds(30));
    assertThat(parse("7200").errors()).extracting(Problem::path, Problem::message)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("qos_warmup",
            "must be from 0 to 3600 seconds (or a duration such as 30s), got 7200"));
    assertThat(parse("[1]").errors()).extracting(Problem::path, Problem::message)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("qos_warmup",
            "expected a duration such as 30s, or a number of seconds"));
  }

  @Test
  void aComponentHasItsOwnThatIsValidatedOnItsFieldAndSurvivesAWriteAndACopy() {
    ParseResult r = Descriptors.parse("MLSysOpsApp: {name: demo, components: [{metadata: {name:"
        + " a}, qos_warmup: 45s, containers: [{image: i}]}, {metadata: {name: b}, qos_warmup:"
        + " later, containers: [{image: i}]}]}", "case.yaml", ParseOptions.DEFAULT);
    assertThat(r.errors()).extracting(Problem::path)
        .containsExactly("components[1].qos_warmup");

    AppDescriptor a = Descriptors.parse("MLSysOpsApp: {name: demo, qos_warmup: 10s, components:"
        + " [{metadata: {name: a}, qos_warmup: 45s, containers: [{image: i}]}, {metadata: {name:"
        + " b}, containers: [{image: i}]}]}", "case.yaml", ParseOptions.DEFAULT)
        .ofType(AppDescriptor.class).get(0);
    assertThat(a.components().get(0).qosWarmupIn(a)).isEqualTo(Duration.ofSeconds(45));
    assertThat(a.components().get(1).qosWarmupIn(a)).isEqualTo(Duration.ofSeconds(10));
    AppDescriptor again = Descriptors.parse(Descriptors.toJson(a), "again", ParseOptions.DEFAULT)
        .ofType(AppDescriptor.class).get(0);
    assertThat(again.components().get(0).qosWarmup()).isEqualTo(Duration.ofSeconds(45));
  }
}
