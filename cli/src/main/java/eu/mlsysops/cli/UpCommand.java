package eu.mlsysops.cli;

import eu.mlsysops.agent.tier.EmbeddedContinuum;
import eu.mlsysops.agent.tier.EmbeddedContinuumBuilder;
import eu.mlsysops.agent.tier.Topologies;
import eu.mlsysops.model.Descriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.model.ParseResult;
import eu.mlsysops.model.Problem;
import eu.mlsysops.northbound.api.NorthboundEvents;
import eu.mlsysops.agent.tier.OtlpEndpoints;
import eu.mlsysops.northbound.api.NorthboundServer;
import eu.mlsysops.orchestration.PlanetLabTraces;
import eu.mlsysops.orchestration.SysfsCpuFrequencyControl;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code mls up}: the embedded continuum in one process. */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    description = {
      "Starts the embedded continuum: a continuum agent, its cluster agents and node agents in"
          + " one process, nodes simulated (or running real local processes with --runtime"
          + " process). Runs until Ctrl-C or --duration.",
      "With --demo, deploys a sample app and plays a scenario (load surge, node failure),"
          + " explaining each decision as it happens."
    })
final class UpCommand implements Callable<Integer> {
  @Option(names = "--demo", description = "deploy the sample app and play the demo scenario")
  boolean demo;

  @Option(names = "--topology", paramLabel = "DIR",
      description = "directory of MLSysOps{Continuum,Cluster,Node} descriptors (default: built-in)")
  Path topology;

  @Option(names = "--nodes", paramLabel = "N",
      description = {"a generated topology of N simulated nodes instead of the built-in one: a"
          + " tenth in the cloud, six tenths at the edge, the rest at the far edge, in clusters of"
          + " up to 500 nodes (1 to 20000; with --processes at most "
          + UpCommand.MAX_PROCESS_NODES + ", one JVM each)"})
  Integer nodes;

  /** Node agents {@code --processes} starts at most: each is a JVM. */
  static final int MAX_PROCESS_NODES = 16;

