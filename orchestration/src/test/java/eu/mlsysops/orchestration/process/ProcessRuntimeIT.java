package eu.mlsysops.orchestration.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import eu.mlsysops.orchestration.InstanceSpec;
import eu.mlsysops.orchestration.InstanceState;
import eu.mlsysops.orchestration.InstanceStatus;
import eu.mlsysops.telemetry.MetricMetadata;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.SampleSink;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The process runtime with real processes ({@code sh}, {@code sleep}). */
class ProcessRuntimeIT {
  @TempDir Path dir;
  private final List<InstanceStatus> changes = new CopyOnWriteArrayList<>();
  private final List<Sample> samples = new CopyOnWriteArrayList<>();
  private ProcessRuntime runtime;

  @AfterEach
  void tearDown() {
    if (runtime != null) {
      runtime.close();
    }
  }

  private ProcessRuntime.Builder builder() {
    return ProcessRuntime.builder("n1").logDirectory(dir.resolve("logs")).workingDirectory(dir)
        .cgroups(CgroupCapability.disabled("turned off for this test"))
        .backoff(Duration.ofMillis(20), Duration.ofMillis(80))
        .stopGracePeriod(Duration.ofSeconds(5))
        .sampleInterval(Duration.ZERO)
        .telemetry(() -> new TelemetryEndpoint("127.0.0.1", 14317, 14318))
        .metrics(new SampleSink() {
          @Override
          public boolean accept(Sample sample) {
            samples.add(sample);
            return true;
          }

          @Override
          public void describe(String metric, MetricMetadata metadata) {}
        });
  }

  private ProcessRuntime runtime() {
    return runtime(builder());
  }

  private ProcessRuntime runtime(ProcessRuntime.Builder b) {
    runtime = b.build();
    runtime.onStatusChange(changes::add);
    return runtime;
  }

  private static InstanceSpec shell(String id, String policy, String script) {
    return TestSpecs.spec(id, "restart_policy: " + policy + "\ncontainers:\n"
        + "- image: unused\n  command: [sh, -c, '" + script.replace("'", "''") + "']");
  }

  private InstanceStatus start(InstanceSpec spec) {
    return runtime.start(spec).toCompletableFuture().join();
  }

  private InstanceStatus status(String id) {
    return runtime.instances().stream().filter(s -> s.instanceId().equals(id)).findFirst()
        .orElseThrow();
  }

  private InstanceStatus awaitState(String id, InstanceState state) {
    await().atMost(20, TimeUnit.SECONDS).until(() -> status(id).state() == state);
    return status(id);
  }

  private String log(String id, String file) throws Exception {
    Path f = runtime.logDirectory(id).resolve(file);
    return Files.exists(f) ? Files.readString(f) : "";
  }

  /** Exited: no such process, or a zombie waiting for its parent (init) to reap it. */
  static boolean gone(ProcessHandle h) {
    try {
      String stat = Files.readString(Path.of("/proc/" + h.pid() + "/stat"));
      return !h.isAlive() || stat.charAt(stat.lastIndexOf(')') + 2) == 'Z';
    } catch (java.io.IOException e) {
      return true;
    }
  }

  private long pid(String id) {
    return runtime.usage().stream().filter(u -> u.instanceId().equals(id)).findFirst()
        .orElseThrow().pids().get(0);
  }

  @Test
  void runsTheCommandAndCapturesItsOutputInPerInstanceLogs() throws Exception {
    runtime();
    InstanceStatus s = start(shell("app/c/0", "Never", "echo hello; echo oops >&2; exec sleep 60"));
    assertThat(s.state()).isEqualTo(InstanceState.RUNNING);
    assertThat(s.reason()).startsWith("running (pid ");
    assertThat(s.node()).isEqualTo("n1");
    await().atMost(10, TimeUnit.SECONDS).until(() -> log("app/c/0", "stdout.log").equals("hello\n")
        && log("app/c/0", "stderr.log").equals("oops\n"));
    assertThat(runtime.logDirectory("app/c/0")).isEqualTo(dir.resolve("logs/app_c_0"));
    assertThat(changes).extracting(InstanceStatus::state)
        .containsExactly(InstanceState.STARTING, InstanceState.RUNNING);
  }

