package eu.mlsysops.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CompletionCommandTest {
  @Test
  void printsABashCompletionScriptKnowingTheClientCommands() {
    ClientRun r = ClientRun.of("completion");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("complete -F _complete_mls")
        .contains("deploy-app").contains("get-app-status").contains("list-policies")
        .contains("ping-agent");
  }
}
