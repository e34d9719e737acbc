package eu.mlsysops.cli.agents;

import eu.mlsysops.model.ClusterDescriptor;
import eu.mlsysops.model.ContinuumDescriptor;
import eu.mlsysops.model.Descriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.NodeDescriptor;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code mls up --processes}: the continuum as separate processes on loopback, one JVM per agent
 * (the continuum agent, each cluster agent, each node agent) running {@code mls agent …} with a
 * generated configuration, certificates from a CA in the data directory, and mutual TLS between
 * them. Each agent's configuration, descriptor and log are under {@code <data-dir>/agents/<name>/};
 * the continuum agent keeps its state in the data directory itself, so the CLI finds its admin
 * token where it does for {@code mls up}.
 */
public final class ProcessContinuum implements AutoCloseable {
  private final Path dataDir;
  private final List<Descriptor> topology;
  private final int northboundPort;
  private final PrintWriter out;
  private final Map<String, Agent> agents = new LinkedHashMap<>();
  private volatile boolean stopping;
  private boolean localProcesses;
  private String kubernetesMaster;
  /** Extra keys of the continuum agent's configuration (its northbound options). */
  private final Map<String, Object> continuumOptions = new LinkedHashMap<>();
  /** Plug-in mechanisms by tier name, written into the agents' files ({@code mechanisms:}). */
  private Map<String, List<String>> mechanisms = Map.of();
  /** After how many reporting intervals a silent series stops, in every agent's file. */
  private int staleAfterIntervals = eu.mlsysops.agent.tier.AgentEnvironment.DEFAULT_STALE_AFTER_INTERVALS;

  /** Who may write to the node agents' OTLP receivers ({@code otlp_auth:}). */
  private eu.mlsysops.telemetry.otlp.OtlpAuthMode otlpAuth =
      eu.mlsysops.telemetry.otlp.OtlpAuthMode.AUTO;

  /** One launched agent. */
  public record Agent(
      String name,
      AgentFileConfig.Tier tier,
      Path config,
      Path log,
      int childPort,
      Process process) {}

  /**
   * @param dataDir where certificates, configurations, logs and state go
   * @param topology a continuum, its clusters and nodes (e.g. {@code mls up}'s built-in one)
   * @param northboundPort the continuum agent's API port (0: any free port)
   */
  public ProcessContinuum(
      Path dataDir, List<Descriptor> topology, int northboundPort, PrintWriter out) {
    this.dataDir = dataDir.toAbsolutePath();
    this.topology = List.copyOf(topology);
    this.northboundPort = northboundPort;
    this.out = out;
  }

  /**
   * Node agents run instances as real local processes (each with OTLP receivers on free ports and
   * this host's figures) instead of simulating their hosts. Call before {@link #start()}.
   */
  /**
   * Northbound options for the continuum agent: {@code descriptor_hosts} (a list) and {@code
   * developer_quota} (as {@code mls up --developer-quota}); null or empty values are left out.
   */
  public ProcessContinuum northbound(List<String> descriptorHosts, String developerQuota,
      eu.mlsysops.model.AppLimits appLimits) {
    if (appLimits != null && !appLimits.equals(eu.mlsysops.model.AppLimits.DEFAULT)) {
      continuumOptions.put("app_limits", "\"" + appLimits + "\"");
    }
    if (descriptorHosts != null && !descriptorHosts.isEmpty()) {
      continuumOptions.put("descriptor_hosts", yamlList(descriptorHosts));
    }
    if (developerQuota != null && !developerQuota.isBlank()) {
      continuumOptions.put("developer_quota", "\"" + developerQuota + "\"");
    }
    return this;
  }

  /** The plug-in mechanisms each tier's agents use, by tier name ({@code mls up --mechanism}). */
  public ProcessContinuum mechanisms(Map<String, List<String>> byTier) {
    this.mechanisms = Map.copyOf(byTier);
    return this;
  }

  /** After how many reporting intervals a silent series stops ({@code mls up --stale-after}). */
  public ProcessContinuum staleAfterIntervals(int intervals) {
    this.staleAfterIntervals = intervals;
    return this;
  }