  @Test
  void eachInstanceWritesInAPrivateScratchDirectoryThatGoesWhenItStops() throws Exception {
    Path scratch = dir.resolve("scratch");
    runtime(builder().scratchRoot(scratch));
    start(shell("app/c/0", "Never", "echo kept > \"$TMPDIR/f\"; echo \"$HOME\"; exec sleep 60"));

    Path own = scratch.resolve("app_c_0");
    await().atMost(10, TimeUnit.SECONDS).until(() -> Files.exists(own.resolve("f")));
    assertThat(log("app/c/0", "stdout.log")).isEqualTo(own + "\n");
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(own))).isEqualTo("rwx------");
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(scratch))).as("enter, not list").isEqualTo("rwx--x--x");

    runtime.stop("app/c/0").toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(own).doesNotExist();

    // One that ends by itself leaves nothing either.
    start(shell("app/c/1", "Never", "echo kept > \"$TMPDIR/f\"; exit 0"));
    await().atMost(20, TimeUnit.SECONDS).until(() -> status("app/c/1").state().isTerminal());
    assertThat(scratch.resolve("app_c_1")).doesNotExist();
  }

  @Test
  void logsAreRotatedWhileTheProcessKeepsWriting() throws Exception {
    runtime(builder().logLimits(1000, 1));
    // Writes past the limit, waits for the test's go-ahead, writes once more.
    start(shell("app/c/0", "Always", "i=0; while [ $i -lt 100 ]; do echo line-$i-of-the-log;"
        + " i=$((i+1)); done; until [ -f " + dir.resolve("go") + " ]; do sleep 0.05; done;"
        + " echo after-rotation;"
        + " exec sleep 60"));
    Path out = runtime.logDirectory("app/c/0").resolve("stdout.log");
    await().atMost(10, TimeUnit.SECONDS).until(() -> Files.size(out) > 1000);

    runtime.sample();

    Path rotated = out.resolveSibling("stdout.log.1");
    assertThat(Files.readString(rotated)).startsWith("line-0-of-the-log\n")
        .contains("line-99-of-the-log\n");
    Files.createFile(dir.resolve("go"));
    // Appending continues at the new end of the truncated file, not at the old offset.
    await().atMost(10, TimeUnit.SECONDS).until(() -> log("app/c/0", "stdout.log")
        .equals("after-rotation\n"));
  }

  @Test
  void startingTheSameInstanceAgainStartsNothing() {
    runtime();
    start(shell("app/c/0", "Always", "exec sleep 60"));
    long pid = pid("app/c/0");
    InstanceStatus again = start(shell("app/c/0", "Always", "exec sleep 60"));
    assertThat(again.state()).isEqualTo(InstanceState.RUNNING);
    assertThat(pid("app/c/0")).isEqualTo(pid);
    // The shell may not have exec'd sleep yet when start returns: wait for it, then count.
    await().atMost(30, TimeUnit.SECONDS).until(() -> sleepers() > 0);
    assertThat(sleepers()).isEqualTo(1);
  }

  @Test
  void theProcessSeesItsResolvedEnvironment() throws Exception {
    runtime(builder().nodeIp("10.0.0.9"));
    InstanceSpec spec = TestSpecs.spec("app/c/0", """
        restart_policy: Never
        containers:
        - image: unused
          command: [sh, -c, 'env | sort']
          env:
          - name: NODE_IP
            value_from: {field_ref: {field_path: status.hostIP}}
          - {name: TELEMETRY_ENDPOINT, value: "$(NODE_IP):43170"}
          - name: POD_NAME
            value_from: {field_ref: {field_path: metadata.name}}
        """);
    start(spec);
    InstanceStatus done = awaitState("app/c/0", InstanceState.STOPPED);
    assertThat(done.reason()).isEqualTo("completed: exited with code 0 (restart_policy Never)");
    assertThat(log("app/c/0", "stdout.log").lines().toList()).contains(
        "NODE_IP=10.0.0.9", "TELEMETRY_ENDPOINT=10.0.0.9:43170", "POD_NAME=app-c-0",
        "NODE_NAME=n1", "OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:14318",
        "OTEL_SERVICE_NAME=c",
        "OTEL_RESOURCE_ATTRIBUTES=service.name=c,mlsysops.node=n1,mlsysops.app=app,"
            + "mlsysops.component=c,mlsysops.instance=app/c/0");
  }

  @Test
  void anInstanceRunsInItsOwnDirectoryUnlessItsContainerNamesOne() throws Exception {
    Path base = dir.resolve("base");
    Files.createDirectories(base.resolve("bin"));
    Path tool = base.resolve("bin/where.sh");
    Files.writeString(tool, "#!/bin/sh\npwd\nexec sleep 60\n");
    tool.toFile().setExecutable(true);
    Path scratch = dir.resolve("scratch");
    runtime(builder().scratchRoot(scratch).workingDirectory(base));

    start(shell("app/c/0", "Never", "pwd; exec sleep 60"));
    await().atMost(10, TimeUnit.SECONDS).until(() -> !log("app/c/0", "stdout.log").isEmpty());
    assertThat(log("app/c/0", "stdout.log")).isEqualTo(scratch.resolve("app_c_0") + "\n");

    // Relative to the runtime's directory, as the examples need; the program is found there too.
    InstanceStatus named = start(TestSpecs.spec("app/c/1", """
        restart_policy: Never
        containers:
        - {image: unused, command: [bin/where.sh], working_dir: .}
        """));
    assertThat(named.state()).as(named.reason()).isEqualTo(InstanceState.RUNNING);
    await().atMost(10, TimeUnit.SECONDS).until(() -> !log("app/c/1", "stdout.log").isEmpty());
    assertThat(log("app/c/1", "stdout.log")).isEqualTo(base + "\n");

    InstanceStatus relative = start(TestSpecs.spec("app/c/2",
        "containers:\n- {image: unused, command: [bin/where.sh]}"));
    assertThat(relative.state()).isEqualTo(InstanceState.FAILED);
    assertThat(relative.reason()).isEqualTo("containers[0].command[0]: \"bin/where.sh\" is a"
        + " relative path, and the instance runs in a directory of its own: give an absolute path,"
        + " or set the container's working_dir to the directory it is relative to");
    InstanceStatus missing = start(TestSpecs.spec("app/c/3",
        "containers:\n- {image: unused, command: [sleep, '60'], working_dir: nowhere}"));
    assertThat(missing.state()).isEqualTo(InstanceState.FAILED);
    assertThat(missing.reason()).isEqualTo("containers[0].working_dir: \"nowhere\" is not a"
        + " directory (looked at " + base.resolve("nowhere") + ")");
  }

  @Test
  void aBadCommandIsAFailedStatusWithTheReasonNotAnException() {
    runtime();
    InstanceStatus s = start(TestSpecs.spec("app/c/0",
        "containers:\n- {image: unused, command: [no-such-program-xyz, --flag]}"));
    assertThat(s.state()).isEqualTo(InstanceState.FAILED);
    assertThat(s.reason()).startsWith(
        "containers[0].command[0]: \"no-such-program-xyz\" is not an executable on PATH");
    InstanceStatus field = start(TestSpecs.spec("app/c/1", """
        containers:
        - image: unused
          command: [sleep, '60']
          env:
          - name: X
            value_from: {field_ref: {field_path: status.phase}}
        """));
    assertThat(field.state()).isEqualTo(InstanceState.FAILED);
    assertThat(field.reason()).startsWith("containers[0].env[0].value_from.field_ref.field_path:");
  }

  @Test
  void neverReportsAFailureWithItsExitCodeAndLastErrorLine() {
    runtime();
    start(shell("app/c/0", "Never", "echo loading; echo \"Error: model file missing\" >&2; exit 3"));
    InstanceStatus s = awaitState("app/c/0", InstanceState.FAILED);
    assertThat(s.reason()).isEqualTo(
        "exited with code 3: Error: model file missing (restart_policy Never)");
  }

  @Test
  void alwaysRestartsEveryExitWithBackoff() throws Exception {
    runtime();
    start(shell("app/c/0", "Always", "echo run; exit 0"));
    await().atMost(20, TimeUnit.SECONDS).until(
        () -> log("app/c/0", "stdout.log").lines().count() >= 3);
    assertThat(status("app/c/0").state().isTerminal()).isFalse();
    assertThat(changes).anySatisfy(c -> assertThat(c.reason())
        .matches("exited with code 0; restarting in \\d+ ms \\(restart \\d+, restart_policy"
            + " Always\\)"));
    runtime.sample();
    assertThat(runtime.usage().get(0).restarts()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void onFailureRestartsFailuresAndLetsSuccessEnd() throws Exception {
    runtime();
    // Fails twice (a counter file survives restarts), then succeeds.
    start(shell("app/c/0", "OnFailure",
        "n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count; echo try $n;"
            + " [ $n -ge 3 ]"));
    InstanceStatus s = awaitState("app/c/0", InstanceState.STOPPED);
    assertThat(s.reason()).isEqualTo("completed: exited with code 0 (restart_policy OnFailure)");
    assertThat(log("app/c/0", "stdout.log")).isEqualTo("try 1\ntry 2\ntry 3\n");
    assertThat(changes).filteredOn(c -> c.state() == InstanceState.STARTING)
        .extracting(InstanceStatus::reason)
        .contains("exited with code 1; restarting in 20 ms (restart 1, restart_policy OnFailure)",
            "exited with code 1; restarting in 40 ms (restart 2, restart_policy OnFailure)");
  }

  @Test
  void backoffDoublesUpToItsCap() {
    ProcessRuntime r = runtime(builder().backoff(Duration.ofSeconds(1), Duration.ofSeconds(10)));
    assertThat(List.of(r.backoffMillis(0), r.backoffMillis(1), r.backoffMillis(2),
        r.backoffMillis(3), r.backoffMillis(4), r.backoffMillis(40)))
        .containsExactly(1000L, 2000L, 4000L, 8000L, 10_000L, 10_000L);
  }

  @Test
  void stopKillsTheWholeProcessTree() throws Exception {
    runtime();
    start(shell("app/c/0", "Always", "sleep 300 & sleep 300 & wait"));
    long root = pid("app/c/0");
    await().atMost(10, TimeUnit.SECONDS).until(
        () -> ProcessHandle.of(root).orElseThrow().descendants().count() == 2);
    List<ProcessHandle> tree = ProcessHandle.of(root).orElseThrow().descendants().toList();

    runtime.stop("app/c/0").toCompletableFuture().get(20, TimeUnit.SECONDS);

    assertThat(status("app/c/0").state()).isEqualTo(InstanceState.STOPPED);
    assertThat(status("app/c/0").reason()).isEqualTo("stopped on request");
    assertThat(ProcessHandle.of(root).map(ProcessRuntimeIT::gone).orElse(true)).isTrue();
    assertThat(tree).allMatch(ProcessRuntimeIT::gone);
  }

  @Test
  void aTreeThatIgnoresSigtermIsKilledAfterTheGracePeriod() throws Exception {
    runtime(builder().stopGracePeriod(Duration.ofMillis(300)));
    start(shell("app/c/0", "Always", "trap \"\" TERM; sleep 300 & wait; sleep 300"));
    long root = pid("app/c/0");
    await().atMost(10, TimeUnit.SECONDS).until(
        () -> ProcessHandle.of(root).orElseThrow().descendants().count() == 1);
    List<ProcessHandle> tree = ProcessHandle.of(root).orElseThrow().descendants().toList();

    runtime.stop("app/c/0").toCompletableFuture().get(20, TimeUnit.SECONDS);

    assertThat(ProcessHandle.of(root).map(ProcessRuntimeIT::gone).orElse(true)).isTrue();
    assertThat(tree).allMatch(ProcessRuntimeIT::gone);
    assertThat(status("app/c/0").state()).isEqualTo(InstanceState.STOPPED);
  }

  @Test
  void stoppingDuringBackoffCancelsTheRestart() throws Exception {
    runtime(builder().backoff(Duration.ofSeconds(30), Duration.ofSeconds(30)));
    start(shell("app/c/0", "Always", "exit 1"));
    awaitState("app/c/0", InstanceState.STARTING);
    await().atMost(10, TimeUnit.SECONDS).until(
        () -> status("app/c/0").reason().contains("restarting in 30 s"));
    runtime.stop("app/c/0").toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(status("app/c/0").state()).isEqualTo(InstanceState.STOPPED);
    // Stopping what is stopped, or what never was, is fine.
    runtime.stop("app/c/0").toCompletableFuture().get(5, TimeUnit.SECONDS);
    runtime.stop("nope").toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void aDeclaredPortInUseIsAFailedStatusNamingThePort() throws Exception {
    runtime();
    try (ServerSocket taken = new ServerSocket(0)) {
      InstanceStatus s = start(TestSpecs.spec("app/c/0", "containers:\n"
          + "- {image: unused, command: [sleep, '60'], ports: [{container_port: "
          + taken.getLocalPort() + "}]}"));
      assertThat(s.state()).isEqualTo(InstanceState.FAILED);
      assertThat(s.reason()).startsWith("containers[0].ports[0].container_port: port "
          + taken.getLocalPort() + "/TCP is already in use on this host");
    }
  }

  @Test
  void twoInstancesOfTheNodeCannotDeclareTheSamePort() throws Exception {
    runtime();
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    String yaml = "containers:\n- {image: unused, command: [sleep, '60'], ports: [{container_port: "
        + port + "}]}";
    assertThat(start(TestSpecs.spec("app/c/0", yaml)).state()).isEqualTo(InstanceState.RUNNING);
    InstanceStatus second = start(TestSpecs.spec("app/c/1", yaml));
    assertThat(second.state()).isEqualTo(InstanceState.FAILED);
    assertThat(second.reason()).contains("is already declared by instance app/c/0 on this node");
  }

  @Test
  void usageComesFromProcAndGoesToTheMetricsSink() {
    runtime();
    start(shell("app/c/0", "Always", "while :; do :; done"));
    await().atMost(20, TimeUnit.SECONDS).until(() -> {
      runtime.sample();
      InstanceUsage u = runtime.usage().get(0);
      return u.cpuSeconds() > 0.05 && u.cpuCores() > 0 && u.memoryBytes() > 0;
    });
    InstanceUsage u = runtime.usage().get(0);
    assertThat(u.limitsEnforced()).isFalse();
    assertThat(u.cpuCores()).isLessThan(2.5);
    assertThat(samples).extracting(Sample::metric).contains("component_cpu_utilization",
        "component_cpu_seconds_total", "component_memory_bytes", "component_restarts_total");
    assertThat(samples.get(0).labels().map()).isEqualTo(
        Map.of("node", "n1", "app", "app", "component", "c", "instance", "app/c/0"));
  }

  @Test
  void limitsThatCannotBeEnforcedAreNamedInTheStatus() {
    runtime();
    InstanceStatus s = start(TestSpecs.spec("app/c/0", """
        containers:
        - image: unused
          command: [sleep, '60']
          platform_requirements:
            cpu: {limits: 500m}
        """));
    assertThat(s.state()).isEqualTo(InstanceState.RUNNING);
    assertThat(s.reason()).endsWith(
        "; cpu/memory limits not enforced: turned off for this test");
    assertThat(runtime.cgroups().enforced()).isFalse();
  }

  @Test
  void withCgroupsTheProcessJoinsItsGroupBeforeItsCommandRuns() throws Exception {
    // A fake parent group (a plain directory): the wrapper writes the pid into cgroup.procs
    // before exec, so the pid found there is the command's own.
    Path parent = dir.resolve("cgroup");
    Files.createDirectories(parent);
    runtime(builder().cgroups(new CgroupCapability(true, parent, "fake")));
    InstanceStatus s = start(TestSpecs.spec("app/c/0", """
        containers:
        - image: unused
          command: [sleep, '60']
          platform_requirements:
            cpu: {limits: 250m}
            memory: {limits: 64Mi}
        """));
    assertThat(s.reason()).doesNotContain("not enforced");
    Path group = parent.resolve("mls-n1-app_c_0-c0");
    assertThat(Files.readString(group.resolve("cpu.max"))).isEqualTo("25000 100000");
    assertThat(Files.readString(group.resolve("memory.max"))).isEqualTo("67108864");
    long pid = pid("app/c/0");
    await().atMost(10, TimeUnit.SECONDS).until(() -> Files.exists(group.resolve("cgroup.procs"))
        && Files.readString(group.resolve("cgroup.procs")).trim().equals(Long.toString(pid)));
    await().atMost(10, TimeUnit.SECONDS).until(() -> ProcessHandle.of(pid)
        .flatMap(h -> h.info().command()).orElse("").endsWith("sleep"));
  }

  @Test
  void closeStopsEverythingAndLaterStartsFail() {
    runtime();
    start(shell("app/c/0", "Always", "exec sleep 300"));
    long pid = pid("app/c/0");
    runtime.close();
    assertThat(ProcessHandle.of(pid).map(ProcessRuntimeIT::gone).orElse(true)).isTrue();
    InstanceStatus late = start(shell("app/c/1", "Always", "exec sleep 300"));
    assertThat(late.state()).isEqualTo(InstanceState.FAILED);
    assertThat(late.reason()).contains("is closed");
  }

  private static long sleepers() {
    return ProcessHandle.current().children()
        .filter(h -> h.info().command().orElse("").endsWith("sleep")).count();
  }
}
