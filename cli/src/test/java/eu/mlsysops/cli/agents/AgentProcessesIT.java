package eu.mlsysops.cli.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import eu.mlsysops.cli.Mls;
import eu.mlsysops.model.Descriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.protocol.Message;
import eu.mlsysops.protocol.grpc.GrpcLink;
import eu.mlsysops.protocol.tls.AgentCredentials;
import eu.mlsysops.protocol.tls.CertificateAuthority;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A continuum agent, a cluster agent and two node agents as four separate JVMs ({@code mls agent …
 * --config}, launched the way {@code mls up --processes} launches them), talking gRPC with mutual
 * TLS on loopback. Apps go in through the continuum process's northbound API with the real CLI
 * client; peers without the right certificate, impersonators and garbage on the cluster's port are
 * refused without hurting anything.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentProcessesIT {
  private static final String TOPOLOGY =
      """
      MLSysOpsContinuum: {name: it-continuum, continuum_id: it-continuum, clusters: [cl-a]}
      ---
      MLSysOpsCluster: {name: cl-a, cluster_id: cl-a, nodes: [n-1, n-2]}
      ---
      MLSysOpsNode:
        name: n-1
        cluster_id: cl-a
        continuum_layer: edge
        environment: {node_type: native, os: ubuntu, container_runtime: [containerd]}
        hardware: {cpu: {architecture: amd64, cores: 4, frequency: [1.0, 2.0]}, memory: 4}
      ---
      MLSysOpsNode:
        name: n-2
        cluster_id: cl-a
        continuum_layer: edge
        environment: {node_type: native, os: ubuntu, container_runtime: [containerd]}
        hardware: {cpu: {architecture: amd64, cores: 4, frequency: [1.0, 2.0]}, memory: 4}
      """;

  @TempDir static Path dir;
  private static ProcessContinuum continuum;
  private static String api;
  private static String token;
  private static int clusterPort;
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<GrpcLink> links = new ArrayList<>();

  @BeforeAll
  static void startAgents() throws Exception {
    eu.mlsysops.model.ParseResult parsed =
        Descriptors.parse(TOPOLOGY, "it-topology", ParseOptions.DEFAULT);
    assertThat(parsed.errors()).isEmpty();
    List<Descriptor> topology = parsed.descriptors();
    continuum =
        new ProcessContinuum(dir.resolve("data"), topology, 0, new PrintWriter(new StringWriter()));
    int port = continuum.start();
    clusterPort = continuum.agents().get("cl-a").childPort();
    api = "http://127.0.0.1:" + port;
    assertThat(ProcessContinuum.awaitPort(port, Duration.ofSeconds(40)))
        .as("continuum API up; log:%n%s", log("it-continuum"))
        .isTrue();
    token = Files.readString(dir.resolve("data/admin.token")).trim();
    try {
      await()
          .atMost(40, TimeUnit.SECONDS)
          .pollInterval(Duration.ofMillis(300))
          .ignoreExceptions() // a request that times out under load is asked again
          .until(() -> healthyNodes().equals(List.of("n-1", "n-2")));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(
          "nodes did not register; the continuum's /api/v1/nodes: "
              + get("/api/v1/nodes")
              + "\n/api/v1/clusters: "
              + get("/api/v1/clusters")
              + "\nlogs:\n"
              + allLogs(),
          e);
    }
  }

  private static String allLogs() {
    StringBuilder b = new StringBuilder();
    for (String a : continuum.agents().keySet()) {
      b.append("== ").append(a).append('\n').append(log(a));
    }
    return b.toString();
  }

  @AfterAll
  static void stopAgents() {
    links.forEach(GrpcLink::close);
    if (continuum != null) {
      continuum.close();
    }
  }

  @Test
  @Order(1)
  void anAppDeployedThroughTheContinuumProcessRunsOnANodeProcess() throws Exception {
    deployAndAwaitRunning("hello");
    assertThat(continuum.agents().values()).allMatch(a -> a.process().isAlive());
  }

  @Test
  @Order(1)
  void theContinuumShowsRemoteNodesHardwareTelemetryAndTrust() throws Exception {
    try {
      await().atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(500))
          .ignoreExceptions().until(() -> {
            JsonNode n = JSON.readTree(get("/api/v1/nodes/n-1").replaceFirst("^\\d+ ", ""));
            return n.path("telemetry").path("node_cpu_utilization").isNumber()
                && n.path("trust").path("score").isNumber();
          });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("/api/v1/nodes/n-1: " + get("/api/v1/nodes/n-1"), e);
    }
    JsonNode n = JSON.readTree(get("/api/v1/nodes/n-1").replaceFirst("^\\d+ ", ""));
    assertThat(n.path("cpu").path("cores").asInt()).isEqualTo(4);
    assertThat(n.path("cpu").path("architecture").asText()).isEqualTo("amd64");
    assertThat(n.path("memory_bytes").asLong()).isEqualTo(4L << 30);
    JsonNode trust = n.path("trust");
    assertThat(trust.path("level").asText()).isIn("high", "medium", "low");
    assertThat(trust.path("identity").isNumber()).isTrue();
    assertThat(trust.path("placement_threshold").asDouble()).isEqualTo(0.5);
    assertThat(trust.path("explanation").asText()).contains("cluster agent");
  }

  @Test
  @Order(2)
  void peersWithoutAValidCertificateAreRefused() throws Exception {
    Path other = dir.resolve("other-ca");
    CertificateAuthority foreign = CertificateAuthority.init(other);
    GrpcLink wrongCa =
        link(
            GrpcLink.builder("127.0.0.1", clusterPort)
                .tls(foreign.issue("n-1"))
                .backoff(Duration.ofMillis(100), Duration.ofMillis(500)));
    GrpcLink noCert =
        link(
            GrpcLink.builder("127.0.0.1", clusterPort)
                .insecure()
                .backoff(Duration.ofMillis(100), Duration.ofMillis(500)));

    await()
        .atMost(15, TimeUnit.SECONDS)
        .until(() -> wrongCa.lastFailure().isPresent() && noCert.lastFailure().isPresent());
    assertThat(wrongCa.isConnected()).isFalse();
    assertThat(noCert.isConnected()).isFalse();
    assertThat(healthyNodes()).containsExactly("n-1", "n-2");
  }

  @Test
  @Order(3)
  void aNodeCannotRegisterAsAnotherNode() throws Exception {
    CertsCommand.init(dir.resolve("data/certs"), List.of("n-3"));
    AgentCredentials n3 = AgentCredentials.load(dir.resolve("data/certs"), "n-3");
    NodeDescriptor n2 =
        (NodeDescriptor)
            Descriptors.parse(
                    Files.readString(dir.resolve("data/agents/n-2/descriptor.yaml")),
                    "n-2",
                    ParseOptions.DEFAULT)
                .descriptors()
                .get(0);

    // Its certificate says n-3: a registration from "n-2" closes the stream.
    GrpcLink asN2 =
        link(
            GrpcLink.builder("127.0.0.1", clusterPort)
                .tls(n3)
                .expectedParent("cl-a")
                .backoff(Duration.ofMillis(100), Duration.ofMillis(500)));
    asN2.onConnectionChange(
        up -> {
          if (up) {
            asN2.send(new Message.Register("n-2", Message.Tier.NODE, n2, null, List.of()));
          }
        });
    await()
        .atMost(15, TimeUnit.SECONDS)
        .until(
            () ->
                asN2.lastFailure().isPresent()
                    && asN2.lastFailure().get().contains("PERMISSION_DENIED"));
    asN2.close();

    // Under its own name, but describing n-2: the cluster agent drops the registration.
    GrpcLink describingN2 =
        link(GrpcLink.builder("127.0.0.1", clusterPort).tls(n3).expectedParent("cl-a"));
    describingN2.onConnectionChange(
        up -> {
          if (up) {
            describingN2.send(new Message.Register("n-3", Message.Tier.NODE, n2, null, List.of()));
            describingN2.send(
                new Message.StatusReport(
                    "n-3",
                    List.of(
                        new Message.InstanceReport(
                            "hello/web/0", "hello", "web", "n-2", "FAILED", "forged", 1)),
                    false));
          }
        });
    await()
        .atMost(15, TimeUnit.SECONDS)
        .until(() -> log("cl-a").contains("n-3 registered a descriptor named n-2"));
    describingN2.close();

    // Honestly as n-3: certified, but not one of the cluster's children (its `children` key).
    NodeDescriptor n3Descriptor =
        (NodeDescriptor)
            Descriptors.parse(
                    Files.readString(dir.resolve("data/agents/n-2/descriptor.yaml"))
                        .replace("n-2", "n-3"),
                    "n-3",
                    ParseOptions.DEFAULT)
                .descriptors()
                .get(0);
    GrpcLink asItself =
        link(GrpcLink.builder("127.0.0.1", clusterPort).tls(n3).expectedParent("cl-a"));
    asItself.onConnectionChange(
        up -> {
          if (up) {
            asItself.send(
                new Message.Register("n-3", Message.Tier.NODE, n3Descriptor, null, List.of()));
          }
        });
    await()
        .atMost(15, TimeUnit.SECONDS)
        .until(() -> log("cl-a").contains("n-3 is not one of the children this agent admits"));
    assertThat(healthyNodes()).containsExactly("n-1", "n-2");
    assertThat(appStatus("hello").path("phase").asText()).isEqualTo("Running");
  }

  @Test
  @Order(4)
  void randomBytesAndTruncatedFramesOnTheClusterPortDoNotHurtIt() throws Exception {
    Random random = new Random(7);
    for (int i = 0; i < 3; i++) {
      byte[] junk = new byte[1 << (10 + 3 * i)];
      random.nextBytes(junk);
      rawWrite(junk);
    }
    // A TLS record header that promises more than follows.
    rawWrite(new byte[] {0x16, 0x03, 0x01, 0x40, 0x00, 0x01, 0x00});
    // Through TLS with a valid certificate: the HTTP/2 preface, then a truncated SETTINGS frame,
    // then a frame header claiming 16 KiB of DATA on a stream that was never opened.
    AgentCredentials n3 = AgentCredentials.load(dir.resolve("data/certs"), "n-3");
    byte[] preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    tlsWrite(
        n3,
        concat(
            preface,
            new byte[] {0x00, 0x00, 0x0c, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03}));
    tlsWrite(
        n3,
        concat(
            preface,
            new byte[] {
              0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00,
              0x00, 0x00, 0x05, 0x01, 0x02, 0x03
            }));
    byte[] junk = new byte[4096];
    random.nextBytes(junk);
    tlsWrite(n3, concat(preface, junk));

    assertThat(continuum.agents().get("cl-a").process().isAlive()).isTrue();
    deployAndAwaitRunning("after-garbage");
    assertThat(healthyNodes()).containsExactly("n-1", "n-2");
  }

  @Test
  @Order(5)
  void aKilledNodeAgentsComponentRunsOnTheOtherNodeAndNothingIsDuplicatedWhenItReturns()
      throws Exception {
    deployAndAwaitRunning("survivor");
    String victim = runningNodes("survivor").get(0);
    String other = victim.equals("n-1") ? "n-2" : "n-1";

    continuum.kill(victim);

    await("survivor running on " + other).atMost(40, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(300)).ignoreExceptions()
        .until(() -> runningNodes("survivor").equals(List.of(other)));

    // Back from its journal: it starts what it ran, then its cluster tells it what runs where.
    continuum.restart(victim);
    await(victim + " healthy again").atMost(40, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(300)).ignoreExceptions()
        .until(() -> healthyNodes().equals(List.of("n-1", "n-2")));
    await("one instance of survivor").during(Duration.ofSeconds(3)).atMost(30, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(300)).ignoreExceptions()
        .until(() -> runningNodes("survivor").size() == 1);
  }

  @Test
  @Order(6)
  void aKilledAndRestartedClusterAgentKeepsItsAppsWithoutDuplicates() throws Exception {
    deployAndAwaitRunning("steady");
    List<String> before = runningNodes("steady");

    continuum.kill("cl-a");
    continuum.restart("cl-a");

    await("steady running after the cluster's restart").atMost(40, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(300)).ignoreExceptions()
        .until(() -> healthyNodes().equals(List.of("n-1", "n-2"))
            && runningNodes("steady").size() == 1);
    await().during(Duration.ofSeconds(3)).atMost(20, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(300)).ignoreExceptions()
        .until(() -> runningNodes("steady").size() == 1 && runningNodes("survivor").size() == 1);
    assertThat(runningNodes("steady")).isEqualTo(before);
  }

  @Test
  @Order(7)
  void aNodeCutOffAndHealedConvergesToOneInstancePerComponent() throws Exception {
    deployAndAwaitRunning("partitioned");
    String node = runningNodes("partitioned").get(0);
    long pid = continuum.agents().get(node).process().pid();

    // SIGSTOP: the node's process is alive but silent, as behind a partition.
    signal("STOP", pid);
    try {
      await(node + " unreachable").atMost(30, TimeUnit.SECONDS)
          .pollInterval(Duration.ofMillis(300)).ignoreExceptions()
          .until(() -> !healthyNodes().contains(node));
    } finally {
      signal("CONT", pid);
    }

    await("converged after the heal").atMost(40, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(300)).ignoreExceptions()
        .until(() -> healthyNodes().equals(List.of("n-1", "n-2")));
    await().during(Duration.ofSeconds(3)).atMost(30, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(300)).ignoreExceptions()
        .until(() -> runningNodes("partitioned").size() == 1);
  }

  private static final String NODE_POLICY =
      """
      import eu.mlsysops.agent.*
      import java.time.Duration

      class RemoteProbePolicy implements Policy<Boolean> {
        PolicyContext initialize() {
          PolicyContext.builder("remote-probe").analyzeInterval(Duration.ofSeconds(1))
              .mode(PolicyContext.Mode.ANY).build()
        }
        Optional<Boolean> analyze(PolicyView view) { Optional.of(true) }
        Plan plan(PolicyView view, Boolean probe) {
          Plan.of(Command.of("cpu_frequency", "set", "ghz", "2.0"), "probing from " + view.system(),
              ["probe": "1"])
        }
      }
      """;

  @Test
  @Order(8)
  void modeConfigurationAndPolicyFilesReachEveryRemoteAgentAndTheirPlansAndEventsComeBack()
      throws Exception {
    List<String> sse = new java.util.concurrent.CopyOnWriteArrayList<>();
    var stream = HTTP.sendAsync(
        HttpRequest.newBuilder(URI.create(api + "/api/v1/events"))
            .header("Authorization", "Bearer " + token)
            .header("Accept", "text/event-stream").build(),
        HttpResponse.BodyHandlers.ofLines());
    stream.thenAccept(r -> r.body().forEach(sse::add));
    try {
      // From the start, without any change: every agent got the set on registering.
      awaitEveryRemoteAgentOnTheCurrentSet();
      assertThat(send("PUT", "/api/v1/mode/ml", "", "text/plain")).startsWith("200");
      awaitEveryRemoteAgentOnTheCurrentSet();

      assertThat(send("PUT", "/api/v1/policies/node/policy-remote-probe.groovy", NODE_POLICY,
          "text/x-groovy")).startsWith("201");
      awaitEveryRemoteAgentOnTheCurrentSet();
      // The node agents' own decisions, made in their own processes, show at the continuum.
      for (String node : List.of("n-1", "n-2")) {
        await(node + "'s plans").atMost(40, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(500))
            .ignoreExceptions()
            .until(() -> JSON.readTree(get("/api/v1/plans?agent=" + node + "&policy=remote-probe")
                .substring(4)).path("items").size() > 0);
      }
      JsonNode nodePlans = JSON.readTree(
          get("/api/v1/plans?tier=node&policy=remote-probe&limit=1000").substring(4));
      assertThat(nodePlans.path("items").findValuesAsText("tier")).isNotEmpty()
          .containsOnly("node");
      assertThat(nodePlans.path("items").findValuesAsText("agent")).containsAnyOf("n-1", "n-2");
      await("remote events on the SSE stream").atMost(30, TimeUnit.SECONDS)
          .until(() -> sse.stream().anyMatch(l -> l.startsWith("data:")
              && (l.contains("\"agent\":\"n-1\"") || l.contains("\"agent\":\"n-2\""))));

      assertThat(send("PUT", "/api/v1/agents/node/config", "{\"disabled_policies\": [\"remote-probe\"]}",
          "application/json")).startsWith("200");
      awaitEveryRemoteAgentOnTheCurrentSet();
      assertThat(send("DELETE", "/api/v1/agents/node/config", "", "text/plain")).startsWith("20");
      assertThat(send("DELETE", "/api/v1/policies/node/policy-remote-probe.groovy", "",
          "text/plain")).startsWith("204");

      // A file dropped in by hand that does not compile: each remote agent says so, by name.
      Files.writeString(dir.resolve("data/policies/node/policy-broken.groovy"),
          "class Broken implements eu.mlsysops.agent.Policy {");
      await("remote load errors").atMost(40, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .until(() -> {
            JsonNode agents = JSON.readTree(get("/api/v1/policies").substring(4))
                .path("remote").path("agents");
            int broken = 0;
            for (JsonNode a : agents) {
              if (a.path("errors").has("policy-broken.groovy") && a.path("current").asBoolean()) {
                broken++;
              }
            }
            return broken == 2;
          });
      Files.delete(dir.resolve("data/policies/node/policy-broken.groovy"));
      awaitEveryRemoteAgentOnTheCurrentSet();

      // An agent that was down while the mode changed gets the current set when it is back.
      continuum.kill("n-2");
      assertThat(send("PUT", "/api/v1/mode/heuristic", "", "text/plain")).startsWith("200");
      continuum.restart("n-2");
      awaitEveryRemoteAgentOnTheCurrentSet();
    } finally {
      stream.cancel(true);
    }
  }

  @Test
  @Order(9)
  void aNodeJoinsItsClusterWithAOneTimeTokenAndItsOwnKey() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Mls.run(new PrintWriter(out, true), new PrintWriter(err, true), "infra",
        "join-token", "--cluster", "cl-a", "--node", "far-3", "--server", api, "--token", token);
    assertThat(code).as("join-token: %s%s", out, err).isZero();
    String command = out.toString().trim();
    assertThat(command).startsWith("mls agent node --join " + api + " --token mlsjoin_")
        .contains("--ca-hash sha256:").endsWith("--name far-3");
    List<String> args = new ArrayList<>(List.of(command.split(" ")));
    String joinToken = args.get(args.indexOf("--token") + 1);

    List<String> cmd = new ArrayList<>(List.of(ProcessContinuum.javaBinary(), "-Xmx96m",
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", ProcessContinuum.classPath(),
        "eu.mlsysops.cli.Mls"));
    cmd.addAll(args.subList(1, args.size())); // without the leading "mls"
    cmd.addAll(List.of("--data-dir", dir.resolve("far-3").toString()));
    Path log = dir.resolve("far-3.log");
    Process node = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    try {
      try {
        await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(500))
            .ignoreExceptions().until(() -> healthyNodes().contains("far-3"));
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError("far-3 did not join; its log:\n" + Files.readString(log)
            + "\ncl-a's log:\n" + log("cl-a"), e);
      }
      assertThat(Files.readString(log)).contains("joined cluster cl-a as far-3");
      assertThat(Files.exists(dir.resolve("far-3/certs/far-3-key.pem"))).isTrue();
      assertThat(Files.exists(dir.resolve("data/certs/far-3.pem")))
          .as("the CA keeps what it issued, so the name is not certified twice").isTrue();
      assertThat(Files.readString(dir.resolve("far-3/agent.yaml")))
          .contains("parent_name: \"cl-a\"");

      // The token worked once.
      HttpResponse<String> again = HTTP.send(HttpRequest.newBuilder(
              URI.create(api + "/api/v1/infra/join"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode()
              .put("token", joinToken).put("node", "n-4")
              .put("csr", eu.mlsysops.protocol.tls.JoinRequest.create("n-4").csrPem())
              .toString())).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(again.statusCode()).as(again.body()).isEqualTo(401);

      // A node registered through the API in process mode gets the same path.
      Path n5 = dir.resolve("n-5.yaml");
      Files.writeString(n5, """
          MLSysOpsNode:
            name: n-5
            cluster_id: cl-a
            continuum_layer: edge
            environment: {node_type: native, os: ubuntu, container_runtime: [containerd]}
            hardware: {cpu: {architecture: amd64, cores: 2}, memory: 2}
          """);
      StringWriter regOut = new StringWriter();
      code = Mls.run(new PrintWriter(regOut, true), new PrintWriter(err, true), "infra",
          "register", n5.toString(), "--server", api, "--token", token);
      assertThat(code).as("register: %s%s", regOut, err).isZero();
      assertThat(regOut.toString()).contains("MLSysOpsNode n-5: AwaitingJoin")
          .contains("mls agent node --join " + api).contains("--name n-5");
    } finally {
      node.destroy();
      node.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static void awaitEveryRemoteAgentOnTheCurrentSet() {
    try {
      awaitCurrentSet();
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("not every remote agent runs the current control set;"
          + " /api/v1/policies: " + get("/api/v1/policies") + "\nlogs:\n" + allLogs(), e);
    }
  }

  private static void awaitCurrentSet() {
    await("every remote agent on the current control set").atMost(40, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(300)).ignoreExceptions()
        .until(() -> {
          JsonNode remote = JSON.readTree(get("/api/v1/policies").substring(4)).path("remote");
          List<String> current = new ArrayList<>();
          remote.path("agents").forEach(a -> {
            if (a.path("current").asBoolean() && a.path("errors").isEmpty()) {
              current.add(a.path("agent").asText());
            }
          });
          current.sort(null);
          return current.equals(List.of("cl-a", "n-1", "n-2"));
        });
  }

  private static String send(String method, String path, String body, String type) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(api + path))
                  .timeout(Duration.ofSeconds(10))
                  .header("Authorization", "Bearer " + token)
                  .header("Content-Type", type)
                  .method(method, HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() + " " + r.body();
    } catch (Exception e) {
      return e.toString();
    }
  }

  // ---- helpers ----

  /** The nodes where the app's first component has a RUNNING instance, sorted. */
  private static List<String> runningNodes(String app) throws Exception {
    List<String> out = new ArrayList<>();
    appStatus(app).path("components").path(0).path("instances").forEach(i -> {
      if ("RUNNING".equals(i.path("state").asText())) {
        out.add(i.path("node").asText());
      }
    });
    out.sort(null);
    return out;
  }

  private static void signal(String name, long pid) throws Exception {
    Process p = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start();
    assertThat(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0).as("kill -" + name).isTrue();
  }

  private static void deployAndAwaitRunning(String name) throws Exception {
    Path app = dir.resolve(name + ".yaml");
    Files.writeString(
        app,
        """
        MLSysOpsApp:
          name: %s
          components:
            - metadata: {name: web}
              containers:
                - image: web:1
                  platform_requirements:
                    cpu: {requests: "250m"}
                    memory: {requests: "64Mi"}
        """
            .formatted(name));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Mls.run(
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            "apps",
            "deploy-app",
            "--path",
            app.toString(),
            "--server",
            api,
            "--token",
            token);
    assertThat(code).as("deploy: %s%s", out, err).isZero();
    await()
        .atMost(30, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              JsonNode s = appStatus(name);
              JsonNode instance = s.path("components").path(0).path("instances").path(0);
              return "Running".equals(s.path("phase").asText())
                  && "RUNNING".equals(instance.path("state").asText())
                  && List.of("n-1", "n-2").contains(instance.path("node").asText());
            });
  }

  private static JsonNode appStatus(String name) throws Exception {
    StringWriter out = new StringWriter();
    int code =
        Mls.run(
            new PrintWriter(out, true),
            new PrintWriter(new StringWriter(), true),
            "apps",
            "get-app-status",
            name,
            "-o",
            "json",
            "--server",
            api,
            "--token",
            token);
    return code == 0 ? JSON.readTree(out.toString()) : JSON.createObjectNode();
  }

  private static String get(String path) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(api + path))
                  .timeout(Duration.ofSeconds(5))
                  .header("Authorization", "Bearer " + token)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() + " " + r.body();
    } catch (Exception e) {
      return e.toString();
    }
  }

  private static List<String> healthyNodes() throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(api + "/api/v1/nodes"))
                .timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    List<String> names = new ArrayList<>();
    JSON.readTree(r.body())
        .path("items")
        .forEach(
            n -> {
              if (n.path("healthy").asBoolean()) {
                names.add(n.path("name").asText());
              }
            });
    names.sort(null);
    return names;
  }

  private static String log(String agent) {
    try {
      return Files.readString(dir.resolve("data/agents/" + agent + "/agent.log"));
    } catch (IOException e) {
      return "";
    }
  }

  private static GrpcLink link(GrpcLink.Builder b) {
    GrpcLink l = b.connect();
    links.add(l);
    return l;
  }

  private static void rawWrite(byte[] bytes) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), clusterPort)) {
      OutputStream o = s.getOutputStream();
      o.write(bytes);
      o.flush();
    } catch (IOException e) {
      // The agent may close the connection mid-write: that is the point.
    }
  }

  private static void tlsWrite(AgentCredentials c, byte[] bytes) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    char[] pw = "x".toCharArray();
    ks.setKeyEntry("me", c.privateKey(), pw, new Certificate[] {c.certificate()});
    KeyStore ts = KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    ts.setCertificateEntry("ca", c.trustedCa());
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, pw);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ts);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    try (SSLSocket s =
        (SSLSocket)
            ctx.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), clusterPort)) {
      javax.net.ssl.SSLParameters p = s.getSSLParameters();
      p.setApplicationProtocols(new String[] {"h2"});
      s.setSSLParameters(p);
      s.startHandshake();
      s.getOutputStream().write(bytes);
      s.getOutputStream().flush();
      s.setSoTimeout(2000);
      try {
        s.getInputStream().read(new byte[1024]); // the server's SETTINGS or GOAWAY, then close
      } catch (IOException e) {
        // closed or timed out: either way the connection ends here
      }
    } catch (IOException e) {
      // Refused mid-way: fine.
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