  /** Who may write to the node agents' OTLP receivers ({@code mls up --otlp-auth}). */
  public ProcessContinuum otlpAuth(eu.mlsysops.telemetry.otlp.OtlpAuthMode mode) {
    this.otlpAuth = java.util.Objects.requireNonNull(mode);
    return this;
  }

  public ProcessContinuum localProcesses(boolean on) {
    this.localProcesses = on;
    return this;
  }

  /**
   * Node agents run instances as pods through the Kubernetes API server at {@code masterUrl}
   * ({@code runtime: kubernetes}; for tests against a mock server and for trying the runtime
   * from outside a cluster). Call before {@link #start()}.
   */
  public ProcessContinuum kubernetes(String masterUrl) {
    this.kubernetesMaster = masterUrl;
    return this;
  }

  /** The agents launched, by name. */
  public Map<String, Agent> agents() {
    return agents;
  }

  /**
   * Creates certificates and configurations, then launches every agent (the continuum first); does
   * not wait for them to connect: children retry until their parent listens.
   *
   * @return the continuum agent's northbound port
   */
  public int start() throws IOException {
    ContinuumDescriptor continuum = null;
    List<ClusterDescriptor> clusters = new ArrayList<>();
    List<NodeDescriptor> nodes = new ArrayList<>();
    for (Descriptor d : topology) {
      if (d instanceof ContinuumDescriptor c) {
        continuum = c;
      } else if (d instanceof ClusterDescriptor c) {
        clusters.add(c);
      } else if (d instanceof NodeDescriptor n) {
        nodes.add(n);
      }
    }
    if (continuum == null || clusters.isEmpty()) {
      throw new IllegalArgumentException(
          "the topology needs an MLSysOpsContinuum and at least"
              + " one MLSysOpsCluster descriptor");
    }
    eu.mlsysops.agent.tier.EmbeddedContinuum.createPrivateDirectory(dataDir);
    // Before anything is written: a second launcher would rewrite the agents' configurations
    // and start duplicates on their journals.
    launcherLock =
        eu.mlsysops.agent.tier.DataDirLock.acquire(
            dataDir, "launcher.lock", "mls up --processes");
    Path certs = dataDir.resolve("certs");
    List<String> names = new ArrayList<>();
    names.add(continuum.continuumId());
    clusters.forEach(c -> names.add(c.clusterId()));
    nodes.forEach(n -> names.add(n.name()));
    CertsCommand.init(certs, names);

    int nbPort = northboundPort == 0 ? freePort() : northboundPort;
    int continuumPort = freePort();
    String cid = continuum.continuumId();
    // Chosen before the continuum starts: it tells nodes that join where their cluster listens.
    Map<String, Integer> clusterPorts = new LinkedHashMap<>();
    for (ClusterDescriptor c : clusters) {
      clusterPorts.put(c.clusterId(), freePort());
    }
    Map<String, Object> continuumKeys = new LinkedHashMap<>();
    continuumKeys.put("listen_port", continuumPort);
    continuumKeys.put("northbound_port", nbPort);
    continuumKeys.put("children",
        yamlList(clusters.stream().map(ClusterDescriptor::clusterId).toList()));
    continuumKeys.put("cluster_endpoints", "{" + String.join(", ", clusterPorts.entrySet()
        .stream().map(e -> e.getKey() + ": \"127.0.0.1:" + e.getValue() + "\"").toList()) + "}");
    if (kubernetesMaster != null) {
      continuumKeys.put("kubernetes", true);
    }
    continuumKeys.putAll(continuumOptions);
    launch(cid, AgentFileConfig.Tier.CONTINUUM, continuum, dataDir, certs, continuumKeys,
        continuumPort);
    for (ClusterDescriptor c : clusters) {
      int port = clusterPorts.get(c.clusterId());
      launch(
          c.clusterId(),
          AgentFileConfig.Tier.CLUSTER,
          c,
          null,
          certs,
          Map.of(
              "listen_port",
              port,
              "parent",
              "127.0.0.1:" + continuumPort,
              "parent_name",
              cid,
              "children",
              yamlList(
                  nodes.stream()
                      .filter(n -> clusterOf(n, clusters).equals(c.clusterId()))
                      .map(NodeDescriptor::name)
                      .toList())),
          port);
    }
    for (NodeDescriptor n : nodes) {
      String cluster = clusterOf(n, clusters);
      Integer port = clusterPorts.get(cluster);
      if (port == null) {
        throw new IllegalArgumentException(
            "node "
                + n.name()
                + " names cluster \""
                + cluster
                + "\", which the topology does not define");
      }
      launch(
          n.name(),
          AgentFileConfig.Tier.NODE,
          n,
          null,
          certs,
          localProcesses
              ? Map.of("parent", "127.0.0.1:" + port, "parent_name", cluster,
                  "runtime", "process", "otlp_grpc_port", 0, "otlp_http_port", 0)
              : kubernetesMaster != null
                  ? Map.of("parent", "127.0.0.1:" + port, "parent_name", cluster,
                      "runtime", "kubernetes", "otlp_grpc_port", 0, "otlp_http_port", 0)
                  : Map.of("parent", "127.0.0.1:" + port, "parent_name", cluster),
          -1);
    }
    return nbPort;
  }

