package eu.mlsysops.cli.agents;

import eu.mlsysops.agent.control.ControlApplier;
import eu.mlsysops.agent.control.ControlSource;
import eu.mlsysops.agent.control.RecordIntake;
import eu.mlsysops.agent.control.RecordUplink;
import eu.mlsysops.agent.engine.PolicyDirectory;
import eu.mlsysops.agent.engine.PolicyEngine;
import eu.mlsysops.agent.plan.SqlitePlanLog;
import eu.mlsysops.agent.tier.AgentEnvironment;
import eu.mlsysops.agent.tier.ChildAdmission;
import eu.mlsysops.agent.tier.ClusterAgent;
import eu.mlsysops.agent.tier.ClusterSettings;
import eu.mlsysops.agent.tier.ClusterTrust;
import eu.mlsysops.agent.tier.EmbeddedContinuum;
import eu.mlsysops.agent.tier.ModelReplica;
import eu.mlsysops.agent.tier.ModelSource;
import eu.mlsysops.mlconnector.ServedModels;
import eu.mlsysops.agent.tier.EventSink;
import eu.mlsysops.agent.tier.NodeAgent;
import eu.mlsysops.kubernetes.AppMirror;
import eu.mlsysops.kubernetes.ContinuumKubernetesSync;
import eu.mlsysops.kubernetes.KarmadaPropagation;
import eu.mlsysops.kubernetes.KubernetesWorkloads;
import eu.mlsysops.kubernetes.MlsysopsCrds;
import eu.mlsysops.model.ClusterDescriptor;
import eu.mlsysops.model.ContinuumDescriptor;
import eu.mlsysops.model.Descriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.model.ParseResult;
import eu.mlsysops.northbound.api.NorthboundEvents;
import eu.mlsysops.northbound.api.NorthboundServer;
import eu.mlsysops.orchestration.CpuFrequencyControl;
import eu.mlsysops.orchestration.Placer;
import eu.mlsysops.orchestration.Simulation;
import eu.mlsysops.orchestration.SysfsCpuFrequencyControl;
import eu.mlsysops.orchestration.process.CgroupCapability;
import eu.mlsysops.orchestration.process.ProcessRuntime;
import eu.mlsysops.orchestration.process.TelemetryEndpoint;
import eu.mlsysops.telemetry.MetricMetadata;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.SampleSink;
import eu.mlsysops.telemetry.host.HostCollector;
import eu.mlsysops.telemetry.otlp.OtlpGrpcReceiver;
import eu.mlsysops.telemetry.otlp.OtlpHttpReceiver;
import eu.mlsysops.telemetry.otlp.OtlpMetricsTranslator;
import eu.mlsysops.telemetry.prometheus.PrometheusExposition;
import eu.mlsysops.protocol.Message;
import eu.mlsysops.security.TrustEngine;
import eu.mlsysops.protocol.grpc.GrpcLink;
import eu.mlsysops.protocol.grpc.GrpcLinkServer;
import eu.mlsysops.protocol.tls.AgentCredentials;
import eu.mlsysops.protocol.tls.CertificateAuthority;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One agent running as its own process: the tier's agent, a gRPC link to its parent (cluster,
 * node), a gRPC server for its children (continuum, cluster) and, for the continuum, the northbound
 * API. Mutual TLS unless the configuration says {@code insecure}. Start order matters: the agent
 * runs before its child port opens, so no child's registration arrives at a stopped agent.
 */
public final class AgentProcess implements AutoCloseable {
  private final AgentFileConfig config;
  private final PrintWriter out;
  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private GrpcLinkServer childServer;
  private NorthboundServer northbound;
  private GrpcLink uplink;
  /** A cluster or node agent's copies of the continuum's serving model versions. */
  private ServedModels served;

  private AgentProcess(AgentFileConfig config, PrintWriter out) {
    this.config = config;
    this.out = out;
  }

  /**
   * Starts the agent {@code config} describes.
   *
   * @throws IllegalArgumentException for a problem with the configuration, naming the key
   * @throws IOException when a port cannot be opened or a file not read
   */
  public static AgentProcess start(AgentFileConfig config, PrintWriter out) throws IOException {
    AgentProcess p = new AgentProcess(config, out);
    try {
      switch (config.tier()) {
        case NODE -> p.startNode();
        case CLUSTER -> p.startCluster();
        case CONTINUUM -> p.startContinuum();
      }
      return p;
    } catch (IOException | RuntimeException e) {
      p.close();
      throw e;
    }
  }

  /** The port children connect to, when this agent has children. */
  public int childPort() {
    return childServer == null ? -1 : childServer.port();
  }

