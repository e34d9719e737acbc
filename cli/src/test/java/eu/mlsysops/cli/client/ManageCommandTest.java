package eu.mlsysops.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ManageCommandTest extends ApiTestSupport {
  @Test
  void pingAgentShowsTheAgentAndMode() {
    api.on("GET /manage/ping", "{\"status\": \"ok\", \"agent\": \"continuum\", \"mode\": \"ml\"}");
    ClientRun r = mls("manage", "ping-agent");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).isEqualTo("ok: continuum agent continuum at " + api.url() + ", mode ml\n");
    assertThat(api.only().header("Authorization")).isEqualTo("Bearer " + FakeApi.TOKEN);
  }

  @ParameterizedTest
  @CsvSource({"heuristic,heuristic", "0,heuristic", "ml,ml", "1,ml", "ML,ml"})
  void setModeAcceptsNamesAndTheReferenceNumbers(String given, String sent) {
    api.on("PUT /api/v1/mode/" + sent, "{\"mode\": \"" + sent + "\"}");
    ClientRun r = mls("manage", "set-mode", given);
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(api.only().method()).isEqualTo("PUT");
    assertThat(r.out()).isEqualTo("mode: " + sent + "\n");
  }

  @Test
  void setModeTakesTheReferenceOptionToo() {
    api.on("PUT /api/v1/mode/ml", "{\"mode\": \"ml\"}");
    assertThat(mls("manage", "set-mode", "--mode", "1").exitCode()).isZero();
  }

  @Test
  void setModeRejectsOtherModes() {
    ClientRun r = mls("manage", "set-mode", "2");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("\"2\" is not one of heuristic (0), ml (1)");
    assertThat(mls("manage", "set-mode").exitCode()).isEqualTo(2);
    assertThat(api.requests()).isEmpty();
  }
}
