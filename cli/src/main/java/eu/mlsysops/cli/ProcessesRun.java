package eu.mlsysops.cli;

import eu.mlsysops.cli.agents.ProcessContinuum;
import eu.mlsysops.model.Descriptor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The console side of {@code mls up --processes}: launch, say where things are, stop on Ctrl-C. */
final class ProcessesRun {
  private ProcessesRun() {}

  static int run(Path data, List<Descriptor> topology, int port, Duration runFor, PrintWriter out,
      boolean localProcesses, List<String> descriptorHosts, String developerQuota,
      java.util.Map<String, List<String>> mechanisms,
      eu.mlsysops.telemetry.otlp.OtlpAuthMode otlpAuth, eu.mlsysops.model.AppLimits appLimits,
      int staleAfterIntervals)
      throws Exception {
    if (port != 0) {
      // A taken port would fail the continuum process, or worse, answer for it.
      try (java.net.ServerSocket probe =
          new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
        probe.setReuseAddress(true);
      } catch (java.io.IOException e) {
        throw new IllegalArgumentException(
            "--port: 127.0.0.1:"
                + port
                + " is taken; choose"
                + " another with --port (or --port 0 for any free port)");
      }
    }
    ProcessContinuum pc =
        new ProcessContinuum(data, topology, port, out).localProcesses(localProcesses)
            .northbound(descriptorHosts, developerQuota, appLimits).mechanisms(mechanisms)
            .otlpAuth(otlpAuth).staleAfterIntervals(staleAfterIntervals);
    Thread hook = new Thread(pc::close);
    Runtime.getRuntime().addShutdownHook(hook);
    int nb;
    try {
      nb = pc.start();
    } catch (IllegalStateException e) {
      Runtime.getRuntime().removeShutdownHook(hook);
      pc.close();
      out.println("mls up: " + e.getMessage());
      out.flush();
      return 1;
    }
    try {
      out.printf(
          "MLSysOps continuum as %d processes on loopback (gRPC, mutual TLS);"
              + " certificates in %s%n",
          pc.agents().size(), data.toAbsolutePath().resolve("certs"));
      pc.printTable();
      ProcessContinuum.Agent top = pc.agents().values().iterator().next();
      boolean up = false;
      for (int i = 0; i < 60 && !up && top.process().isAlive(); i++) {
        up = ProcessContinuum.awaitPort(nb, Duration.ofSeconds(1));
      }
      if (!up) {
        out.println(
            "the continuum agent "
                + (top.process().isAlive() ? "did not open its API within 60 s" : "exited")
                + "; see "
                + top.log());
        out.flush();
        return 1;
      }
      out.printf(
          "northbound API and dashboard: http://127.0.0.1:%d/  (admin token in %s)%n",
          nb, data.toAbsolutePath().resolve("admin.token"));
      boolean defaultData = data.toAbsolutePath().normalize().equals(
          Path.of(System.getProperty("user.home"), ".mlsysops").toAbsolutePath().normalize());
      out.println(
          "agents connect within seconds: mls status"
              + (nb == 8080 ? "" : " --server" + " http://127.0.0.1:" + nb)
              + (defaultData ? "" : " --data-dir " + data.toAbsolutePath())
              + "; events are in each agent's log");
      out.println(runFor == null ? "running; Ctrl-C stops every agent" : "running for " + runFor);
      out.flush();
      pc.watch(runFor);
      out.println("stopping every agent");
      out.flush();
      return 0;
    } finally {
      pc.close();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down: the hook runs (close is idempotent)
      }
    }
  }
}
