package eu.mlsysops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpCommandTest {
  @TempDir Path dir;

  @Test
  void runsTheBuiltInTopologyForTheGivenDuration() {
    CliRun r = CliRun.of("up", "--duration", "1s", "--port", "0", "--data-dir", dir.toString());

    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("2 clusters, 8 nodes").contains("node edge-1 joined");
    assertThat(dir.resolve("continuum.db")).exists();
  }

  @Test
  void aTakenApiPortIsReportedBeforeAnythingStarts() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      CliRun r = CliRun.of("up", "--duration", "1s", "--port", Integer.toString(port),
          "--data-dir", dir.toString());

      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.err()).contains("is port " + port + " taken?").contains("--port 0");
      assertThat(dir.resolve("continuum.db")).as("nothing started").doesNotExist();
    }
  }

  @Test
  void demoDeploysReactsToTheSurgeAndRecoversFromTheCrash() {
    CliRun r = CliRun.of("up", "--demo", "--port", "0", "--data-dir", dir.toString());

    assertThat(r.exitCode()).as(r.out()).isZero();
    assertThat(r.out())
        .contains("qos-relocation", "violating lower_or_equal 100")
        .contains("is unreachable")
        .contains("deploy → all 4 instances running")
        .contains("node crash → its instances running elsewhere");
  }

  @Test
  void nodesGeneratesATopologyOfThatSizeAndBadCountsAreUsageErrors() {
    CliRun r = CliRun.of("up", "--nodes", "30", "--duration", "1s", "--port", "0", "--data-dir",
        dir.toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    // The generated topology as started (not its registrations: a busy machine may need longer
    // than the run for those).
    assertThat(r.out()).contains("3 clusters, 30 nodes");
    for (String[] bad : new String[][] {{"--nodes", "0"}, {"--nodes", "20001"},
        {"--nodes", "5", "--topology", dir.toString()}, {"--nodes", "17", "--processes"}}) {
      String[] args = new String[bad.length + 5];
      System.arraycopy(new String[] {"up", "--port", "0", "--data-dir", dir.toString()}, 0, args,
          0, 5);
      System.arraycopy(bad, 0, args, 5, bad.length);
      CliRun b = CliRun.of(args);
      assertThat(b.exitCode()).as(String.join(" ", bad)).isEqualTo(2);
      assertThat(b.err()).contains("--nodes");
    }
  }

  @Test
  void aSecondMlsUpOnTheSameDataDirectoryExitsNamingThePidThatHoldsIt() throws Exception {
    // This JVM holds the directory as a running mls up would.
    try (var held = eu.mlsysops.agent.tier.EmbeddedContinuum.builder(dir).build()) {
      Process second = new ProcessBuilder(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
          System.getProperty("java.class.path"), "eu.mlsysops.cli.Mls", "up", "--duration",
          "5s", "--port", "0", "--otlp-grpc-port", "-1", "--otlp-http-port", "-1",
          "--data-dir", dir.toString()).redirectErrorStream(true).start();
      var output = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return new String(second.getInputStream().readAllBytes());
        } catch (java.io.IOException e) {
          return e.toString();
        }
      });
      boolean ended = second.waitFor(120, java.util.concurrent.TimeUnit.SECONDS);
      if (!ended) {
        second.destroyForcibly();
      }

      assertThat(ended).as("the second mls up ended").isTrue();
      String text = output.get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(second.exitValue()).as(text).isEqualTo(1);
      assertThat(text).contains("another MLSysOps process (pid "
          + ProcessHandle.current().pid() + ") is using " + dir);
    }
  }

  @Test
  void invalidTopologyIsReportedAndNothingStarts() throws Exception {
    Path topo = Files.createDirectory(dir.resolve("topo"));
    Files.writeString(topo.resolve("node.yaml"), "MLSysOpsNode:\n  name: n1\n");
    CliRun r = CliRun.of("up", "--topology", topo.toString(), "--port", "0", "--data-dir",
        dir.toString());

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("node.yaml").contains("continuum_layer")
        .contains("nothing started");
  }

  @Test
  void replaysPlanetLabTracesAsTheComponentsLoad() {
    CliRun r = CliRun.of("up", "--trace", "../orchestration/src/test/resources/planetlab",
        "--duration", "1s", "--port", "0", "--data-dir", dir.toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("load: replaying 1 traces from");
    CliRun bad = CliRun.of("up", "--trace", dir.resolve("none").toString(), "--port", "0",
        "--data-dir", dir.toString());
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("--trace: ").contains("is not a directory");
  }

  @Test
  void badDurationIsAUsageError() {
    CliRun r = CliRun.of("up", "--duration", "soon", "--port", "0", "--data-dir", dir.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--duration: \"soon\" is not a duration");
    // The sentence and where the help is, not the whole help after it.
    assertThat(r.err()).contains("Run 'mls up --help' for its options.")
        .doesNotContain("--otlp-grpc-port");
    for (String none : new String[] {"0", "0s", "-5m"}) {
      CliRun z = CliRun.of("up", "--duration", none, "--port", "0", "--data-dir", dir.toString());
      assertThat(z.exitCode()).as(none).isEqualTo(2);
      assertThat(z.err()).contains("--duration: \"" + none + "\" must be more than 0");
    }
  }

  @Test
  void badOtlpExportSettingsAreUsageErrors() {
    CliRun host = CliRun.of("up", "--otlp-export", "collector", "--port", "0", "--data-dir",
        dir.toString());
    assertThat(host.exitCode()).isEqualTo(2);
    assertThat(host.err()).contains("--otlp-export: \"collector\" is not HOST:PORT");
    CliRun tier = CliRun.of("up", "--otlp-export", "collector:4317", "--otlp-export-level",
        "galaxy", "--port", "0", "--data-dir", dir.toString());
    assertThat(tier.exitCode()).isEqualTo(2);
    assertThat(tier.err()).contains("--otlp-export-level: \"galaxy\" is not a tier");
  }

  @Test
  void processRuntimeSaysWhereLogsGoAndWhetherLimitsAreEnforced() {
    CliRun r = CliRun.of("up", "--runtime", "process", "--duration", "1s", "--port", "0",
        "--otlp-grpc-port", "0", "--otlp-http-port", "0", "--data-dir", dir.toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("8 nodes (running local processes, logs in "
        + dir.resolve("logs") + ")").containsPattern("resource limits: (cgroup v2 at |NOT"
        + " enforced \\(.+\\); processes run without limits)");
  }

  @Test
  void unknownRuntimesAndSimulationOnlyOptionsAreUsageErrors() {
    CliRun bad = CliRun.of("up", "--runtime", "docker", "--port", "0", "--data-dir",
        dir.toString());
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("--runtime: \"docker\" is not a runtime (simulated, process)");
    CliRun demo = CliRun.of("up", "--runtime", "process", "--demo", "--port", "0", "--data-dir",
        dir.toString());
    assertThat(demo.exitCode()).isEqualTo(2);
    assertThat(demo.err()).contains("--demo drives simulated nodes; it cannot be combined with"
        + " --runtime process");
  }

  @Test
  void aMechanismNoProviderHasOrATierThatIsNoneIsAUsageErrorNamingIt() {
    for (boolean processes : new boolean[] {false, true}) {
      List<String> args = new java.util.ArrayList<>(List.of("up", "--duration", "1s", "--port",
          "0", "--data-dir", dir.toString(), "--mechanism", "cluster=placement,teleport"));
      if (processes) {
        args.add("--processes");
      }
      CliRun r = CliRun.of(args.toArray(String[]::new));

      assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
      assertThat(r.err()).contains("--mechanism: \"teleport\" is not a mechanism of a cluster"
          + " agent (placement, fluidity)");
      assertThat(dir.resolve("continuum.db")).as("nothing started").doesNotExist();
    }
    CliRun limits = CliRun.of("up", "--duration", "1s", "--port", "0", "--data-dir",
        dir.toString(), "--app-limits", "components=0");
    assertThat(limits.exitCode()).isEqualTo(2);
    assertThat(limits.err()).contains("--app-limits: components: must be 1 to 10000, got 0");
    CliRun stale = CliRun.of("up", "--duration", "1s", "--port", "0", "--data-dir",
        dir.toString(), "--stale-after", "0");
    assertThat(stale.exitCode()).isEqualTo(2);
    assertThat(stale.err()).contains("--stale-after: must be 1 to 100, got 0");
    CliRun r = CliRun.of("up", "--duration", "1s", "--port", "0", "--data-dir", dir.toString(),
        "--mechanism", "edge=fluidity");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--mechanism: \"edge\" is not a tier");
  }
}
