package eu.mlsysops.bench;

import eu.mlsysops.agent.tier.AgentEvent;
import eu.mlsysops.agent.tier.AppStatus;
import eu.mlsysops.agent.tier.EmbeddedContinuum;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.protocol.Message;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * How long the components of a killed node take to run again elsewhere, with the default failure
 * detection (1 s heartbeats, 3 missed → unreachable, 2 s grace → lost). Each round starts the
 * embedded continuum (built-in topology, simulated nodes) on a fresh data directory, deploys an
 * app of two replicas, kills the node agent and host of one replica without warning, and reads
 * the wall clock at: the cluster calling the node unreachable, the instances declared lost, and
 * both replicas running again away from the dead node.
 *
 * <p>Usage: {@code bench/run failover [ROUNDS]}, default 5.
 */
public final class FailoverBenchmark {
  private FailoverBenchmark() {}

  private static final String APP = """
      MLSysOpsApp:
        name: web
        cluster_placement: {cluster_id: [cloud]}
        components:
          - metadata: {name: web}
            node_placement: {scaling: {scaling_mode: manual, instances: 2}}
            containers:
              - image: registry.local/web:1
                platform_requirements:
                  cpu: {requests: "500m"}
                  memory: {requests: "256Mi"}
      """;

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    AppDescriptor app = Descriptors.parse(APP, "web.yaml", ParseOptions.DEFAULT)
        .ofType(AppDescriptor.class).get(0);
    List<long[]> results = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      Path dir = Files.createTempDirectory("mls-failover");
      List<AgentEvent> events = new CopyOnWriteArrayList<>();
      try (EmbeddedContinuum c = EmbeddedContinuum.builder(dir).events(events::add).build()
          .start()) {
        waitFor(() -> c.continuum().clusters().stream().mapToInt(x -> x.nodes().size()).sum()
            == 8, 30_000);
        c.continuum().deploy(app);
        waitFor(() -> "Running".equals(phase(c)), 30_000);
        String victim = running(c).get(0).node();
        long killed = System.currentTimeMillis();
        c.failNode(victim);
        waitFor(() -> "Running".equals(phase(c)) && running(c).size() == 2
            && running(c).stream().noneMatch(i -> i.node().equals(victim)), 60_000);
        long back = System.currentTimeMillis();
        long unreachable = firstAt(events, "node " + victim + " is unreachable");
        long lost = firstAt(events, "node " + victim + " lost for app web");
        if (unreachable < 0 || lost < 0) {
          throw new IllegalStateException("round " + (r + 1) + ": the cluster did not report "
              + victim + " as " + (unreachable < 0 ? "unreachable" : "lost"));
        }
        results.add(new long[] {unreachable - killed, lost - killed, back - killed});
        System.out.printf(Locale.ROOT,
            "round %d: killed %s; unreachable after %d ms, lost after %d ms, running elsewhere"
                + " after %d ms%n", r + 1, victim, unreachable - killed, lost - killed,
            back - killed);
      }
    }
    System.out.println();
    System.out.println("| measure | min | median | max |");
    System.out.println("| --- | --- | --- | --- |");
    String[] names = {"killed → unreachable", "killed → lost (instances replaced)",
        "killed → both replicas running elsewhere"};
    for (int k = 0; k < 3; k++) {
      final int idx = k;
      List<Long> v = results.stream().map(x -> x[idx]).sorted(Comparator.naturalOrder()).toList();
      System.out.printf(Locale.ROOT, "| %s | %.2f s | %.2f s | %.2f s |%n", names[k],
          v.get(0) / 1000.0, v.get(v.size() / 2) / 1000.0, v.get(v.size() - 1) / 1000.0);
    }
  }

  private static String phase(EmbeddedContinuum c) {
    return c.continuum().app("web").map(AppStatus::phase).orElse("absent");
  }

  private static List<Message.InstanceReport> running(EmbeddedContinuum c) {
    return c.continuum().app("web").orElseThrow().components().get(0).instances().stream()
        .filter(i -> i.state().equals("RUNNING")).toList();
  }

  private static long firstAt(List<AgentEvent> events, String prefix) {
    return events.stream().filter(e -> e.message().startsWith(prefix))
        .mapToLong(AgentEvent::timeMillis).min().orElse(-1);
  }

  private static void waitFor(java.util.function.BooleanSupplier done, long timeoutMillis)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (!done.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("timed out");
      }
      Thread.sleep(10);
    }
  }
}
