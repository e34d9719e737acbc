package eu.mlsysops.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The optional {@code disconnect} block of an app: parsing, validation and round trip. */
class DisconnectPolicyTest {
  private static final String COMPONENTS =
      "components: [{metadata: {name: a}, containers: [{image: i}]}]";

  private static ParseResult parse(String disconnect) {
    String extra = disconnect == null ? "" : "disconnect: " + disconnect + ", ";
    return Descriptors.parse(
        "MLSysOpsApp: {name: demo, " + extra + COMPONENTS + "}", "case.yaml", ParseOptions.DEFAULT);
  }

  private static AppDescriptor app(String disconnect) {
    ParseResult r = parse(disconnect);
    assertThat(r.errors()).isEmpty();
    return r.ofType(AppDescriptor.class).get(0);
  }

  @Test
  void appWithoutDisconnectGetsTheDefaults() {
    AppDescriptor a = app(null);
    assertThat(a.disconnect()).isNull();
    assertThat(a.disconnectOrDefault()).isEqualTo(DisconnectPolicy.DEFAULT);
    assertThat(a.disconnectOrDefault().replace()).isTrue();
    assertThat(a.disconnectOrDefault().reconcile())
        .isEqualTo(DisconnectPolicy.Reconcile.BEST_SCORE);
  }

  @Test
  void readsEveryField() {
    AppDescriptor a = app("{lost_after: 1m30s, replace: false, reconcile: keep_original}");
    assertThat(a.disconnect())
        .isEqualTo(
            new DisconnectPolicy(
                Duration.ofSeconds(90), false, DisconnectPolicy.Reconcile.KEEP_ORIGINAL));
  }

  @Test
  void omittedFieldsDefaultToReplaceAndBestScore() {
    assertThat(app("{lost_after: 500ms}").disconnect())
        .isEqualTo(
            new DisconnectPolicy(
                Duration.ofMillis(500), true, DisconnectPolicy.Reconcile.BEST_SCORE));
  }

  @Test
  void badLostAfterIsAnErrorOnItsField() {
    assertThat(parse("{lost_after: soon}").errors())
        .extracting(Problem::path, Problem::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "disconnect.lost_after",
                "\"soon\" is not a duration (e.g. 500ms, 30s, 5m, 1h, 1m30s)"));
    assertThat(parse("{lost_after: 0s}").errors())
        .extracting(Problem::path, Problem::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("disconnect.lost_after", "must be longer than 0"));
  }

  @Test
  void unknownReconcileModeIsAnErrorOnItsField() {
    List<Problem> errors = parse("{reconcile: newest}").errors();
    assertThat(errors).hasSize(1);
    assertThat(errors.get(0).path()).isEqualTo("disconnect.reconcile");
    assertThat(errors.get(0).message()).contains("keep_original");
  }

  @Test
  void replaceMustBeABoolean() {
    List<Problem> errors = parse("{replace: [1]}").errors();
    assertThat(errors).extracting(Problem::path).containsExactly("disconnect.replace");
  }

  @Test
  void writtenDescriptorReadsBackEqual() {
    AppDescriptor a = app("{lost_after: 45s, replace: true, reconcile: keep_replacement}");
    ParseResult again = Descriptors.parse(Descriptors.toJson(a), "again", ParseOptions.DEFAULT);
    assertThat(again.errors()).isEmpty();
    assertThat(again.ofType(AppDescriptor.class).get(0)).isEqualTo(a);
  }

  @Test
  void durationsInGoSpelling() {
    assertThat(DisconnectPolicy.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(DisconnectPolicy.parseDuration("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(DisconnectPolicy.parseDuration("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(DisconnectPolicy.formatDuration(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThat(DisconnectPolicy.formatDuration(Duration.ofMinutes(5))).isEqualTo("5m");
    assertThatThrownBy(() -> DisconnectPolicy.parseDuration("10"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DisconnectPolicy.parseDuration("5s garbage"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
