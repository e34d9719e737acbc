package eu.mlsysops.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PlansCommandTest extends ApiTestSupport {
  @Test
  void plansPassesTheFiltersAndShowsDecisions() {
    api.on("GET /api/v1/plans", Canned.PLANS_PAGE);

    ClientRun r = mls("plans", "--status", "Completed", "--policy", "qos-relocation", "--app",
        "smart camera", "--limit", "2");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(api.only().query())
        .isEqualTo("status=Completed&policy=qos-relocation&app=smart+camera&limit=2");
    assertThat(r.out().lines().toList().get(0))
        .matches("TIME +AGENT +POLICY +STATUS +EXPLANATION +OUTCOME");
    assertThat(r.out())
        .containsPattern("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d +edge +qos-relocation"
            + " +Completed +detector_latency_ms 142 > 100 on edge-2; moving detector to edge-3"
            + " +placement relocate")
        .containsPattern("edge-2 +cpu-frequency +Failed +utilization 0.92 +mechanism busy")
        .contains("(2 of 7; --limit N for more)");
  }

  @Test
  void defaultLimitIsTwenty() {
    api.on("GET /api/v1/plans", Canned.EMPTY_PAGE);
    ClientRun r = mls("plans");
    assertThat(api.only().query()).isEqualTo("limit=20");
    assertThat(r.out()).isEqualTo("no plans yet\n");
  }

  @Test
  void badLimitIsAUsageError() {
    assertThat(mls("plans", "--limit", "0").exitCode()).isEqualTo(2);
    assertThat(mls("plans", "--limit", "many").exitCode()).isEqualTo(2);
    assertThat(api.requests()).isEmpty();
  }
}
