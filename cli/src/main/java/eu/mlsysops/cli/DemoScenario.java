package eu.mlsysops.cli;

import eu.mlsysops.agent.plan.PlanQuery;
import eu.mlsysops.agent.plan.PlanRecord;
import eu.mlsysops.agent.plan.PlanStatus;
import eu.mlsysops.agent.tier.AppStatus;
import eu.mlsysops.agent.tier.ClusterStatus;
import eu.mlsysops.agent.tier.EmbeddedContinuum;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.model.ParseResult;
import eu.mlsysops.orchestration.LoadModel;
import eu.mlsysops.protocol.Message;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The {@code mls up --demo} scenario: deploy a camera pipeline, surge the detector's load until its
 * latency target is violated, crash a node, and show what the agents did about each, with the
 * figures (time to deploy, time to react, time to recover).
 */
final class DemoScenario {
  static final String APP = "smart-camera";
  static final String BATCH = "noisy-batch";
  private final EmbeddedContinuum continuum;
  private final EventPrinter printer;
  private final PrintWriter out;
  private final long start = System.currentTimeMillis();
  private final Map<String, String> timings = new LinkedHashMap<>();

  DemoScenario(EmbeddedContinuum continuum, EventPrinter printer, PrintWriter out) {
    this.continuum = continuum;
    this.printer = printer;
    this.out = out;
  }

  int run() throws InterruptedException {
    int expectedNodes = continuum.nodes().size();
    if (!waitFor(15_000, () -> registeredNodes() >= expectedNodes)) {
      printer.say("only " + registeredNodes() + " of " + expectedNodes + " nodes registered; giving up");
      return 1;
    }
    printer.say("");
    printer.say("== Topology ==");
    printer.say(topologyTable());
    if (continuum.continuum().remove(APP)) {
      printer.say("(removed the " + APP + " app left by an earlier demo run)");
    }

    printer.say("== 1. Deploy " + APP + " (camera-ingest → detector → analytics×2) ==");
    AppDescriptor app = load("/examples/demo-app.yaml", null);
    long t0 = System.currentTimeMillis();
    continuum.continuum().deploy(app);
    if (!waitFor(30_000, () -> phase().equals("Running"))) {
      printer.say("the app did not reach Running within 30 s: " + phase());
      return 1;
    }
    timings.put("deploy → all 4 instances running", ms(System.currentTimeMillis() - t0));
    printer.say(placementTable());

    String before = nodeOf("detector");
    printer.say("");
    printer.say("== 2. Load surge: a batch job lands on " + before
        + " next to the detector and saturates its CPU (detector target: latency ≤ 100 ms) ==");
    if (continuum.continuum().remove(BATCH)) {
      printer.say("(removed the " + BATCH + " app left by an earlier demo run)");
    }
    continuum.continuum().deploy(load("/examples/noisy-batch.yaml", before));
    if (!waitFor(30_000, () -> phaseOf(BATCH).equals("Running"))) {
      printer.say("the batch job did not start within 30 s: " + phaseOf(BATCH));
      return 1;
    }
    long t1 = System.currentTimeMillis();
    continuum.simulation().setLoad(BATCH, "crunch", LoadModel.steady(100));
    // QoS is judged after a warm-up (10 s of samples), so the move comes some 13 s in.
    boolean moved = waitFor(60_000, () -> {
      String now = nodeOf("detector");
      return now != null && !now.equals(before) && phase().equals("Running");
    });
    if (moved) {
      timings.put("surge → detector relocated and running", ms(System.currentTimeMillis() - t1));
      printer.say("detector moved from " + before + " to " + nodeOf("detector"));
    } else {
      printer.say("detector was not relocated within 60 s (still on " + before + ")");
    }

    printer.say("");
    printer.say("== 3. Node failure: the node running analytics#0 crashes ==");
    String victim = nodeOfInstance("analytics", 0);
    long t2 = System.currentTimeMillis();
    continuum.failNode(victim);
    printer.say(String.format("%8s  %-16s %-8s %s", printer.elapsed(t2), "demo", "crash",
        "killed node " + victim + " (agent, host and link, without warning)"));
    boolean recovered = waitFor(30_000, () -> phase().equals("Running")
        && instances("analytics").stream().noneMatch(r -> r.node().equals(victim)));
    if (recovered) {
      timings.put("node crash → its instances running elsewhere", ms(System.currentTimeMillis() - t2));
    } else {
      printer.say("analytics did not recover within 30 s: " + phase());
    }
    waitFor(1_500, () -> false); // let the last events print before the summary

    printer.say("");
    printer.say("== Summary ==");
    printer.say(decisionTable());
    printer.say(placementTable());
    TextTable t = new TextTable("MEASURE", "VALUE");
    timings.forEach(t::row);
    printer.say(t.render());
    return moved && recovered ? 0 : 1;
  }