  @Option(names = "--duration", paramLabel = "DURATION",
      description = "stop after this long, e.g. 30s, 5m (default: until Ctrl-C)")
  String duration;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "where state is kept (default: ~/.mlsysops)")
  Path dataDir;

  @Option(names = "--trace", paramLabel = "DIR",
      description = "replay real CPU-utilisation traces as the components' load: a PlanetLab day"
          + " folder (one file of 288 five-minute samples per VM); each component gets one trace,"
          + " chosen by its name")
  Path trace;

  @Option(names = "--trace-speedup", defaultValue = "300", paramLabel = "N",
      description = "how much faster than real time traces play (default: ${DEFAULT-VALUE}, so a"
          + " five-minute sample lasts one second)")
  double traceSpeedup;

  @Option(names = "--runtime", defaultValue = "simulated", paramLabel = "KIND",
      description = "how nodes run components: simulated, or process (each instance runs its"
          + " container command as a local process; logs under DATA-DIR/logs)"
          + " (default: ${DEFAULT-VALUE})")
  String runtime;

  @Option(names = "--seed", defaultValue = "42", description = "simulation seed (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--trust-threshold", defaultValue = "0.5", paramLabel = "0..1",
      description = "trust a node needs to get new instances (default: ${DEFAULT-VALUE}; 0 turns"
          + " the filter off); see docs/trust.md")
  double trustThreshold;

  @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT",
      description = "port of the northbound API and dashboard; 0 picks a free one"
          + " (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
      description = "address the API, the dashboard, the OTLP receivers and their /metrics"
          + " listen on; 0.0.0.0 for every interface (default: ${DEFAULT-VALUE})")
  String bind;

  @Option(names = "--no-auth",
      description = "serve the API without tokens (anyone who can reach it controls the continuum)")
  boolean noAuth;

  @Option(names = "--otlp-grpc-port", defaultValue = "4317", paramLabel = "PORT",
      description = "OTLP/gRPC receiver for apps' telemetry; 0 picks a free port, -1 turns it off"
          + " (default: ${DEFAULT-VALUE})")
  int otlpGrpcPort;

  @Option(names = "--otlp-http-port", defaultValue = "4318", paramLabel = "PORT",
      description = "OTLP/HTTP receiver (protobuf and JSON); 0 picks a free port, -1 turns it off"
          + " (default: ${DEFAULT-VALUE})")
  int otlpHttpPort;

  @Option(names = "--otlp-auth", defaultValue = "auto", paramLabel = "MODE",
      description = "who may write to the OTLP receivers: token (each instance the runtime starts"
          + " gets its own, and reports only as itself), none (anyone: local development) or auto:"
          + " token off a loopback --bind or with --runtime process, none otherwise"
          + " (default: ${DEFAULT-VALUE})")
  String otlpAuth;

  @Option(names = "--otlp-export", paramLabel = "HOST:PORT",
      description = "also send telemetry to this external OTLP/gRPC endpoint (a collector or a"
          + " backend): the chosen tier's metrics every 10 s, and every log and span received")
  String otlpExport;

  @Option(names = "--otlp-export-level", defaultValue = "continuum", paramLabel = "TIER",
      description = "whose metrics --otlp-export sends: continuum (per-cluster summaries),"
          + " cluster (per-node summaries) or node (raw) (default: ${DEFAULT-VALUE})")
  String otlpExportLevel;

  @Option(names = "--workload-user", paramLabel = "USER", defaultValue = "nobody",
      description = "with --runtime process: the unprivileged user instances run as, when mls"
          + " runs as root (default: ${DEFAULT-VALUE})")
  String workloadUser;

  @Option(names = "--descriptor-hosts", split = ",", paramLabel = "HOST",
      description = "hosts from which developers may have the server fetch descriptors"
          + " ({\"uri\": ...}); from other hosts only admins may (default: none)")
  java.util.List<String> descriptorHosts = java.util.List.of();

  @Option(names = "--developer-quota", paramLabel = "QUOTA",
      description = "what each developer's apps may ask for together, e.g."
          + " apps=10,instances=100,cpu=8,memory=16Gi (default: apps=100,components=1000,instances=1000,cpu=64,"
          + "memory=256Gi); admins have none")
  String developerQuota;

  @Option(names = "--stale-after", paramLabel = "INTERVALS", defaultValue = "2",
      description = "telemetry that stops arriving goes stale after this many of its reporting"
          + " intervals, at every tier (1-100; default: ${DEFAULT-VALUE})")
  int staleAfter;

  @Option(names = "--app-limits", paramLabel = "LIMITS",
      description = "what one app descriptor may ask for, e.g. components=50,instances=500"
          + " (default: components=100,instances=1000); over it a deploy is refused naming the"
          + " limit")
  String appLimits;

  /** {@link #developerQuota} parsed. */
  private eu.mlsysops.northbound.api.DeveloperQuota quota;

  @Option(names = "--mechanism", paramLabel = "TIER=NAME[,NAME…]",
      description = "plug-in mechanisms the agents of a tier use (MechanismProvider on the class"
          + " path or in a jar of the tier's policy directory), e.g. cluster=fluidity; repeatable")
  java.util.Map<String, String> mechanism = new java.util.LinkedHashMap<>();

  @Option(names = "--processes",
      description = "run every agent as its own process (JVM) on loopback, talking gRPC with"
          + " mutual TLS, instead of all in this one; see docs/processes.md")
  boolean processes;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Duration runFor = duration == null ? null : parseDuration(duration);
    if (nodes != null && topology != null) {
      throw new ParameterException(spec.commandLine(), "--nodes and --topology: give one of them");
    }
    if (nodes != null && (nodes < 1 || nodes > Topologies.MAX_GENERATED_NODES
        || (processes && nodes > MAX_PROCESS_NODES))) {
      throw new ParameterException(spec.commandLine(), "--nodes: must be 1 to "
          + (processes ? MAX_PROCESS_NODES + " with --processes (one JVM per agent)"
              : Topologies.MAX_GENERATED_NODES) + ", got " + nodes);
    }
    List<Descriptor> descriptors = nodes != null ? Topologies.generatedTopology(nodes)
        : topology == null ? Topologies.defaultTopology() : load(topology);
    if (descriptors == null) {
      return 1;
    }
    Path data = dataDir != null ? dataDir : Path.of(System.getProperty("user.home"), ".mlsysops");
    if (port < 0 || port > 65_535) {
      throw new ParameterException(spec.commandLine(), "--port: " + port + " is not a port (0-65535)");
    }
    try {
      quota = developerQuota == null ? eu.mlsysops.northbound.api.DeveloperQuota.defaults()
          : eu.mlsysops.northbound.api.DeveloperQuota.parse(developerQuota);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--developer-quota: " + e.getMessage());
    }
    limits(); // a bad --app-limits is a usage error before anything starts
    if (staleAfter < 1 || staleAfter > 100) {
      throw new ParameterException(spec.commandLine(), "--stale-after: must be 1 to 100, got "
          + staleAfter);
    }
    java.util.Map<String, List<String>> plugIns = plugIns();
    if (processes) {
      if (demo || trace != null || noAuth || !"127.0.0.1".equals(bind)) {
        throw new ParameterException(spec.commandLine(), "--processes runs on loopback with"
            + " authentication and cannot be combined with --demo, --trace, --no-auth or --bind");
      }
      boolean local = runtimeKind() == EmbeddedContinuum.RuntimeKind.PROCESS;
      return ProcessesRun.run(data, descriptors, port, runFor, out, local, descriptorHosts,
          developerQuota, plugIns, otlpAuthMode(), limits(), staleAfter);
    }
    otlpAuthMode();
    for (int p : new int[] {otlpGrpcPort, otlpHttpPort}) {
      if (p < -1 || p > 65_535) {
        throw new ParameterException(spec.commandLine(), (p == otlpGrpcPort ? "--otlp-grpc-port"
            : "--otlp-http-port") + ": " + p + " is not a port (0-65535, or -1 for off)");
      }
    }
    if (!EmbeddedContinuum.TIERS.contains(otlpExportLevel)) {
      throw new ParameterException(spec.commandLine(), "--otlp-export-level: \"" + otlpExportLevel
          + "\" is not a tier (continuum, cluster, node)");
    }
    if (otlpExport != null && !otlpExport.matches("[^\\s/:]+:\\d{1,5}|\\[[0-9a-fA-F:.]+\\]:\\d{1,5}")) {
      throw new ParameterException(spec.commandLine(), "--otlp-export: \"" + otlpExport
          + "\" is not HOST:PORT");
    }
    if (port != 0 && !portFree(bind, port)) {
      // Before anything starts: a taken API port would otherwise be found only after the whole
      // continuum (and its log) came up.
      PrintWriter err = spec.commandLine().getErr();
      err.println("mls up: cannot listen on " + bind + ":" + port + ": is port " + port
          + " taken? Choose another with --port (e.g. --port " + (port == 65_535 ? 8081 : port + 1)
          + ", or --port 0 for any free port)");
      err.flush();
      return 1;
    }
    long start = System.currentTimeMillis();
    EventPrinter printer = new EventPrinter(out, start);
    // The API's event hub sees every agent event and passes each on to the console.
    NorthboundEvents events = NorthboundEvents.forwardingTo(printer);
    EmbeddedContinuum.RuntimeKind kind = runtimeKind();
    List<double[]> traces = trace == null ? List.of() : loadTraces(trace);
    EmbeddedContinuumBuilder builder =
        EmbeddedContinuum.builder(data).topology(descriptors).seed(seed).events(events)
            .runtime(kind);
    if (!(trustThreshold >= 0 && trustThreshold <= 1)) {
      throw new ParameterException(spec.commandLine(),
          "--trust-threshold: must be within 0..1, got " + trustThreshold);
    }
    builder.trustThreshold(trustThreshold);
    builder.workloadUser(workloadUser);
    builder.mechanisms(plugIns);
    builder.staleAfterIntervals(staleAfter);
    if (nodes != null) {
      // Thousands of simulated hosts: telemetry once a second each, not four times.
      builder.tick(Duration.ofSeconds(1));
    }
    if (!traces.isEmpty()) {
      builder.defaultLoad((app, component) -> PlanetLabTraces.asLoad(
          traces.get(Math.floorMod((app + "/" + component).hashCode(), traces.size())),
          traceSpeedup));
      out.printf("load: replaying %d traces from %s at %s× real time%n", traces.size(), trace,
          traceSpeedup);
    }
    // The OTLP receivers are bound before the agents start, so that the first process started
    // (apps kept from an earlier run are redeployed at once) already knows where to report.
    EmbeddedContinuum built;
    try {
      built = builder.build();
    } catch (IllegalStateException e) {
      spec.commandLine().getErr().println("mls up: " + e.getMessage());
      return 1;
    } catch (IllegalArgumentException e) {
      if (!plugIns.isEmpty() && String.valueOf(e.getMessage()).startsWith("mechanisms: ")) {
        throw new ParameterException(spec.commandLine(),
            "--mechanism: " + e.getMessage().substring("mechanisms: ".length()));
      }
      throw e;
    }
    try (EmbeddedContinuum continuum = built;
        OtlpEndpoints otlp = startOtlp(continuum, out)) {
      out.printf("MLSysOps embedded continuum: %d clusters, %d nodes (%s); state in %s%n",
          continuum.clusters().size(), continuum.nodes().size(),
          kind == EmbeddedContinuum.RuntimeKind.PROCESS ? "running local processes, logs in "
              + data.resolve("logs") : "simulated", data);
      continuum.workloads().ifPresent(w -> out.println(w.dropsPrivileges()
          ? "workloads: " + w.detail() + " (they cannot read " + data + ")"
          : "workloads: NOT isolated: " + w.detail() + "; only admins may deploy commands"));
      continuum.cgroups().ifPresent(c -> out.println(c.enforced()
          ? "resource limits: " + c.detail()
          : "resource limits: NOT enforced (" + c.detail() + "); processes run without limits"));
      out.flush();
      continuum.start();
      out.printf("policies: drop *.groovy or *.jar files into %s/{continuum,cluster,node}%n",
          continuum.policyRoot());
      String dvfs = new SysfsCpuFrequencyControl().unavailableReason();
      boolean simulated = runtimeKind() == EmbeddedContinuum.RuntimeKind.SIMULATED;
      out.println(!simulated
          // Every node of this process runs on this one host: no node's frequency is its own.
          ? "cpu frequency: not set by these nodes (they share this host's CPUs; a node agent of"
              + " its own, mls agent node, drives a host's cpufreq)"
          : dvfs.isEmpty()
          ? "cpu frequency: this host's cpufreq is writable; simulated nodes model their own DVFS"
          // The advice to use the simulated runtime is what is running: do not give it.
          : "cpu frequency: simulated nodes model their own DVFS (this host has none: "
              + dvfs.replace("; use the simulated runtime to model DVFS", "") + ")");
      out.flush();
      NorthboundServer server = startServer(continuum, data, events);
      if (server == null) {
        return 1;
      }
      // The OTLP port's /metrics off loopback: for the API's viewers and admins (all, with
      // --no-auth, as the API itself).
      otlp.authorizeReads(noAuth ? authorization -> true : server.tokens()::readsEverything);
      try (server) {
        return runUntilDone(continuum, printer, out, runFor);
      }
    }
  }

  private EmbeddedContinuum.RuntimeKind runtimeKind() {
    EmbeddedContinuum.RuntimeKind kind = switch (runtime) {
      case "simulated" -> EmbeddedContinuum.RuntimeKind.SIMULATED;
      case "process" -> EmbeddedContinuum.RuntimeKind.PROCESS;
      default -> throw new ParameterException(spec.commandLine(),
          "--runtime: \"" + runtime + "\" is not a runtime (simulated, process)");
    };
    if (kind == EmbeddedContinuum.RuntimeKind.PROCESS && (demo || trace != null)) {
      throw new ParameterException(spec.commandLine(), (demo ? "--demo" : "--trace")
          + " drives simulated nodes; it cannot be combined with --runtime process");
    }
    return kind;
  }

  /** Whether {@code bind:port} can be listened on now (checked by listening and letting go). */
  private static boolean portFree(String bind, int port) {
    try (java.net.ServerSocket s = new java.net.ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new java.net.InetSocketAddress(bind, port));
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** Starts the OTLP receivers; a taken port is reported and that receiver left off. */
  private OtlpEndpoints startOtlp(EmbeddedContinuum continuum, PrintWriter out) {
    eu.mlsysops.telemetry.otlp.OtlpAuthMode mode = otlpAuthMode();
    boolean localWorkloads = continuum.runtimeKind() == EmbeddedContinuum.RuntimeKind.PROCESS;
    OtlpEndpoints otlp = OtlpEndpoints.start(continuum, bind, otlpGrpcPort, otlpHttpPort,
        mode.credentials(bind, localWorkloads));
    if (!mode.tokens(bind, localWorkloads)
        && (localWorkloads || !eu.mlsysops.telemetry.otlp.OtlpAuthMode.loopback(bind))) {
      out.println("warning: --otlp-auth none " + (localWorkloads ? "with --runtime process"
          : "on " + bind) + ": anyone who reaches the OTLP ports"
          + (localWorkloads ? " (every app's processes do)" : "")
          + " writes any app's telemetry (QoS metrics included)");
    } else if (mode.tokens(bind, localWorkloads)) {
      out.println("OTLP receivers take a token: each instance the runtime starts gets its own in"
          + " OTEL_EXPORTER_OTLP_HEADERS and reports only as itself");
    }
    String host = bind.contains(":") ? "[" + bind + "]" : bind;
    if (otlp.grpcPort().isPresent() || otlp.httpPort().isPresent()) {
      out.printf("OTLP receivers: %s%s (set mlsysops.node in OTEL_RESOURCE_ATTRIBUTES)%n",
          otlp.grpcPort().isPresent() ? "grpc " + host + ":" + otlp.grpcPort().getAsInt() : "",
          otlp.httpPort().isPresent() ? (otlp.grpcPort().isPresent() ? ", " : "") + "http://"
              + host + ":" + otlp.httpPort().getAsInt() + "/v1/metrics" : "");
    }
    if (otlp.httpPort().isPresent()) {
      out.printf("Prometheus scrape: http://%s:%d/metrics (node agents)%n", host,
          otlp.httpPort().getAsInt());
    }
    otlp.problems().forEach(p -> out.println("warning: " + p));
    if (otlpExport != null) {
      otlp.exportTo(otlpExport, otlpExportLevel, Duration.ofSeconds(10));
      out.printf("OTLP export: %s telemetry to %s every 10 s, logs and spans as they come%n",
          otlpExportLevel, otlpExport);
    }
    out.flush();
    return otlp;
  }

  /** Starts the API; on a taken port says so (naming --port) and returns null. */
  private NorthboundServer startServer(EmbeddedContinuum continuum, Path data,
      NorthboundEvents events) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    NorthboundServer server; // with --no-auth, it logs a warning
    try {
      server = NorthboundServer.builder(continuum).dataDir(data).bind(bind).port(port)
          .auth(!noAuth).events(events).descriptorHosts(descriptorHosts).appLimits(limits())
          .developerQuota(quota).build().start();
    } catch (NorthboundServer.PortUnavailableException e) {
      err.println("mls up: " + e.getMessage() + "; is port " + port + " taken? Choose another"
          + " with --port (e.g. --port " + (port == 65_535 ? 8081 : port + 1)
          + ", or --port 0 for any free port)");
      err.flush();
      return null;
    }
    String host = bind.contains(":") ? "[" + bind + "]" : bind;
    out.printf("northbound API and dashboard: http://%s:%d/  %s%n", host, server.port(),
        noAuth ? "(no authentication)" : "(admin token in " + server.adminTokenFile() + ")");
    out.flush();
    return server;
  }

  private int runUntilDone(EmbeddedContinuum continuum, EventPrinter printer, PrintWriter out,
      Duration runFor) throws InterruptedException {
    if (demo) {
      int code = new DemoScenario(continuum, printer, out).run();
      if (code != 0 || runFor == null) {
        out.println("demo done; the continuum stops now. To look around with the CLI or the"
            + " dashboard afterwards: ./mls up --demo --duration 10m");
        out.flush();
        return code;
      }
    }
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
    out.println(runFor == null ? "running; Ctrl-C to stop" : "running for " + duration);
    out.flush();
    if (runFor == null) {
      stop.await();
    } else {
      stop.await(runFor.toMillis(), TimeUnit.MILLISECONDS);
    }
    out.println("stopping");
    return 0;
  }

  private Duration parseDuration(String s) {
    Duration d = parseDurationText(s);
    if (d.isNegative() || d.isZero()) {
      throw new ParameterException(spec.commandLine(),
          "--duration: \"" + s + "\" must be more than 0 (e.g. 30s, 5m, 1h)");
    }
    return d;
  }

  private Duration parseDurationText(String s) {
    try {
      String t = s.trim().toLowerCase();
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      } else if (t.endsWith("s")) {
        return Duration.ofMillis((long) (Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
      } else if (t.endsWith("m")) {
        return Duration.ofMillis((long) (Double.parseDouble(t.substring(0, t.length() - 1)) * 60_000));
      } else if (t.endsWith("h")) {
        return Duration.ofMillis((long) (Double.parseDouble(t.substring(0, t.length() - 1)) * 3_600_000));
      }
      return Duration.ofMillis((long) (Double.parseDouble(t) * 1000));
    } catch (NumberFormatException e) {
      throw new ParameterException(spec.commandLine(),
          "--duration: \"" + s + "\" is not a duration (e.g. 30s, 5m, 1h)");
    }
  }

  /** Up to 512 traces of a PlanetLab day folder, in byte order of their names (reproducible). */
  private List<double[]> loadTraces(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new ParameterException(spec.commandLine(), "--trace: " + dir + " is not a directory");
    }
    if (!(traceSpeedup > 0) || Double.isInfinite(traceSpeedup)) {
      throw new ParameterException(spec.commandLine(),
          "--trace-speedup: " + traceSpeedup + " is not a positive number");
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().matches("(?i)(.*\\.(md|txt)|license.*|\\..*)"))
          .sorted(java.util.Comparator.comparing(p -> p.getFileName().toString()))
          .limit(512)
          .toList();
    }
    if (files.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "--trace: " + dir + " has no trace files");
    }
    List<double[]> out = new ArrayList<>();
    for (Path f : files) {
      try {
        out.add(PlanetLabTraces.load(f));
      } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
        throw new ParameterException(spec.commandLine(), "--trace: " + e.getMessage());
      }
    }
    return out;
  }

  private List<Descriptor> load(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new ParameterException(spec.commandLine(), "--topology: " + dir + " is not a directory");
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().matches(".*\\.(ya?ml|json)$")).sorted().toList();
    }
    if (files.isEmpty()) {
      throw new ParameterException(spec.commandLine(),
          "--topology: " + dir + " has no .yaml, .yml or .json files");
    }
    List<Descriptor> all = new ArrayList<>();
    boolean errors = false;
    PrintWriter err = spec.commandLine().getErr();
    for (Path f : files) {
      ParseResult r = Descriptors.parse(f, ParseOptions.DEFAULT);
      for (Problem p : r.errors()) {
        err.println(p);
      }
      errors |= r.hasErrors();
      all.addAll(r.descriptors());
    }
    if (errors) {
      err.println("mls up: the topology has errors; nothing started");
      err.flush();
      return null;
    }
    return all;
  }

  /**
   * {@code --mechanism} by tier. Names are checked against the providers on the class path here
   * only with {@code --processes} (the agents' class path is this one); the embedded continuum
   * checks them with its tiers' policy directories too.
   */
  private java.util.Map<String, List<String>> plugIns() {
    java.util.Map<String, List<String>> out = new java.util.LinkedHashMap<>();
    mechanism.forEach((tier, names) -> {
      if (!EmbeddedContinuum.TIERS.contains(tier)) {
        throw new ParameterException(spec.commandLine(), "--mechanism: \"" + tier
            + "\" is not a tier (continuum, cluster, node)");
      }
      List<String> list = java.util.Arrays.stream(names.split(",")).map(String::strip)
          .filter(n -> !n.isEmpty()).toList();
      if (list.isEmpty()) {
        throw new ParameterException(spec.commandLine(), "--mechanism: " + tier
            + "= names no mechanism");
      }
      out.put(tier, list);
    });
    if (processes) {
      var found = eu.mlsysops.agent.engine.MechanismPlugins.load(getClass().getClassLoader());
      out.forEach((tier, names) -> {
        List<String> known = new java.util.ArrayList<>(
            eu.mlsysops.cli.agents.AgentFileConfig.Tier.valueOf(
                tier.toUpperCase(java.util.Locale.ROOT)).knownMechanisms());
        known.addAll(found.namesFor(tier));
        for (String n : names) {
          if (!known.contains(n)) {
            throw new ParameterException(spec.commandLine(), "--mechanism: \"" + n
                + "\" is not a mechanism of a " + tier + " agent (" + String.join(", ", known)
                + ")");
          }
        }
      });
    }
    return out;
  }

  /** {@code --otlp-auth} read; a usage error naming it when it is none of the modes. */
  private eu.mlsysops.telemetry.otlp.OtlpAuthMode otlpAuthMode() {
    try {
      return eu.mlsysops.telemetry.otlp.OtlpAuthMode.parse(otlpAuth);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--otlp-auth: " + e.getMessage());
    }
  }

  /** {@code --app-limits} read; a usage error naming it when it does not parse. */
  private eu.mlsysops.model.AppLimits limits() {
    try {
      return appLimits == null ? eu.mlsysops.model.AppLimits.DEFAULT
          : eu.mlsysops.model.AppLimits.parse(appLimits);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--app-limits: " + e.getMessage());
    }
  }
}