  /** Only the topology's own agents are admitted: {@code children: [a, b]}. */
  private static String yamlList(List<String> names) {
    return "[" + String.join(", ", names) + "]";
  }

  private static String clusterOf(NodeDescriptor n, List<ClusterDescriptor> clusters) {
    if (n.clusterId() != null && !n.clusterId().isBlank()) {
      return n.clusterId();
    }
    return clusters.stream()
        .filter(c -> c.nodes().contains(n.name()))
        .map(ClusterDescriptor::clusterId)
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "node " + n.name() + " has no cluster_id and no MLSysOpsCluster lists it"));
  }

  private void launch(
      String name,
      AgentFileConfig.Tier tier,
      Descriptor descriptor,
      Path data,
      Path certs,
      Map<String, Object> keys,
      int childPort)
      throws IOException {
    Path dir = dataDir.resolve("agents").resolve(name);
    eu.mlsysops.agent.tier.EmbeddedContinuum.createPrivateDirectory(dir);
    Path descriptorFile = dir.resolve("descriptor.yaml");
    Files.writeString(descriptorFile, Descriptors.toYaml(descriptor));
    StringBuilder yaml = new StringBuilder("# generated by mls up --processes\n");
    yaml.append("name: ").append(name).append('\n');
    yaml.append("descriptor: ").append(descriptorFile).append('\n');
    yaml.append("cert_dir: ").append(certs).append('\n');
    yaml.append("data_dir: ").append(data != null ? data : dir).append('\n');
    // No policy_directory for clusters and nodes: the continuum sends its tier directories'
    // files to every remote agent over the agent links, as it does across hosts.
    keys.forEach((k, v) -> yaml.append(k).append(": ").append(v).append('\n'));
    if (staleAfterIntervals != eu.mlsysops.agent.tier.AgentEnvironment.DEFAULT_STALE_AFTER_INTERVALS) {
      yaml.append("stale_after_intervals: ").append(staleAfterIntervals).append('\n');
    }
    if (tier == AgentFileConfig.Tier.NODE) {
      yaml.append("otlp_auth: ").append(otlpAuth.name().toLowerCase(java.util.Locale.ROOT))
          .append('\n');
    }
    List<String> plugIns = mechanisms.getOrDefault(tier.wireName(), List.of());
    if (!plugIns.isEmpty()) {
      // The list replaces the tier's default: keep the built-in one.
      java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>(tier.knownMechanisms());
      all.addAll(plugIns);
      yaml.append("mechanisms: ").append(yamlList(List.copyOf(all))).append('\n');
    }
    Path config = dir.resolve("agent.yaml");
    Files.writeString(config, yaml.toString());
    spawn(name, tier, config, dir.resolve("agent.log"), childPort);
  }

  /** Starts (or starts again) one agent's JVM on its configuration; output appends to its log. */
  private void spawn(
      String name, AgentFileConfig.Tier tier, Path config, Path log, int childPort)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBinary());
    // Small heaps and the quick JIT tier: a dozen JVMs share one machine here.
    cmd.addAll(
        List.of(
            tier == AgentFileConfig.Tier.NODE ? "-Xmx96m" : "-Xmx256m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Xss512k"));
    cmd.addAll(
        List.of(
            "-cp",
            classPath(),
            "eu.mlsysops.cli.Mls",
            "agent",
            tier.wireName(),
            "--config",
            config.toString()));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    // The agent's own settings come from the file: no MLS_* variable of this shell may change them.
    pb.environment()
        .keySet()
        .removeIf(
            k ->
                k.startsWith("MLS_")
                    && AgentFileConfig.KEYS.contains(
                        k.substring(4).toLowerCase(java.util.Locale.ROOT)));
    pb.environment().put(RunAgentCommand.LAUNCHER_PID,
        Long.toString(ProcessHandle.current().pid()));
    if (kubernetesMaster != null && tier != AgentFileConfig.Tier.CLUSTER) {
      pb.environment().put("KUBERNETES_MASTER", kubernetesMaster);
      pb.environment().put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
      pb.environment().put("KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");
      pb.environment().put("KUBERNETES_TRUST_CERTIFICATES", "true");
    }
    Process p = pb.start();
    agents.put(name, new Agent(name, tier, config, log, childPort, p));
  }

  /** The classpath of this JVM with absolute entries, for the agents' JVMs. */
  static String classPath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(s -> !s.isBlank())
        .map(s -> Path.of(s).toAbsolutePath().toString())
        .collect(Collectors.joining(File.pathSeparator));
  }

  static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Prints where each agent runs. */
  public void printTable() {
    out.printf("%-18s %-10s %-8s %-22s %s%n", "AGENT", "TIER", "PID", "LISTENS", "LOG");
    for (Agent a : agents.values()) {
      out.printf(
          "%-18s %-10s %-8d %-22s %s%n",
          a.name(),
          a.tier().wireName(),
          a.process().pid(),
          a.childPort() > 0 ? "127.0.0.1:" + a.childPort() : "-",
          a.log());
    }
    out.flush();
  }

  /** Waits until a TCP port on loopback accepts connections, or the timeout passes. */
  public static boolean awaitPort(int port, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        return true;
      } catch (IOException e) {
        Thread.sleep(100);
      }
    }
    return false;
  }

  /**
   * Waits until {@code timeout} passes or {@link #close()} is called, telling once about each agent
   * that exits on its own.
   */
  public void watch(Duration timeout) throws InterruptedException {
    long end = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
    List<String> reported = new ArrayList<>();
    while (!stopping && System.nanoTime() < end) {
      for (Agent a : agents.values()) {
        if (!a.process().isAlive() && !reported.contains(a.name()) && !stopping) {
          reported.add(a.name());
          out.printf(
              "agent %s exited with code %d; see %s%n", a.name(), a.process().exitValue(), a.log());
          out.flush();
        }
      }
      Thread.sleep(250);
    }
  }

  /**
   * Kills an agent without warning ({@code kill -9}): no shutdown hook runs, nothing is flushed
   * or said to its peers. For failure drills and tests.
   */
  public void kill(String name) throws InterruptedException {
    Agent a = agent(name);
    a.process().destroyForcibly();
    a.process().waitFor(10, TimeUnit.SECONDS);
  }

  /** Starts a stopped or killed agent again on the same configuration, data and ports. */
  public void restart(String name) throws IOException {
    Agent a = agent(name);
    if (a.process().isAlive()) {
      throw new IllegalStateException("agent " + name + " is still running");
    }
    spawn(a.name(), a.tier(), a.config(), a.log(), a.childPort());
  }

  private Agent agent(String name) {
    Agent a = agents.get(name);
    if (a == null) {
      throw new IllegalArgumentException("no agent named \"" + name + "\"");
    }
    return a;
  }

  /** Stops every agent: a polite signal first, then, after 5 s, a kill. */
  @Override
  public void close() {
    stopping = true;
    try {
      closeAgents();
    } finally {
      if (launcherLock != null) {
        launcherLock.close();
      }
    }
  }

  private eu.mlsysops.agent.tier.DataDirLock launcherLock;

  private void closeAgents() {
    for (Agent a : agents.values()) {
      a.process().destroy();
    }
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    for (Agent a : agents.values()) {
      try {
        long left = end - System.nanoTime();
        if (left <= 0 || !a.process().waitFor(left, TimeUnit.NANOSECONDS)) {
          a.process().destroyForcibly();
        }
      } catch (InterruptedException e) {
        a.process().destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