  private static String ms(long ms) {
    return String.format("%.2f s", ms / 1000.0);
  }

  private int registeredNodes() {
    return continuum.continuum().clusters().stream().mapToInt(c -> c.nodes().size()).sum();
  }

  private String phase() {
    return phaseOf(APP);
  }

  private String phaseOf(String app) {
    return continuum.continuum().app(app).map(AppStatus::phase).orElse("absent");
  }

  private List<Message.InstanceReport> instances(String component) {
    Optional<AppStatus> s = continuum.continuum().app(APP);
    List<Message.InstanceReport> out = new ArrayList<>();
    s.ifPresent(a -> a.components().stream().filter(c -> c.name().equals(component))
        .forEach(c -> out.addAll(c.instances())));
    return out;
  }

  private String nodeOf(String component) {
    return instances(component).stream().filter(r -> "RUNNING".equals(r.state()))
        .map(Message.InstanceReport::node).findFirst().orElse(null);
  }

  private String nodeOfInstance(String component, int slot) {
    return instances(component).stream()
        .filter(r -> r.instanceId().startsWith(APP + "/" + component + "/" + slot))
        .filter(r -> "RUNNING".equals(r.state()))
        .map(Message.InstanceReport::node).findFirst().orElseThrow();
  }

  private boolean waitFor(long timeoutMs, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(100);
    }
    return condition.getAsBoolean();
  }

  private String topologyTable() {
    TextTable t = new TextTable("CLUSTER", "NODE", "LAYER", "CPU", "MEMORY", "SENSORS");
    for (ClusterStatus c : continuum.continuum().clusters()) {
      for (ClusterStatus.NodeStatus n : c.nodes()) {
        NodeDescriptor d = continuum.nodes().containsKey(n.name())
            ? continuum.nodes().get(n.name()).descriptor() : null;
        t.row(c.id(), n.name(), n.layer(), d == null ? "" : cpu(d),
            d == null ? "" : (d.hardware().memoryBytes() >> 20) + " MiB",
            d == null ? "" : String.join(",", d.sensors().stream()
                .map(s -> s.type() + (s.model() == null ? "" : "/" + s.model())).toList()));
      }
    }
    return t.render();
  }

  private static String cpu(NodeDescriptor d) {
    if (d.hardware().cpu() != null) {
      var c = d.hardware().cpu();
      return (c.cores() == null ? "?" : c.cores()) + "×" + c.architecture();
    }
    return d.hardware().mcu() != null ? "mcu " + d.hardware().mcu().architecture() : "";
  }

  private String placementTable() {
    TextTable t = new TextTable("COMPONENT", "INSTANCE", "NODE", "STATE");
    continuum.continuum().app(APP).ifPresent(a -> {
      for (AppStatus.ComponentStatus c : a.components()) {
        for (Message.InstanceReport r : c.instances()) {
          t.row(c.name(), r.instanceId(), r.node(), r.state().toLowerCase());
        }
      }
    });
    return t.render();
  }

  private String decisionTable() {
    TextTable t = new TextTable("TIME", "AGENT", "POLICY", "OUTCOME", "WHAT");
    List<PlanRecord> plans = new ArrayList<>(continuum.planLog().query(
        new PlanQuery(null, null, null, start, 200)));
    java.util.Collections.reverse(plans);
    for (PlanRecord p : plans) {
      if (p.status() == PlanStatus.PENDING || p.status() == PlanStatus.SCHEDULED) {
        continue;
      }
      t.row(printer.elapsed(p.updatedMillis()), p.agent(), p.policy(), p.status().wireName(),
          p.explanation().isEmpty() ? p.reason() : p.explanation());
    }
    return t.render();
  }

  /** Reads a sample app shipped in the jar; {@code node} replaces the NODE placeholder. */
  private static AppDescriptor load(String resource, String node) {
    try (InputStream in = DemoScenario.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is missing from the jar");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      if (node != null) {
        text = text.replace("node: NODE", "node: " + node);
      }
      ParseResult r = Descriptors.parse(text, resource.substring(1), ParseOptions.DEFAULT);
      if (r.hasErrors()) {
        throw new IllegalStateException(resource + " is invalid: " + r.errors());
      }
      return r.ofType(AppDescriptor.class).get(0);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource, e);
    }
  }
}