  /** The northbound API port of a continuum agent, or -1. */
  public int northboundPort() {
    return northbound == null ? -1 : northbound.port();
  }

  private <T extends AutoCloseable> T closeLater(T resource) {
    resources.push(resource);
    return resource;
  }

  private AgentCredentials credentials() {
    if (config.insecure()) {
      return null;
    }
    Path dir = config.certDir();
    for (String f : List.of("ca.pem", config.name() + ".pem", config.name() + "-key.pem")) {
      if (!Files.isRegularFile(dir.resolve(f))) {
        throw new IllegalArgumentException(
            "cert_dir: "
                + dir
                + " has no "
                + f
                + "; create the"
                + " certificates with: mls certs init --dir "
                + dir
                + " --agents "
                + config.name()
                + " (or run with --insecure, plaintext)");
      }
    }
    try {
      return AgentCredentials.load(dir, config.name());
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "cert_dir: cannot load the credentials of "
              + config.name()
              + " from "
              + dir
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private AgentEnvironment environment(EventSink events) throws IOException {
    EmbeddedContinuum.createPrivateDirectory(config.dataDir());
    if (config.tier() != AgentFileConfig.Tier.CONTINUUM) {
      // One agent per data directory (the continuum's is locked by the continuum itself).
      resources.push(
          eu.mlsysops.agent.tier.DataDirLock.acquire(config.dataDir(), "lock", "an agent"));
    }
    ScheduledExecutorService timers =
        Executors.newScheduledThreadPool(2, daemon("mls-" + config.tier().wireName() + "-timer"));
    ExecutorService workers =
        Executors.newFixedThreadPool(
            Math.max(2, java.lang.Runtime.getRuntime().availableProcessors()),
            daemon("mls-" + config.tier().wireName() + "-worker"));
    resources.push(workers::shutdownNow);
    resources.push(timers::shutdownNow);
    SqlitePlanLog planLog = SqlitePlanLog.open(config.dataDir().resolve("plans.db"));
    // The plan log closes after the agent (resources close in reverse order of this push).
    resources.push(planLog);
    if (config.tier() == AgentFileConfig.Tier.CONTINUUM) {
      return new AgentEnvironment(
          Clock.systemUTC(), timers, workers, events, planLog, config.dataDir(),
          eu.mlsysops.agent.MlConnector.none(), config.staleAfterIntervals());
    }
    // The continuum's serving model versions, kept here as they arrive (view.ml()).
    served = closeLater(new ServedModels(config.dataDir().resolve("ml-served")));
    // Plans and events of this agent also go up, so the continuum shows them (mls plans, SSE).
    GrpcLink up = connectUp();
    RecordUplink records =
        new RecordUplink(config.name(), System.currentTimeMillis(), RecordUplink.DEFAULT_CAPACITY,
            up::send, up::isConnected)
            .start(timers, RECORDS_INTERVAL_MILLIS);
    resources.push(records);
    return new AgentEnvironment(
        Clock.systemUTC(), timers, workers, records.teeing(events), records.teeing(planLog),
        config.dataDir(), eu.mlsysops.agent.MlConnector.of(served), config.staleAfterIntervals());
  }

  /**
   * Registers the plug-in mechanisms this agent's {@code mechanisms} names (found with
   * ServiceLoader: {@code MechanismProvider}), closing them with the agent.
   */
  private void plugInMechanisms(
      eu.mlsysops.agent.plan.PlanScheduler scheduler,
      AgentEnvironment env,
      java.util.function.Function<String, java.util.Optional<eu.mlsysops.model.AppDescriptor>>
          apps) {
    plugInMechanisms(scheduler, env.clock(), apps);
  }

  private void plugInMechanisms(
      eu.mlsysops.agent.plan.PlanScheduler scheduler,
      java.time.Clock clock,
      java.util.function.Function<String, java.util.Optional<eu.mlsysops.model.AppDescriptor>>
          apps) {
    var context =
        new eu.mlsysops.agent.MechanismProvider.Context(
            config.name(), config.tier().wireName(), config.dataDir(), clock, apps);
    for (eu.mlsysops.agent.Mechanism m :
        eu.mlsysops.agent.engine.MechanismPlugins.load(
                AgentProcess.class.getClassLoader(), config.policyDirectory())
            .create(config.mechanisms(), config.tier().knownMechanisms(), context)) {
      if (m instanceof AutoCloseable c) {
        resources.push(c);
      }
      scheduler.register(m);
      say("mechanism %s (plug-in %s)", m.name(), m.getClass().getName());
    }
  }

  /** How often a remote agent sends its plan transitions and events up. */
  static final long RECORDS_INTERVAL_MILLIS = 500;

  /**
   * Lets the continuum's control sets (mode, configuration, policy files) act on this agent: kept
   * in {@code <data_dir>/control}, applied again at the next start before the parent answers.
   */
  private void remoteControl(
      eu.mlsysops.agent.engine.PolicyEngine engine,
      Message.Tier tier,
      java.util.function.Consumer<List<eu.mlsysops.telemetry.pipeline.AggregationRule>> rules,
      java.util.function.Consumer<java.util.function.Consumer<Message.Control>> onControl,
      java.util.function.Predicate<Message> sendUp) {
    ControlApplier applier =
        closeLater(
            new ControlApplier(
                config.name(), tier, config.dataDir().resolve("control"), engine, rules,
                sendUp::test));
    applier.restore();
    onControl.accept(applier::accept);
  }

  /** How often a remote agent tells the continuum how its policies and mechanisms are doing. */
  static final long STATUS_INTERVAL_SECONDS = 5;

  private void reportStatus(
      eu.mlsysops.agent.engine.PolicyEngine engine,
      eu.mlsysops.agent.plan.PlanScheduler scheduler,
      Message.Tier tier,
      java.util.function.Predicate<Message> sendUp,
      ScheduledExecutorService timers) {
    var task =
        timers.scheduleWithFixedDelay(
            () -> {
              try {
                sendUp.test(
                    eu.mlsysops.agent.control.AgentStatusReport.of(
                        config.name(), tier, engine, scheduler));
              } catch (RuntimeException e) {
                System.getLogger(AgentProcess.class.getName())
                    .log(System.Logger.Level.WARNING, "status report failed: " + e);
              }
            },
            1,
            STATUS_INTERVAL_SECONDS,
            java.util.concurrent.TimeUnit.SECONDS);
    resources.push(() -> task.cancel(false));
  }

  private EventSink printer() {
    long start = System.currentTimeMillis();
    return e -> {
      synchronized (out) {
        out.printf(
            "%8s  %-16s %-8s %s%n",
            String.format("+%.1fs", (e.timeMillis() - start) / 1000.0),
            e.agent(),
            e.kind(),
            e.message());
        out.flush();
      }
    };
  }

  private GrpcLink connectUp() {
    if (uplink != null) {
      return uplink;
    }
    GrpcLink.Builder b = GrpcLink.builder(config.parentHost(), config.parentPort());
    AgentCredentials creds = credentials();
    if (creds == null) {
      b.insecure();
    } else {
      b.tls(creds);
    }
    if (config.parentName() != null) {
      b.expectedParent(config.parentName());
    }
    uplink = closeLater(b.connect());
    return uplink;
  }

  private GrpcLinkServer serveChildren(
      Message.Tier childTier, java.util.function.Consumer<eu.mlsysops.protocol.Link> attach)
      throws IOException {
    GrpcLinkServer.Builder b =
        GrpcLinkServer.builder()
            .bindAddress(config.bind())
            .port(config.listenPort())
            .onChild(
                new ChildAdmission(childTier, java.util.Set.copyOf(config.children()),
                        childTier == Message.Tier.NODE ? config.name() : null)
                    .admitting(attach));
    AgentCredentials creds = credentials();
    if (creds == null) {
      b.insecure();
    } else {
      b.tls(creds);
    }
    try {
      childServer = closeLater(b.start());
    } catch (IOException e) {
      throw new IOException(
          "listen_port: cannot listen on "
              + config.bind()
              + ":"
              + config.listenPort()
              + " ("
              + e.getMessage()
              + "); is the port taken?",
          e);
    }
    return childServer;
  }

  private void watchPolicies(PolicyEngine engine, ScheduledExecutorService timers)
      throws IOException {
    if (config.policyDirectory() != null) {
      Files.createDirectories(config.policyDirectory());
      PolicyDirectory pd = closeLater(new PolicyDirectory(config.policyDirectory(), engine));
      pd.start(timers, 1000);
    }
  }

  private String security() {
    return config.insecure() ? "PLAINTEXT (--insecure)" : "mTLS as " + config.name();
  }

  // ---- node ----

  private void startNode() throws IOException {
    NodeDescriptor d = nodeDescriptor();
    AgentEnvironment env = environment(printer());
    if (config.runtime().equals("process")) {
      startProcessNode(d, env);
      return;
    }
    if (config.runtime().equals("kubernetes")) {
      startKubernetesNode(d, env);
      return;
    }
    AtomicReference<NodeAgent> agent = new AtomicReference<>();
    Simulation sim =
        Simulation.builder()
            .telemetry(
                (node, sample) -> {
                  NodeAgent a = agent.get();
                  if (a != null) {
                    a.ingest(sample);
                  }
                })
            .build();
    sim.addNode(d);
    CpuFrequencyControl knob =
        config.mechanisms().contains("cpu_frequency")
            ? sim.frequencyControl(d.name())
            : noKnob();
    GrpcLink up = connectUp();
    NodeAgent na =
        new NodeAgent(d, sim.runtime(d.name()), knob, up, env, config.monitoringInterval());
    agent.set(na);
    resources.push(na);
    // Before start: the cluster answers the registration with the current control set.
    na.useModels(new ModelReplica(config.name(), served, na::sendUp));
    remoteControl(na.engine(), Message.Tier.NODE, na::setUplinkRules, na::onControl, na::sendUp);
    plugInMechanisms(na.scheduler(), env, na::appDescriptor);
    reportStatus(na.engine(), na.scheduler(), Message.Tier.NODE, na::sendUp, env.timers());
    na.start();
    var tick = sim.start(env.timers(), Simulation.DEFAULT_TICK);
    resources.push(() -> tick.cancel(false));
    startOtlp(na);
    watchPolicies(na.engine(), env.timers());
    say(
        "node agent %s (%s, simulated host): parent cluster agent at %s:%d, %s; data in %s",
        d.name(),
        d.continuumLayer().wireName(),
        config.parentHost(),
        config.parentPort(),
        security(),
        config.dataDir());
  }

  /**
   * A node agent on this host: instances are real local processes, the host's figures come from
   * /proc and /sys, and the apps report to this agent's own OTLP receivers.
   */
  private void startProcessNode(NodeDescriptor d, AgentEnvironment env) throws IOException {
    AtomicReference<NodeAgent> agent = new AtomicReference<>();
    AtomicReference<TelemetryEndpoint> endpoint = new AtomicReference<>();
    SampleSink toAgent =
        new SampleSink() {
          @Override
          public boolean accept(Sample sample) {
            NodeAgent a = agent.get();
            return a != null && a.ingest(sample);
          }

          @Override
          public void describe(String metric, MetricMetadata metadata) {
            NodeAgent a = agent.get();
            if (a != null) {
              a.sink().describe(metric, metadata);
            }
          }
        };
    CgroupCapability cgroups = CgroupCapability.detect();
    eu.mlsysops.orchestration.process.WorkloadUser.Detection workloads =
        eu.mlsysops.orchestration.process.WorkloadUser.detect(
            eu.mlsysops.orchestration.process.WorkloadUser.DEFAULT);
    say("workloads: %s", workloads.dropsPrivileges() ? workloads.detail()
        : "NOT isolated: " + workloads.detail());
    ProcessRuntime runtime =
        ProcessRuntime.builder(d.name())
            .runAs(workloads.user().orElse(null))
            .logDirectory(config.dataDir().resolve("logs"))
            .cgroups(cgroups)
            .executor(env.timers())
            .telemetry(endpoint::get)
            .metrics(toAgent)
            .build();
    resources.push(runtime::close);
    HostCollector host = HostCollector.builder().node(d.name()).sink(toAgent).build();
    host.start(env.timers(), config.monitoringInterval());
    resources.push(host);
    CpuFrequencyControl knob =
        config.mechanisms().contains("cpu_frequency")
            ? new SysfsCpuFrequencyControl()
            : noKnob();
    GrpcLink up = connectUp();
    NodeAgent na = new NodeAgent(d, runtime, knob, up, env, config.monitoringInterval());
    agent.set(na);
    resources.push(na);
    endpoint.set(startOtlp(na).endpoint(config.bind()));
    na.useModels(new ModelReplica(config.name(), served, na::sendUp));
    remoteControl(na.engine(), Message.Tier.NODE, na::setUplinkRules, na::onControl, na::sendUp);
    plugInMechanisms(na.scheduler(), env, na::appDescriptor);
    reportStatus(na.engine(), na.scheduler(), Message.Tier.NODE, na::sendUp, env.timers());
    na.start();
    watchPolicies(na.engine(), env.timers());
    say(
        "node agent %s (%s, local processes, logs in %s; resource limits %s): parent cluster agent"
            + " at %s:%d, %s; data in %s",
        d.name(),
        d.continuumLayer().wireName(),
        config.dataDir().resolve("logs"),
        cgroups.enforced() ? "by cgroup v2" : "NOT enforced (" + cgroups.detail() + ")",
        config.parentHost(),
        config.parentPort(),
        security(),
        config.dataDir());
  }

  /**
   * The continuum in a Kubernetes cluster: the mlsysops.eu/v1 CRDs installed where missing, every
   * app mirrored as an MLSysOpsApp resource with its status, a Karmada PropagationPolicy per app
   * for the clusters it went to; repeated every 5 s.
   */
  private void syncToKubernetes(EmbeddedContinuum continuum) {
    KubernetesClient client = kubernetesClient();
    List<String> installed = MlsysopsCrds.installMissing(client);
    String ns = client.getNamespace() == null ? "default" : client.getNamespace();
    resources.push(
        new ContinuumKubernetesSync(
                new AppMirror(client, ns), new KarmadaPropagation(client, ns), Clock.systemUTC())
            .every(Duration.ofSeconds(5), continuum.continuum()));
    say(
        "kubernetes: CRDs %s; apps mirrored as MLSysOpsApp in namespace %s of %s",
        installed.isEmpty() ? "present" : "installed " + installed,
        ns,
        client.getMasterUrl());
  }

  /** A client for the API server this process can reach, checked once; fails with the reason. */
  private KubernetesClient kubernetesClient() {
    KubernetesClient client = new KubernetesClientBuilder().build();
    try {
      client.getKubernetesVersion(); // fail now, with the reason, rather than in an informer
    } catch (RuntimeException e) {
      client.close();
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      throw new IllegalArgumentException("kubernetes: cannot reach the API server at "
          + client.getMasterUrl() + " (" + root.getMessage() + "); in a pod the service account"
          + " is used, elsewhere KUBECONFIG or KUBERNETES_MASTER");
    }
    resources.push(client);
    return client;
  }

  /**
   * A node agent in a Kubernetes cluster (the DaemonSet of deploy/kubernetes): its instances are
   * pods pinned to this node, created through the API server the pod's service account reaches
   * (or KUBECONFIG / KUBERNETES_MASTER elsewhere); the host's figures come from /proc.
   */
  private void startKubernetesNode(NodeDescriptor d, AgentEnvironment env) throws IOException {
    KubernetesClient client = kubernetesClient();
    AtomicReference<TelemetryEndpoint> endpoint = new AtomicReference<>();
    KubernetesWorkloads workloads =
        KubernetesWorkloads.builder(client)
            .onlyNode(d.name())
            .telemetry(endpoint::get)
            .build()
            .start();
    resources.push(workloads::close);
    GrpcLink up = connectUp();
    NodeAgent na =
        new NodeAgent(
            d, workloads.runtime(d.name()), noKnob(), up, env, config.monitoringInterval());
    resources.push(na);
    HostCollector host = HostCollector.builder().node(d.name()).sink(na.sink()).build();
    host.start(env.timers(), config.monitoringInterval());
    resources.push(host);
    endpoint.set(startOtlp(na).endpoint(config.bind()));
    na.useModels(new ModelReplica(config.name(), served, na::sendUp));
    remoteControl(na.engine(), Message.Tier.NODE, na::setUplinkRules, na::onControl, na::sendUp);
    plugInMechanisms(na.scheduler(), env, na::appDescriptor);
    reportStatus(na.engine(), na.scheduler(), Message.Tier.NODE, na::sendUp, env.timers());
    na.start();
    watchPolicies(na.engine(), env.timers());
    say(
        "node agent %s (%s, Kubernetes pods in namespace %s via %s): parent cluster agent at"
            + " %s:%d, %s; data in %s",
        d.name(),
        d.continuumLayer().wireName(),
        workloads.namespace(),
        client.getMasterUrl(),
        config.parentHost(),
        config.parentPort(),
        security(),
        config.dataDir());
  }

  private record OtlpReceivers(OtlpGrpcReceiver grpc, OtlpHttpReceiver http,
      eu.mlsysops.telemetry.otlp.OtlpCredentials credentials) {
    /** Where the node's apps reach these receivers, or null when both are off. */
    TelemetryEndpoint endpoint(String bind) {
      if (grpc == null && http == null) {
        return null;
      }
      return TelemetryEndpoint.boundTo(
          bind, grpc == null ? -1 : grpc.port(), http == null ? -1 : http.port())
          .withCredentials(credentials);
    }
  }

  /** The node's own OTLP receivers, when the configuration asks for them. */
  private OtlpReceivers startOtlp(NodeAgent na) {
    if (config.otlpGrpcPort() < 0 && config.otlpHttpPort() < 0) {
      return new OtlpReceivers(null, null, null);
    }
    boolean localWorkloads = config.runtime().equals("process");
    eu.mlsysops.telemetry.otlp.OtlpCredentials credentials =
        config.otlpAuth().credentials(config.bind(), localWorkloads);
    if (!credentials.required() && (localWorkloads
        || !eu.mlsysops.telemetry.otlp.OtlpAuthMode.loopback(config.bind()))) {
      say("WARNING: otlp_auth none on %s%s: anyone who reaches the OTLP ports writes any app's"
          + " telemetry", config.bind(), localWorkloads ? " with local process workloads" : "");
    }
    OtlpMetricsTranslator translator =
        OtlpMetricsTranslator.builder(na.sink()).nodeName(na.name()).build();
    OtlpGrpcReceiver grpc = null;
    OtlpHttpReceiver http = null;
    if (config.otlpGrpcPort() >= 0) {
      grpc =
          OtlpGrpcReceiver.builder(translator)
              .credentials(credentials)
              .bindAddress(config.bind())
              .port(config.otlpGrpcPort())
              .build()
              .start();
      resources.push(grpc);
      say("OTLP/gRPC receiver on %s:%d", config.bind(), grpc.port());
    }
    if (config.otlpHttpPort() >= 0) {
      http =
          OtlpHttpReceiver.builder(translator)
              .credentials(credentials)
              .bindAddress(config.bind())
              .port(config.otlpHttpPort())
              .metricsEndpoint(() -> PrometheusExposition.of(na.telemetry()).render())
              .build()
              .start();
      resources.push(http);
      say("OTLP/HTTP receiver on http://%s:%d/v1/metrics (and /metrics)", config.bind(),
          http.port());
    }
    return new OtlpReceivers(grpc, http, credentials);
  }

  private NodeDescriptor nodeDescriptor() throws IOException {
    if (config.descriptor() != null) {
      NodeDescriptor d = descriptor(NodeDescriptor.class);
      if (config.continuumLayer() != null
          && !config.continuumLayer().equals(d.continuumLayer().wireName())) {
        throw new IllegalArgumentException(
            "continuum_layer: \""
                + config.continuumLayer()
                + "\" but the descriptor "
                + config.descriptor()
                + " says \""
                + d.continuumLayer().wireName()
                + "\"");
      }
      return d;
    }
    // No descriptor: a plain node of the configured layer, in the cluster it connects to.
    String layer = config.continuumLayer() == null ? "edge" : config.continuumLayer();
    String yaml =
        "MLSysOpsNode:\n  name: "
            + config.name()
            + "\n"
            + (config.parentName() == null ? "" : "  cluster_id: " + config.parentName() + "\n")
            + "  continuum_layer: "
            + layer
            + "\n"
            + "  environment: {node_type: native, os: ubuntu, container_runtime: [containerd]}\n"
            + "  hardware:\n    cpu: {architecture: amd64, cores: 4, frequency: [1.0, 2.0, 3.0]}\n"
            + "    memory: 8\n";
    return parseOne(yaml, "generated descriptor of " + config.name(), NodeDescriptor.class);
  }

  // ---- cluster ----

  private void startCluster() throws IOException {
    if (config.descriptor() == null) {
      // The MLSysOpsCluster schema requires its node list, and the continuum validates it.
      throw new IllegalArgumentException(
          "descriptor: required for a cluster agent (an"
              + " MLSysOpsCluster file with cluster_id: "
              + config.name()
              + " and its nodes)");
    }
    ClusterDescriptor d = descriptor(ClusterDescriptor.class);
    AgentEnvironment env = environment(printer());
    GrpcLink up = connectUp();
    ClusterSettings defaults = ClusterSettings.defaults();
    TrustEngine trust =
        TrustEngine.builder().clock(env.clock()).heartbeatInterval(config.monitoringInterval())
            .build();
    ClusterAgent ca =
        new ClusterAgent(
            d,
            up,
            env,
            new ClusterSettings(
                config.monitoringInterval(),
                defaults.missedHeartbeats(),
                defaults.lostGrace(),
                defaults.startTimeout()),
            Placer.builder().trust(trust, config.trustThreshold()).build());
    resources.push(ca);
    ClusterTrust clusterTrust =
        new ClusterTrust(ca, trust, config.trustThreshold(), env, Duration.ofSeconds(1));
    resources.push(clusterTrust);
    plugInMechanisms(ca.scheduler(), env, ca::appDescriptor);
    // Before start: the continuum answers the registration with the current control set.
    ca.useModels(new ModelReplica(config.name(), served, ca::sendUp));
    remoteControl(
        ca.engine(), Message.Tier.CLUSTER, ca::setUplinkRules, ca::onControl, ca::sendUp);
    reportStatus(ca.engine(), ca.scheduler(), Message.Tier.CLUSTER, ca::sendUp, env.timers());
    ca.start();
    watchPolicies(ca.engine(), env.timers());
    GrpcLinkServer server = serveChildren(Message.Tier.NODE, ca::attach);
    say(
        "cluster agent %s: node agents connect to %s:%d (%s); parent continuum agent at %s:%d;"
            + " nodes trusted below %.2f get no new instances; data in %s",
        d.clusterId(),
        config.bind(),
        server.port(),
        security(),
        config.parentHost(),
        config.parentPort(),
        config.trustThreshold(),
        config.dataDir());
  }

  // ---- continuum ----

  /**
   * Nodes may join when this continuum holds its CA's key ({@code mls up --processes} keeps it in
   * {@code <data-dir>/certs}); otherwise the join routes say that they cannot serve.
   */
  private eu.mlsysops.northbound.api.JoinSettings joinSettings() throws IOException {
    Path dir = config.certDir();
    if (config.insecure() || dir == null
        || !Files.exists(dir.resolve(CertificateAuthority.CA_KEY))) {
      return null;
    }
    return new eu.mlsysops.northbound.api.JoinSettings(
        CertificateAuthority.load(dir), config.clusterEndpoints());
  }

  private void startContinuum() throws IOException {
    ContinuumDescriptor d =
        config.descriptor() != null
            ? descriptor(ContinuumDescriptor.class)
            : new ContinuumDescriptor(config.name(), config.name(), List.of());
    AgentCredentials creds = credentials(); // fail on missing certificates before anything starts
    NorthboundEvents events = NorthboundEvents.forwardingTo(printer());
    EmbeddedContinuum continuum =
        closeLater(
            EmbeddedContinuum.builder(config.dataDir())
                .topology(List.of(d))
                .remoteClusters(true)
                .events(events)
                .build());
    plugInMechanisms(
        continuum.continuum().scheduler(), continuum.clock(), continuum.continuum()::descriptor);
    continuum.start();
    if (config.kubernetes()) {
      syncToKubernetes(continuum);
    }
    ScheduledExecutorService watcher =
        Executors.newSingleThreadScheduledExecutor(daemon("mls-policy-watch"));
    resources.push(watcher::shutdownNow);
    // The embedded continuum already watches <data_dir>/policies/continuum; a second watcher on
    // the same directory would load each policy twice.
    if (config.policyDirectory() != null
        && !config
            .policyDirectory()
            .toAbsolutePath()
            .normalize()
            .equals(continuum.policyRoot().resolve("continuum").toAbsolutePath().normalize())) {
      watchPolicies(continuum.continuum().engine(), watcher);
    }
    try {
      northbound =
          closeLater(
              NorthboundServer.builder(continuum)
                  .dataDir(config.dataDir())
                  .bind(config.bind())
                  .port(config.northboundPort())
                  .auth(true)
                  .events(events)
                  .descriptorHosts(config.descriptorHosts())
                  .developerQuota(config.developerQuota())
                  .appLimits(config.appLimits())
                  .joining(joinSettings())
                  .build()
                  .start());
    } catch (NorthboundServer.PortUnavailableException e) {
      throw new IOException(
          "northbound_port: " + e.getMessage() + "; is port " + config.northboundPort() + " taken?",
          e);
    }
    distributeControl(continuum, d.continuumId(), events, watcher);
    GrpcLinkServer server = serveChildren(Message.Tier.CLUSTER, continuum.continuum()::attach);
    String host = config.bind().contains(":") ? "[" + config.bind() + "]" : config.bind();
    say(
        "continuum agent %s: cluster agents connect to %s:%d (%s); northbound API"
            + " http://%s:%d/ (admin token in %s); data in %s",
        d.continuumId(),
        config.bind(),
        server.port(),
        creds == null ? "PLAINTEXT (--insecure)" : "mTLS as " + config.name(),
        host,
        northbound.port(),
        northbound.adminTokenFile(),
        config.dataDir());
  }

  /**
   * Control down and visibility up for agents in other processes: the mode, the cluster and node
   * tiers' configurations and policy files go to every remote agent as one control set (sent on
   * every change, checked every second for files dropped in by hand); remote plans and events
   * come into this process's plan log and event stream.
   */
  private void distributeControl(
      EmbeddedContinuum continuum, String self, EventSink events,
      ScheduledExecutorService timers) {
    RecordIntake intake = new RecordIntake(self, continuum.planLog(), events, continuum.clock());
    ControlSource source =
        new ControlSource(
            self,
            () -> continuum.mode().name(),
            tier -> continuum.configuration(tierName(tier)),
            tier -> continuum.policyRoot().resolve(tierName(tier)),
            continuum.continuum()::sendControl,
            continuum.policyLock())
            .clock(continuum.clock());
    continuum.continuum().onRecords(m -> {
      String about = m instanceof Message.Records r ? r.origin()
          : m instanceof Message.AgentStatus a ? a.agent()
          : ((Message.ControlReport) m).agent();
      if (!speaksFor(continuum, m.from(), about)) {
        System.getLogger(AgentProcess.class.getName()).log(System.Logger.Level.WARNING,
            "cluster " + m.from() + " sent records or a report of " + about
                + ", which is neither itself nor one of its nodes: dropped");
        return;
      }
      if (m instanceof Message.Records r) {
        intake.accept(r);
      } else if (m instanceof Message.AgentStatus a) {
        source.status(a);
      } else if (m instanceof Message.ControlReport r) {
        source.report(r);
        r.errors().forEach((file, why) -> events.publish(new eu.mlsysops.agent.tier.AgentEvent(
            continuum.clock().millis(), r.agent(), "policy", file + " did not load on "
                + r.agent() + ": " + why)));
      }
    });
    continuum.remoteAgents(source);
    continuum.onControlChange(source::refresh);
    source.refresh();
    // The serving model versions go down the same way (view.ml() in every remote agent).
    ModelSource models = new ModelSource(self, continuum.ml(), continuum.continuum());
    models.refresh();
    timers.scheduleWithFixedDelay(() -> {
      try {
        source.refresh();
        models.refresh();
      } catch (RuntimeException e) {
        System.getLogger(AgentProcess.class.getName()).log(System.Logger.Level.WARNING,
            "building the control or model set failed: " + e);
      }
    }, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
  }

  /** Whether a cluster may speak for an agent: itself, or one of the nodes in its inventory. */
  private static boolean speaksFor(EmbeddedContinuum continuum, String cluster, String agent) {
    return cluster.equals(agent) || continuum.continuum().clusterHasNode(cluster, agent);
  }

  private static String tierName(Message.Tier tier) {
    return tier.name().toLowerCase(java.util.Locale.ROOT);
  }

  // ---- descriptors ----

  private <T extends Descriptor> T descriptor(Class<T> type) throws IOException {
    Path f = config.descriptor();
    if (!Files.isRegularFile(f)) {
      throw new IllegalArgumentException("descriptor: " + f + " does not exist");
    }
    return parseOne(Files.readString(f), f.toString(), type);
  }

  private <T extends Descriptor> T parseOne(String text, String source, Class<T> type) {
    ParseResult r = Descriptors.parse(text, source, ParseOptions.DEFAULT);
    if (r.hasErrors()) {
      throw new IllegalArgumentException("descriptor: " + r.errors().get(0));
    }
    List<T> found = r.descriptors().stream().filter(type::isInstance).map(type::cast).toList();
    if (found.size() != 1) {
      throw new IllegalArgumentException(
          "descriptor: "
              + source
              + " must hold exactly one "
              + type.getSimpleName().replace("Descriptor", "")
              + " descriptor, found "
              + found.size());
    }
    T d = found.get(0);
    String id =
        d instanceof NodeDescriptor n
            ? n.name()
            : d instanceof ClusterDescriptor c
                ? c.clusterId()
                : ((ContinuumDescriptor) d).continuumId();
    if (!config.name().equals(id)) {
      // The name is the certificate's; a descriptor under another name could not register.
      throw new IllegalArgumentException(
          "descriptor: "
              + source
              + " describes \""
              + id
              + "\" but name is \""
              + config.name()
              + "\"");
    }
    return d;
  }

  private void say(String format, Object... args) {
    synchronized (out) {
      out.printf(format + "%n", args);
      out.flush();
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public void close() {
    while (!resources.isEmpty()) {
      try {
        resources.pop().close();
      } catch (Exception e) {
        System.getLogger(AgentProcess.class.getName())
            .log(System.Logger.Level.WARNING, "while stopping: " + e.getMessage());
      }
    }
  }

  /** A node whose {@code mechanisms} leave out {@code cpu_frequency}: no frequencies to set. */
  private static CpuFrequencyControl noKnob() {
    return CpuFrequencyControl.unavailable("cpu_frequency is not in this agent's mechanisms");
  }
}
