package eu.mlsysops.bench;

import com.sun.management.OperatingSystemMXBean;
import eu.mlsysops.agent.plan.PlanLog;
import eu.mlsysops.agent.tier.AgentEnvironment;
import eu.mlsysops.agent.tier.AgentEvent;
import eu.mlsysops.agent.tier.ChildAdmission;
import eu.mlsysops.agent.tier.ClusterAgent;
import eu.mlsysops.agent.tier.ClusterSettings;
import eu.mlsysops.model.ClusterDescriptor;
import eu.mlsysops.orchestration.Placer;
import eu.mlsysops.protocol.InProcessLink;
import eu.mlsysops.protocol.Message;
import eu.mlsysops.protocol.grpc.GrpcLinkServer;
import eu.mlsysops.protocol.tls.CertificateAuthority;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench/run cluster-fanin [NODES [SECONDS [KILLS]]]}: one cluster agent (this JVM) with a
 * gRPC/mTLS child port, and NODES simulated node agents in a second JVM ({@link FaninNodeClients})
 * heart-beating and sending telemetry every second. Reports, for the cluster agent's JVM: heap
 * after GC and at peak, CPU while steady, and the time from silently closing a node's link until
 * the cluster agent marks the node unreachable (its failure detection: 1 s heartbeats, 3 missed).
 */
public final class FaninBenchmark {
  private FaninBenchmark() {}

  static String nodeName(int i) {
    return String.format(Locale.ROOT, "n-%04d", i);
  }

