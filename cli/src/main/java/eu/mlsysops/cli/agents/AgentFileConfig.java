package eu.mlsysops.cli.agents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The configuration of one agent process ({@code mls agent continuum|cluster|node --config F}): a
 * YAML file, then {@code MLS_<KEY>} environment variables over it (e.g. {@code MLS_PARENT}, {@code
 * MLS_CERT_DIR}). Every key is documented in {@code docs/processes.md}. A bad value is refused with
 * the key that holds it (and the variable, when it came from one).
 *
 * @param tier which agent runs
 * @param name the agent's name: the name in its certificate, the node name or the cluster or
 *     continuum id
 * @param descriptor the agent's MLSysOps descriptor file, or null to generate one from the name
 * @param continuumLayer a node's layer (when its descriptor is generated), or null
 * @param parentHost the parent agent's host (cluster, node)
 * @param parentPort the parent agent's port for children (cluster, node)
 * @param parentName the name the parent's certificate must carry, or null to check the host
 * @param bind the address the child port (and the continuum's northbound API) listen on
 * @param listenPort the port children connect to (continuum, cluster); 0 picks a free one
 * @param certDir where {@code ca.pem}, {@code NAME.pem} and {@code NAME-key.pem} are
 * @param dataDir where the agent keeps state
 * @param policyDirectory a directory watched for policy files, or null
 * @param mechanisms the mechanisms the agent may use
 * @param monitoringInterval heartbeat interval (node, cluster)
 * @param northboundPort the continuum's northbound API port; 0 picks a free one
 * @param insecure plaintext instead of mutual TLS
 * @param children the only child names admitted (continuum, cluster); empty admits any name the CA
 *     certified
 * @param runtime how a node runs instances: {@code simulated} (a modelled host, the default),
 *     {@code process} (real local processes, with this host's figures from /proc) or {@code
 *     kubernetes} (pods pinned to this node, through the API server of the cluster it runs in)
 * @param otlpGrpcPort a node's OTLP/gRPC receiver port for the apps it runs; -1 off (default)
 * @param otlpHttpPort a node's OTLP/HTTP receiver port (also serving /metrics); -1 off (default)
 * @param kubernetes the continuum installs the mlsysops.eu/v1 CRDs, mirrors apps as MLSysOpsApp
 *     resources and writes Karmada PropagationPolicy objects in the Kubernetes cluster it runs in
 * @param trustThreshold a cluster places no new instances on nodes trusted less (0 to 1)
 * @param descriptorHosts hosts developers may have descriptors fetched from (continuum)
 * @param developerQuota what each developer's apps may ask for together (continuum)
 * @param appLimits what one app descriptor may ask for (continuum)
 * @param staleAfterIntervals after how many of its reporting intervals a silent series stops
 * @param clusterEndpoints cluster id → {@code host:port} of its port for node agents, told to
 *     nodes that join (continuum)
 * @param otlpAuth who may write to a node's OTLP receivers (auto, token, none)
 */
public record AgentFileConfig(
    Tier tier,
    String name,
    Path descriptor,
    String continuumLayer,
    String parentHost,
    int parentPort,
    String parentName,
    String bind,
    int listenPort,
    Path certDir,
    Path dataDir,
    Path policyDirectory,
    List<String> mechanisms,
    Duration monitoringInterval,
    int northboundPort,
    boolean insecure,
    List<String> children,
    String runtime,
    int otlpGrpcPort,
    int otlpHttpPort,
    boolean kubernetes,
    double trustThreshold,
    List<String> descriptorHosts,
    eu.mlsysops.northbound.api.DeveloperQuota developerQuota,
    Map<String, String> clusterEndpoints,
    eu.mlsysops.telemetry.otlp.OtlpAuthMode otlpAuth,
    eu.mlsysops.model.AppLimits appLimits,
    int staleAfterIntervals) {

  /** This configuration with plaintext links ({@code --insecure}). */
  public AgentFileConfig withInsecure() {
    return new AgentFileConfig(tier, name, descriptor, continuumLayer, parentHost, parentPort,
        parentName, bind, listenPort, certDir, dataDir, policyDirectory, mechanisms,
        monitoringInterval, northboundPort, true, children, runtime, otlpGrpcPort, otlpHttpPort,
        kubernetes, trustThreshold, descriptorHosts, developerQuota, clusterEndpoints, otlpAuth,
        appLimits, staleAfterIntervals);
  }

  /** The three kinds of agent. */
  public enum Tier {
    CONTINUUM("cluster_placement", 7400),
    CLUSTER("placement", 7401),
    NODE("cpu_frequency", -1);

    private final String mechanism;
    private final int defaultListenPort;

    Tier(String mechanism, int defaultListenPort) {
      this.mechanism = mechanism;
      this.defaultListenPort = defaultListenPort;
    }

    /** The tier's lower-case name, as on the command line. */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The mechanisms an agent of this tier has. */
    public List<String> knownMechanisms() {
      return List.of(mechanism);
    }
  }

  /** Every key a file may hold; others are refused (a typo must not pass silently). */
  static final Set<String> KEYS =
      Set.of(
          "name",
          "descriptor",
          "continuum_layer",
          "parent",
          "parent_name",
          "bind",
          "listen_port",
          "cert_dir",
          "data_dir",
          "policy_directory",
          "mechanisms",
          "monitoring_interval",
          "northbound_port",
          "insecure",
          "children",
          "runtime",
          "otlp_grpc_port",
          "otlp_http_port",
          "kubernetes",
          "trust_threshold",
          "descriptor_hosts",
          "developer_quota",
          "app_limits",
          "stale_after_intervals",
          "cluster_endpoints",
          "otlp_auth");

  /** Environment variables that start with {@code MLS_} but are not configuration keys. */
  private static final Set<String> NOT_KEYS =
      Set.of("MLS_TOKEN", "MLS_DEBUG", "MLS_SERVER", RunAgentCommand.LAUNCHER_PID);

  /**
   * Reads {@code file} and applies {@code env}'s {@code MLS_*} overrides.
   *
   * @param file the YAML file, or null for environment variables only
   * @param env the environment (normally {@code System.getenv()})
   * @throws IllegalArgumentException naming the key (and file or variable) of the first problem
   */
  public static AgentFileConfig load(Tier tier, Path file, Map<String, String> env) {
    Map<String, Value> raw = new LinkedHashMap<>();
    Path base = Path.of("").toAbsolutePath();
    if (file != null) {
      base = file.toAbsolutePath().getParent();
      readFile(file, raw);
    }
    Path cwd = Path.of("").toAbsolutePath();
    for (Map.Entry<String, String> e : env.entrySet()) {
      String var = e.getKey();
      if (!var.startsWith("MLS_") || NOT_KEYS.contains(var)) {
        continue;
      }
      String key = var.substring(4).toLowerCase(Locale.ROOT);
      if (KEYS.contains(key)) {
        raw.put(
            key,
            new Value(e.getValue(), null, "environment variable " + var + " (" + key + ")", cwd));
      }
    }
    return new Reader(tier, raw, base).read();
  }

  private static void readFile(Path file, Map<String, Value> raw) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("--config: " + file + " does not exist");
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "--config: "
              + file
              + " is not valid YAML: "
              + e.getMessage().lines().findFirst().orElse(""));
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return;
    }
    if (!root.isObject()) {
      throw new IllegalArgumentException(file + ": expected a mapping of keys to values");
    }
    Path base = file.toAbsolutePath().getParent();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if (!KEYS.contains(f.getKey())) {
        throw new IllegalArgumentException(
            file
                + ": "
                + f.getKey()
                + ": unknown key (known: "
                + String.join(", ", KEYS.stream().sorted().toList())
                + ")");
      }
      raw.put(
          f.getKey(),
          new Value(
              f.getValue().isValueNode() ? f.getValue().asText() : null,
              f.getValue(),
              file + ": " + f.getKey(),
              base));
    }
  }

  /** One raw value: text (scalars) or a node (lists), where it came from, what paths are under. */
  private record Value(String text, JsonNode node, String where, Path base) {}

  private static final class Reader {
    private final Tier tier;
    private final Map<String, Value> raw;
    private final Path base;

    Reader(Tier tier, Map<String, Value> raw, Path base) {
      this.tier = tier;
      this.raw = raw;
      this.base = base;
    }

    AgentFileConfig read() {
      boolean child = tier != Tier.CONTINUUM;
      boolean parentOfOthers = tier != Tier.NODE;
      String name = text("name");
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException(
            "name: required (the agent's name, as in its" + " certificate)");
      }
      if (!name.matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?")) {
        throw problem(
            "name",
            "\"" + name + "\" is not a DNS name (lower-case letters, digits," + " '-' and '.')");
      }
      String parentHost = null;
      int parentPort = -1;
      if (child) {
        String parent = text("parent");
        if (parent == null) {
          throw new IllegalArgumentException(
              "parent: required for a "
                  + tier.wireName()
                  + " agent (host:port of its "
                  + (tier == Tier.NODE ? "cluster" : "continuum")
                  + " agent)");
        }
        int colon = parent.lastIndexOf(':');
        if (colon <= 0) {
          throw problem("parent", "\"" + parent + "\" is not host:port");
        }
        parentHost = parent.substring(0, colon);
        if (parentHost.startsWith("[") && parentHost.endsWith("]")) {
          parentHost = parentHost.substring(1, parentHost.length() - 1);
        }
        parentPort = port("parent", parent.substring(colon + 1), false);
      } else {
        refuse("parent", "the continuum agent has no parent");
        refuse("parent_name", "the continuum agent has no parent");
      }
      if (!parentOfOthers) {
        refuse("children", "node agents have no children");
        refuse("listen_port", "node agents have no children");
      }
      if (tier != Tier.CONTINUUM) {
        refuse("northbound_port", "only the continuum agent serves the northbound API");
      }
      if (tier != Tier.NODE) {
        refuse("continuum_layer", "only nodes have a continuum layer");
      }
      String layer = text("continuum_layer");
      if (layer != null) {
        try {
          eu.mlsysops.model.ContinuumLayer.fromWire(layer);
        } catch (IllegalArgumentException e) {
          throw problem("continuum_layer", e.getMessage());
        }
      }
      Path dataDir = path("data_dir");
      if (dataDir == null) {
        dataDir = Path.of(System.getProperty("user.home"), ".mlsysops", "agents", name);
      }
      Path certDir = path("cert_dir");
      if (certDir == null) {
        certDir = dataDir.resolve("certs");
      }
      List<String> mechanisms = mechanisms(path("policy_directory"));
      Duration interval = duration("monitoring_interval", Duration.ofSeconds(1));
      String insecureText = text("insecure");
      boolean insecure = false;
      if (insecureText != null) {
        if (!insecureText.equals("true") && !insecureText.equals("false")) {
          throw problem("insecure", "\"" + insecureText + "\" is not true or false");
        }
        insecure = Boolean.parseBoolean(insecureText);
      }
      String bind = text("bind");
      String runtime = text("runtime");
      if (tier != Tier.NODE) {
        refuse("runtime", "only node agents run instances");
        refuse("otlp_grpc_port", "only node agents receive apps' telemetry");
        refuse("otlp_http_port", "only node agents receive apps' telemetry");
      }
      if (runtime == null) {
        runtime = "simulated";
      } else if (!List.of("simulated", "process", "kubernetes").contains(runtime)) {
        throw problem(
            "runtime", "\"" + runtime + "\" is not a runtime (simulated, process, kubernetes)");
      }
      return new AgentFileConfig(
          tier,
          name,
          path("descriptor"),
          layer,
          parentHost,
          parentPort,
          text("parent_name"),
          bind == null ? "127.0.0.1" : bind,
          parentOfOthers ? port("listen_port", text("listen_port"), true) : -1,
          certDir,
          dataDir,
          path("policy_directory"),
          mechanisms,
          interval,
          tier == Tier.CONTINUUM ? port("northbound_port", text("northbound_port"), true) : -1,
          insecure,
          children(),
          runtime,
          optionalPort("otlp_grpc_port"),
          optionalPort("otlp_http_port"),
          kubernetes(),
          trustThreshold(),
          descriptorHosts(),
          developerQuota(),
          clusterEndpoints(),
          otlpAuth(),
          appLimits(),
          staleAfterIntervals());
    }

    /** After how many reporting intervals a silent series stops (all tiers; default 2). */
    private int staleAfterIntervals() {
      String t = text("stale_after_intervals");
      if (t == null) {
        return eu.mlsysops.agent.tier.AgentEnvironment.DEFAULT_STALE_AFTER_INTERVALS;
      }
      try {
        int n = Integer.parseInt(t.trim());
        if (n >= 1 && n <= 100) {
          return n;
        }
      } catch (NumberFormatException e) {
        // said below
      }
      throw problem("stale_after_intervals", "\"" + t + "\" is not a whole number from 1 to 100");
    }

    /** What one app descriptor may ask for (continuum only). */
    private eu.mlsysops.model.AppLimits appLimits() {
      String t = text("app_limits");
      if (t == null) {
        return eu.mlsysops.model.AppLimits.DEFAULT;
      }
      if (tier != Tier.CONTINUUM) {
        refuse("app_limits", "only the continuum agent serves the northbound API");
      }
      try {
        return eu.mlsysops.model.AppLimits.parse(t);
      } catch (IllegalArgumentException e) {
        throw problem("app_limits", e.getMessage());
      }
    }

    /** Who may write to a node's OTLP receivers (node only; default auto). */
    private eu.mlsysops.telemetry.otlp.OtlpAuthMode otlpAuth() {
      String t = text("otlp_auth");
      if (t == null) {
        return eu.mlsysops.telemetry.otlp.OtlpAuthMode.AUTO;
      }
      if (tier != Tier.NODE) {
        refuse("otlp_auth", "only node agents receive apps' telemetry");
      }
      try {
        return eu.mlsysops.telemetry.otlp.OtlpAuthMode.parse(t);
      } catch (IllegalArgumentException e) {
        throw problem("otlp_auth", e.getMessage());
      }
    }

    /** {@code {cluster: host:port}} (continuum only; env: {@code cloud=h:7401,edge=h:7402}). */
    private Map<String, String> clusterEndpoints() {
      Value v = raw.get("cluster_endpoints");
      if (v == null) {
        return Map.of();
      }
      if (tier != Tier.CONTINUUM) {
        refuse("cluster_endpoints", "only the continuum agent lets nodes join");
      }
      Map<String, String> out = new java.util.TreeMap<>();
      if (v.node() != null && v.node().isObject()) {
        v.node().fields().forEachRemaining(f -> out.put(f.getKey(), f.getValue().asText().trim()));
      } else if (v.text() != null) {
        for (String pair : v.text().split(",")) {
          int eq = pair.indexOf('=');
          if (pair.isBlank()) {
            continue;
          }
          if (eq <= 0) {
            throw problem("cluster_endpoints", "\"" + pair.trim() + "\" is not cluster=host:port");
          }
          out.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
      } else {
        throw problem("cluster_endpoints", "expected a map of cluster id to host:port");
      }
      out.forEach((cluster, where) -> {
        if (!eu.mlsysops.northbound.api.JoinSettings.isHostPort(where)) {
          throw problem("cluster_endpoints", cluster + ": \"" + where + "\" is not host:port");
        }
      });
      return Map.copyOf(out);
    }

    /** Hosts developers may have descriptors fetched from (continuum only; default none). */
    private List<String> descriptorHosts() {
      Value v = raw.get("descriptor_hosts");
      if (v == null) {
        return List.of();
      }
      if (tier != Tier.CONTINUUM) {
        refuse("descriptor_hosts", "only the continuum agent serves the northbound API");
      }
      List<String> out = new ArrayList<>();
      if (v.node() != null && v.node().isArray()) {
        v.node().forEach(n -> out.add(n.asText().trim()));
      } else if (v.text() != null) {
        for (String h : v.text().split(",")) {
          if (!h.isBlank()) {
            out.add(h.trim());
          }
        }
      }
      return List.copyOf(out);
    }

    /** What each developer's apps may ask for together (continuum only). */
    private eu.mlsysops.northbound.api.DeveloperQuota developerQuota() {
      String t = text("developer_quota");
      if (t == null) {
        return eu.mlsysops.northbound.api.DeveloperQuota.defaults();
      }
      if (tier != Tier.CONTINUUM) {
        refuse("developer_quota", "only the continuum agent serves the northbound API");
      }
      try {
        return eu.mlsysops.northbound.api.DeveloperQuota.parse(t);
      } catch (IllegalArgumentException e) {
        throw problem("developer_quota", e.getMessage());
      }
    }

    private double trustThreshold() {
      String t = text("trust_threshold");
      if (t == null) {
        return 0.5;
      }
      if (tier != Tier.CLUSTER) {
        refuse("trust_threshold", "only cluster agents place instances on nodes");
      }
      try {
        double v = Double.parseDouble(t.trim());
        if (v >= 0 && v <= 1) {
          return v;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw problem("trust_threshold", "\"" + t + "\" is not a number from 0 to 1");
    }

    private boolean kubernetes() {
      String t = text("kubernetes");
      if (t == null) {
        return false;
      }
      if (tier != Tier.CONTINUUM) {
        refuse("kubernetes", "only the continuum agent mirrors apps into Kubernetes");
      }
      if (!t.equals("true") && !t.equals("false")) {
        throw problem("kubernetes", "\"" + t + "\" is not true or false");
      }
      return Boolean.parseBoolean(t);
    }

    /** A port that may be absent or -1 (off); 0 picks a free one. */
    private int optionalPort(String key) {
      String t = text(key);
      return t == null || t.trim().equals("-1") ? -1 : port(key, t, true);
    }

    private List<String> children() {
      Value v = raw.get("children");
      if (v == null) {
        return List.of();
      }
      List<String> out = new ArrayList<>();
      if (v.node() != null && v.node().isArray()) {
        v.node().forEach(n -> out.add(n.asText().trim()));
      } else if (v.text() != null) {
        for (String s : v.text().split(",")) {
          if (!s.isBlank()) {
            out.add(s.trim());
          }
        }
      } else {
        throw problem("children", "expected a list of agent names");
      }
      for (String c : out) {
        if (!c.matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?")) {
          throw problem("children", "\"" + c + "\" is not an agent name (a DNS name)");
        }
      }
      return List.copyOf(out);
    }

    /** Built-in names, or those provided on the class path or in the policy directory's jars. */
    private List<String> mechanisms(Path policyDirectory) {
      Value v = raw.get("mechanisms");
      List<String> out = new ArrayList<>();
      if (v == null) {
        return tier.knownMechanisms();
      }
      if (v.node() != null && v.node().isArray()) {
        v.node().forEach(n -> out.add(n.asText()));
      } else if (v.text() != null) {
        for (String s : v.text().split(",")) {
          if (!s.isBlank()) {
            out.add(s.trim());
          }
        }
      } else {
        throw problem("mechanisms", "expected a list of mechanism names");
      }
      // Built in, or provided by a plug-in (MechanismProvider) on the class path or in a jar of
      // the policy directory.
      List<String> known = new ArrayList<>(tier.knownMechanisms());
      known.addAll(
          eu.mlsysops.agent.engine.MechanismPlugins.load(
                  AgentFileConfig.class.getClassLoader(), policyDirectory)
              .namesFor(tier.wireName()));
      for (String m : out) {
        if (!known.contains(m)) {
          throw problem(
              "mechanisms",
              "\""
                  + m
                  + "\" is not a mechanism of "
                  + tier.wireName()
                  + " agents ("
                  + String.join(", ", known)
                  + ")");
        }
      }
      if (tier != Tier.NODE && !out.contains(tier.knownMechanisms().get(0))) {
        throw problem(
            "mechanisms",
            "a " + tier.wireName() + " agent cannot run without " + tier.knownMechanisms().get(0));
      }
      return List.copyOf(out);
    }

    private String text(String key) {
      Value v = raw.get(key);
      if (v == null) {
        return null;
      }
      if (v.text() == null) {
        throw problem(key, "expected a single value");
      }
      return v.text().trim();
    }

    private Path path(String key) {
      String t = text(key);
      if (t == null || t.isEmpty()) {
        return null;
      }
      if (t.startsWith("~/")) {
        return Path.of(System.getProperty("user.home")).resolve(t.substring(2));
      }
      return raw.get(key).base().resolve(t).normalize();
    }

    private int port(String key, String text, boolean useDefault) {
      if (text == null) {
        if (useDefault) {
          return key.equals("northbound_port") ? 8080 : tier.defaultListenPort;
        }
        throw problem(key, "required");
      }
      try {
        int p = Integer.parseInt(text.trim());
        if (p >= 0 && p <= 65_535 && (p > 0 || useDefault)) {
          return p;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw problem(key, "\"" + text + "\" is not a port (" + (useDefault ? 0 : 1) + "-65535)");
    }

    private Duration duration(String key, Duration fallback) {
      String t = text(key);
      if (t == null) {
        return fallback;
      }
      try {
        Duration d;
        String s = t.toLowerCase(Locale.ROOT);
        if (s.endsWith("ms")) {
          d = Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2).trim()));
        } else if (s.endsWith("s")) {
          d =
              Duration.ofMillis(
                  Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 1000));
        } else {
          // A bare number is seconds, as in the reference's configuration files.
          d = Duration.ofMillis(Math.round(Double.parseDouble(s) * 1000));
        }
        if (d.toMillis() >= 50 && d.toMinutes() <= 10) {
          return d;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw problem(
          key,
          "\"" + t + "\" is not a duration between 50ms and 10 minutes (e.g. 1s," + " 500ms, 2)");
    }

    private void refuse(String key, String why) {
      if (raw.containsKey(key)) {
        throw problem(key, "not used by a " + tier.wireName() + " agent: " + why);
      }
    }

    private IllegalArgumentException problem(String key, String message) {
      Value v = raw.get(key);
      return new IllegalArgumentException((v == null ? key : v.where()) + ": " + message);
    }
  }
}
