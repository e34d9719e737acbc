package eu.mlsysops.cli.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import eu.mlsysops.agent.tier.ClusterSettings;
import eu.mlsysops.agent.tier.EmbeddedContinuum;
import eu.mlsysops.northbound.api.NorthboundEvents;
import eu.mlsysops.northbound.api.NorthboundServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The client against the real northbound server over an embedded continuum, on port 0. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientAgainstServerTest {
  static final ClusterSettings FAST = new ClusterSettings(
      Duration.ofMillis(100), 3, Duration.ofMillis(200), Duration.ofSeconds(10));
  static final ObjectMapper JSON = new ObjectMapper();

  private Path dataDir;
  private EmbeddedContinuum continuum;
  private NorthboundServer server;
  private String url;
  private String token;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    dataDir = dir;
    NorthboundEvents events = NorthboundEvents.create();
    continuum = EmbeddedContinuum.builder(dataDir).clusterSettings(FAST)
        .tick(Duration.ofMillis(50)).events(events).build().start();
    await().atMost(10, TimeUnit.SECONDS).until(() -> continuum.continuum().clusters().stream()
        .mapToInt(c -> c.nodes().size()).sum() == 8);
    server = NorthboundServer.builder(continuum).dataDir(dataDir).port(0).events(events).build()
        .start();
    url = "http://127.0.0.1:" + server.port();
    token = Files.readString(server.adminTokenFile()).trim();
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
    if (continuum != null) {
      continuum.close();
    }
  }

  private ClientRun mls(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--server", url, "--token", token));
    return ClientRun.of(all.toArray(String[]::new));
  }

  private String phase(String app) throws Exception {
    ClientRun r = mls("apps", "get-app-status", app, "-o", "json");
    return r.exitCode() == 0 ? JSON.readTree(r.out()).path("phase").asText() : "absent";
  }

  @Test
  void deployListInspectAndRemoveAnApp() throws Exception {
    ClientRun deploy = mls("apps", "deploy-app", "--path", "../examples/demo-app.yaml");
    assertThat(deploy.exitCode()).as(deploy.err()).isZero();
    assertThat(deploy.out()).startsWith("deployed smart-camera: phase ");

    await().atMost(30, TimeUnit.SECONDS).until(() -> phase("smart-camera").equals("Running"));

    ClientRun list = mls("apps", "list-all");
    assertThat(list.exitCode()).as(list.err()).isZero();
    assertThat(list.out()).containsPattern("smart-camera +Running");

    ClientRun status = mls("apps", "get-app-status", "smart-camera");
    assertThat(status.exitCode()).isZero();
    assertThat(status.out()).startsWith("smart-camera: Running").contains("detector");

    ClientRun tree = mls("status");
    assertThat(tree.exitCode()).as(tree.err()).isZero();
    assertThat(tree.out()).contains("edge").contains("smart-camera/camera-ingest");

    ClientRun plans = mls("plans", "--limit", "50");
    assertThat(plans.exitCode()).as(plans.err()).isZero();
    assertThat(plans.out()).satisfiesAnyOf(
        o -> assertThat(o).startsWith("TIME"), o -> assertThat(o).isEqualTo("no plans yet\n"));
    JsonNode plansJson = JSON.readTree(mls("plans", "-o", "json").out());
    assertThat(plansJson.has("items")).isTrue();

    ClientRun top = mls("top", "--once");
    assertThat(top.exitCode()).as(top.err()).isZero();
    assertThat(top.out()).contains("edge-1");

    ClientRun remove = mls("apps", "remove-app", "smart-camera");
    assertThat(remove.exitCode()).as(remove.err()).isZero();
    assertThat(remove.out()).startsWith("smart-camera: ");
    await().atMost(30, TimeUnit.SECONDS).until(() -> !mls("apps", "list-all").out()
        .contains("smart-camera"));
  }

  @Test
  void dryRunAndExplainAgainstTheRealServer(@TempDir Path dir) throws Exception {
    await().atMost(20, TimeUnit.SECONDS).until(() -> continuum.continuum().clusters().stream()
        .flatMap(c -> c.nodes().stream()).allMatch(n -> n.healthy()));
    Path app = dir.resolve("why-cam.yaml");
    Files.writeString(app, Files.readString(Path.of("../examples/demo-app.yaml"))
        .replace("name: smart-camera", "name: why-cam"));

    ClientRun dry = mls("apps", "deploy-app", "--path", app.toString(), "--dry-run");
    assertThat(dry.exitCode()).as(dry.err()).isZero();
    assertThat(dry.out()).startsWith("why-cam: dry run, nothing deployed; every instance can be"
        + " placed").containsPattern("camera-ingest +0 +edge +edge-1 +0\\.\\d{3}");
    assertThat(phase("why-cam")).isEqualTo("absent");

    assertThat(mls("apps", "deploy-app", "--path", app.toString()).exitCode()).isZero();
    await().atMost(30, TimeUnit.SECONDS).until(() -> phase("why-cam").equals("Running"));
    ClientRun why = mls("explain", "placement", "why-cam", "camera-ingest", "--node", "edge-2");
    assertThat(why.exitCode()).as(why.err()).isZero();
    assertThat(why.out()).startsWith("camera-ingest of why-cam: cluster edge, running on edge-1")
        .contains("why not edge-2: edge-2 fails missing sensor camera/d455");
    assertThat(mls("apps", "remove-app", "why-cam").exitCode()).isZero();
  }

  @Test
  void updateAppRollsTheChangedComponent(@TempDir Path dir) throws Exception {
    Path app = dir.resolve("upd-cam.yaml");
    String yaml = Files.readString(Path.of("../examples/demo-app.yaml"))
        .replace("name: smart-camera", "name: upd-cam");
    Files.writeString(app, yaml);
    assertThat(mls("apps", "deploy-app", "--path", app.toString()).exitCode()).isZero();
    await().atMost(30, TimeUnit.SECONDS).until(() -> phase("upd-cam").equals("Running"));

    Files.writeString(app, yaml.replace("registry.local/demo/analytics:1.0",
        "registry.local/demo/analytics:1.1"));
    ClientRun update = mls("apps", "update-app", "--path", app.toString());
    ClientRun again = mls("apps", "update-app", "--path", app.toString());

    assertThat(update.exitCode()).as(update.err()).isZero();
    assertThat(update.out()).startsWith("updated upd-cam: phase ")
        .contains("mls apps get-app-status upd-cam");
    assertThat(again.out()).startsWith("unchanged (the descriptor is the one in force): upd-cam");
    await().atMost(30, TimeUnit.SECONDS).until(() -> {
      JsonNode s = JSON.readTree(mls("apps", "get-app-status", "upd-cam", "-o", "json").out());
      return s.path("phase").asText().equals("Running")
          && s.toString().contains("upd-cam/analytics/0.1");
    });
    Path other = dir.resolve("other.yaml");
    Files.writeString(other, "MLSysOpsApp: {name: never-deployed, components: [{metadata: {name:"
        + " c}, containers: [{image: x}]}]}");
    ClientRun unknown = mls("apps", "update-app", "--path", other.toString());
    assertThat(unknown.exitCode()).isNotZero();
    assertThat(unknown.err()).contains("never-deployed");
    assertThat(mls("apps", "remove-app", "upd-cam").exitCode()).isZero();
  }

  @Test
  void badDescriptorIsRefusedWithFieldPaths(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, """
        MLSysOpsApp:
          name: shop
          components:
            - metadata: {name: web}
              containers:
                - image: web:1
            - metadata: {name: db}
              containers:
                - image: db:1
                  platform_requirements:
                    cpu: {requests: "250x"}
        """);
    ClientRun r = mls("apps", "deploy-app", "--path", bad.toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains(
        "  components[1].containers[0].platform_requirements.cpu.requests: \"250x\" is not a"
            + " CPU quantity");
  }

  @Test
  void unknownAppIsExitOne() {
    ClientRun r = mls("apps", "get-app-status", "no-such-app");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).startsWith("mls: ").contains("no-such-app");
  }

  @Test
  void tokenFromTheDataDirIsAcceptedAndAWrongOneIsNot() {
    ClientRun wrong = ClientRun.of("status", "--server", url, "--token", "wrong");
    assertThat(wrong.exitCode()).isEqualTo(1);
    assertThat(wrong.err()).contains("rejected the token from --token");
    if (System.getenv("MLS_TOKEN") == null) {
      ClientRun fromFile = ClientRun.of("manage", "ping-agent", "--server", url, "--data-dir",
          dataDir.toString());
      assertThat(fromFile.exitCode()).as(fromFile.err()).isZero();
      assertThat(fromFile.out()).startsWith("ok: continuum agent ");
    }
  }

  @Test
  void tokensAreCreatedListedWithoutSecretsAndRevoked() {
    ClientRun created = mls("tokens", "create", "--name", "ci-viewer", "--role", "viewer",
        "--ttl", "2h");
    assertThat(created.exitCode()).as(created.err()).isZero();
    String secret = created.out().strip();
    assertThat(secret).matches("[A-Za-z0-9_-]{43}"); // alone on stdout, for scripts
    assertThat(created.err()).contains("expires 20");

    ClientRun listed = mls("tokens", "list");
    assertThat(listed.exitCode()).as(listed.err()).isZero();
    assertThat(listed.out()).startsWith("NAME").contains("ci-viewer").contains("viewer")
        .doesNotContain(secret);
    ClientRun asViewer = ClientRun.of("manage", "ping-agent", "--server", url, "--token", secret);
    assertThat(asViewer.exitCode()).as(asViewer.err()).isZero();

    assertThat(mls("tokens", "revoke", "ci-viewer").exitCode()).isZero();
    ClientRun revoked = ClientRun.of("status", "--server", url, "--token", secret);
    assertThat(revoked.exitCode()).isEqualTo(1);
    assertThat(revoked.err()).contains("rejected the token");
    ClientRun again = mls("tokens", "revoke", "ci-viewer");
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err()).contains("no token \"ci-viewer\"");
  }
}