  public static void main(String[] args) throws Exception {
    int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    int kills = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    Path dir = Files.createTempDirectory("mls-fanin-");
    long t = System.nanoTime();
    CertificateAuthority ca = CertificateAuthority.init(dir);
    ca.issue("c1");
    for (int i = 0; i < nodes; i++) {
      ca.issue(nodeName(i));
    }
    System.out.printf(
        Locale.ROOT,
        "certificates: CA + %d agents in %.1f s%n",
        nodes + 1,
        (System.nanoTime() - t) / 1e9);

    var timers = Executors.newScheduledThreadPool(2);
    var workers = Executors.newFixedThreadPool(2);
    Map<String, Long> unreachableAt = new ConcurrentHashMap<>();
    AgentEnvironment env =
        new AgentEnvironment(
            Clock.systemUTC(),
            timers,
            workers,
            (AgentEvent e) -> {
              if (e.message().contains(" is unreachable")) {
                String node = e.message().substring("node ".length()).split(" ")[0];
                unreachableAt.putIfAbsent(node, e.timeMillis());
              }
            },
            PlanLog.discarding(),
            dir);
    InProcessLink up = InProcessLink.create(workers); // the continuum side only listens
    up.parentSide().onReceive(m -> {});
    ClusterAgent cluster =
        new ClusterAgent(
            new ClusterDescriptor("c1", "c1", null, List.of(nodeName(0))),
            up.childSide(),
            env,
            ClusterSettings.defaults(),
            Placer.withDefaults());
    cluster.start();
    ChildAdmission admission = new ChildAdmission(Message.Tier.NODE);
    GrpcLinkServer server =
        GrpcLinkServer.builder()
            .bindAddress("127.0.0.1")
            .port(0)
            .tls(eu.mlsysops.protocol.tls.AgentCredentials.load(dir, "c1"))
            .onChild(admission.admitting(cluster::attach))
            .start();

    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g",
                "-Xss256k",
                "-cp",
                System.getProperty("java.class.path"),
                FaninNodeClients.class.getName(),
                "127.0.0.1:" + server.port(),
                dir.toString(),
                String.valueOf(nodes)));
    Process gen = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    BlockingQueue<String> genLines = new LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(gen.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  genLines.add(line);
                }
              } catch (Exception e) {
                // the generator ended
              }
            });
    reader.setDaemon(true);
    reader.start();
    PrintWriter toGen = new PrintWriter(gen.getOutputStream(), true, StandardCharsets.UTF_8);

    long start = System.nanoTime();
    while (healthy(cluster) < nodes) {
      if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(300) || !gen.isAlive()) {
        System.err.println(
            "only "
                + healthy(cluster)
                + " of "
                + nodes
                + " nodes registered;"
                + " generator said: "
                + genLines);
        gen.destroyForcibly();
        System.exit(1);
      }
      Thread.sleep(200);
    }
    System.out.printf(
        Locale.ROOT,
        "%d nodes registered over gRPC/mTLS in %.1f s%n",
        nodes,
        (System.nanoTime() - start) / 1e9);

    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    Thread.sleep(5000); // let registration churn settle before measuring
    long cpu0 = os.getProcessCpuTime();
    long wall0 = System.nanoTime();
    long peak = 0;
    int minStreams = Integer.MAX_VALUE;
    for (int s = 0; s < seconds; s++) {
      Thread.sleep(1000);
      peak = Math.max(peak, mem.getHeapMemoryUsage().getUsed());
      minStreams = Math.min(minStreams, server.children().size());
    }
    int threads = ManagementFactory.getThreadMXBean().getThreadCount();
    double cpuCores = (os.getProcessCpuTime() - cpu0) / (double) (System.nanoTime() - wall0);
    System.gc();
    Thread.sleep(500);
    long live = mem.getHeapMemoryUsage().getUsed();
    int stillHealthy = healthy(cluster);

    List<Long> detections = new ArrayList<>();
    for (int k = 0; k < kills; k++) {
      String victim = nodeName(k * (nodes / Math.max(1, kills)));
      toGen.println("kill " + victim);
      long killedAt = -1;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < deadline) {
        String line = genLines.poll(200, TimeUnit.MILLISECONDS);
        if (line != null && line.startsWith("killed " + victim + " ")) {
          killedAt = Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
          break;
        }
      }
      while (!unreachableAt.containsKey(victim) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      Long at = unreachableAt.get(victim);
      if (killedAt < 0 || at == null) {
        System.out.println("node " + victim + ": not detected within 30 s");
      } else {
        detections.add(at - killedAt);
        System.out.printf(
            Locale.ROOT, "node %s killed; marked unreachable after %d ms%n", victim, at - killedAt);
      }
    }
    toGen.println("quit");
    gen.waitFor(10, TimeUnit.SECONDS);
    gen.destroyForcibly();

    detections.sort(null);
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "cluster-fanin: %d node agents (separate JVM) -> 1 cluster"
            + " agent, gRPC + mTLS on loopback, 1 heartbeat + 1 OTLP batch (4 metrics) per node per"
            + " second%n",
        nodes);
    System.out.printf(
        Locale.ROOT,
        "  connected streams during the steady window: at least %d;"
            + " nodes healthy at its end %d; refused messages %d, undecodable %d; cluster JVM"
            + " threads %d%n",
        minStreams,
        stillHealthy,
        admission.refused(),
        server.undecodable(),
        threads);
    System.out.printf(
        Locale.ROOT,
        "  cluster JVM heap: %.0f MiB live after GC, %.0f MiB peak" + " (max %.0f MiB)%n",
        live / 1048576.0,
        peak / 1048576.0,
        mem.getHeapMemoryUsage().getMax() / 1048576.0);
    System.out.printf(
        Locale.ROOT,
        "  cluster JVM CPU over %d s steady: %.2f cores (%.0f%% of one"
            + " core) on a %d-core machine shared with the load generator%n",
        seconds,
        cpuCores,
        cpuCores * 100,
        Runtime.getRuntime().availableProcessors());
    if (!detections.isEmpty()) {
      System.out.printf(
          Locale.ROOT,
          "  dead node detection (kill -> unreachable), %d kills:"
              + " min %d ms, median %d ms, max %d ms%n",
          detections.size(),
          detections.get(0),
          detections.get(detections.size() / 2),
          detections.get(detections.size() - 1));
    }
    server.close();
    cluster.close();
    timers.shutdownNow();
    workers.shutdownNow();
    System.exit(0);
  }

  private static int healthy(ClusterAgent c) {
    return (int) c.nodeHealth().values().stream().filter(b -> b).count();
  }
}
