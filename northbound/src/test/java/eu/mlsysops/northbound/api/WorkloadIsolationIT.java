package eu.mlsysops.northbound.api;

import static eu.mlsysops.northbound.api.ApiFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import eu.mlsysops.orchestration.process.WorkloadUser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With nodes running local processes, a developer's app whose command reads the admin token: it
 * is refused unless the developer's token allows commands, and where it runs, it runs as an
 * unprivileged user that cannot read the data directory.
 */
class WorkloadIsolationIT {
  @TempDir Path dir;

  private static String stealer(String name, Path token) {
    return """
        MLSysOpsApp:
          name: %s
          components:
            - metadata: {name: x}
              restart_policy: Never
              containers:
                - image: none
                  command: [/bin/sh, -c, "id -u; cat %s"]
        """.formatted(name, token);
  }

  private static String logs(Path root, String file) {
    if (!Files.isDirectory(root)) {
      return "";
    }
    try (Stream<Path> all = Files.walk(root)) {
      StringBuilder b = new StringBuilder();
      for (Path p : all.filter(p -> p.getFileName().toString().equals(file)).toList()) {
        b.append(Files.readString(p));
      }
      return b.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aDevelopersCommandIsRefusedUnlessAllowedAndRunsWhereItCannotReadTheToken() {
    Path data = dir.resolve("data");
    try (ApiFixture api = ApiFixture.startWithProcesses(data)) {
      Path token = api.server.adminTokenFile();
      String dev = api.token(Role.DEVELOPER, "dev");

      var refused = api.postYaml("/api/v1/apps", dev, stealer("steal", token));

      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
      assertThat(json(refused).get("detail").asText())
          .startsWith("components[0].containers[0].command: nodes here run (or may run) commands"
              + " as local processes; only admins may deploy them");
      assertThat(api.get("/api/v1/apps/steal", api.admin).statusCode()).isEqualTo(404);

      String trusted = api.token(Role.DEVELOPER, "trusted", true);
      WorkloadUser.Detection host = WorkloadUser.detect(WorkloadUser.DEFAULT);
      var deployed = api.postYaml("/api/v1/apps", trusted, stealer("steal", token));
      if (!host.dropsPrivileges()) {
        // This host cannot run instances as anybody else: even an allowed developer is refused.
        assertThat(deployed.statusCode()).as(deployed.body()).isEqualTo(403);
        assertThat(json(deployed).get("detail").asText())
            .contains("cannot run instances as an unprivileged user");
        return;
      }
      assertThat(deployed.statusCode()).as(deployed.body()).isEqualTo(201);
      Path logRoot = data.resolve("logs");
      await().atMost(60, TimeUnit.SECONDS)
          .until(() -> logs(logRoot, "stderr.log").contains("Permission denied"));
      String secret;
      try {
        secret = Files.readString(token).trim();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      assertThat(logs(logRoot, "stdout.log")).contains(Integer.toString(
          host.user().orElseThrow().forApp("steal").uid())).doesNotContain(secret);
    }
  }

  @Test
  void oneAppsInstancesCannotReadAnotherAppsEnvironment() {
    WorkloadUser.Detection host = WorkloadUser.detect(WorkloadUser.DEFAULT);
    org.junit.jupiter.api.Assumptions.assumeTrue(host.dropsPrivileges(), host.detail());
    Path data = dir.resolve("data");
    try (ApiFixture api = ApiFixture.startWithProcesses(data)) {
      String alice = api.token(Role.DEVELOPER, "alice", true);
      String mallory = api.token(Role.DEVELOPER, "mallory", true);
      // What an instance's environment holds (its telemetry token, say), and a neighbour that
      // looks for it in every process's environment.
      assertThat(api.postYaml("/api/v1/apps", alice, """
          MLSysOpsApp:
            name: holder
            components:
              - metadata: {name: x}
                containers:
                  - image: none
                    command: [/bin/sh, -c, "echo secret-of-alice > $TMPDIR/kept; exec /bin/sleep 120"]
                    env: [{name: HELD, value: secret-of-alice}]
          """).statusCode()).isEqualTo(201);
      Path logRoot = data.resolve("logs");
      await().atMost(60, TimeUnit.SECONDS).until(() -> Stream.of(Path.of("/proc").toFile()
          .listFiles((d, n) -> n.matches("[0-9]+"))).anyMatch(f -> {
            try {
              return Files.readString(f.toPath().resolve("cmdline")).startsWith("/bin/sleep\0"
                  + "120");
            } catch (IOException e) {
              return false;
            }
          }));
      assertThat(api.postYaml("/api/v1/apps", mallory, """
          MLSysOpsApp:
            name: snoop
            components:
              - metadata: {name: x}
                restart_policy: Never
                containers:
                  - image: none
                    command: [/bin/sh, -c, "echo found $(cat /proc/[0-9]*/environ 2>/dev/null | tr '\\\\0' '\\\\n' | grep -c secret-of-alice) $(cat $(dirname $TMPDIR)/*/* 2>/dev/null | grep -c secret-of-alice)"]
          """).statusCode()).isEqualTo(201);

      await().atMost(60, TimeUnit.SECONDS)
          .until(() -> logs(logRoot, "stdout.log").contains("found "));
      // Neither in her processes' environment nor in her instance's own directory.
      assertThat(logs(logRoot, "stdout.log")).contains("found 0 0");
      // Nothing in the data dir is open to anybody but its owner: tokens, stores, journals,
      // settings, policies and what instances printed.
      try (Stream<Path> all = Files.walk(data)) {
        assertThat(all.filter(f -> !Files.isSymbolicLink(f)).filter(f -> {
          try {
            return Files.getPosixFilePermissions(f).stream().anyMatch(x -> x.name()
                .startsWith("GROUP") || x.name().startsWith("OTHERS"));
          } catch (IOException e) {
            return false; // gone meanwhile
          }
        }).map(f -> data.relativize(f) + " " + modeOf(f)).toList()).isEmpty();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  private static String modeOf(Path f) {
    try {
      return java.nio.file.attribute.PosixFilePermissions.toString(
          Files.getPosixFilePermissions(f));
    } catch (IOException e) {
      return "?";
    }
  }
}
