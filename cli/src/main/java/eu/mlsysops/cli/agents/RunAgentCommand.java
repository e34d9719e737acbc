package eu.mlsysops.cli.agents;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mls agent continuum|cluster|node --config FILE}: one agent in this process, talking to its
 * parent and children over gRPC with mutual TLS. Runs until Ctrl-C (or SIGTERM).
 */
public abstract class RunAgentCommand implements Callable<Integer> {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "the agent's YAML configuration (keys in docs/processes.md); MLS_<KEY>"
              + " environment variables override it")
  Path config;

  @Option(
      names = "--insecure",
      description = "plaintext gRPC without certificates (logs a warning); for experiments only")
  boolean insecure;

  @Spec CommandSpec spec;

  abstract AgentFileConfig.Tier tier();

  /** The agent's configuration: {@code --config} and the environment. */
  AgentFileConfig loadConfig(PrintWriter out) throws Exception {
    return AgentFileConfig.load(tier(), config, System.getenv());
  }

  @Override
  public Integer call() throws Exception {
    // One line per log record, before any logger is made (the JDK reads this once).
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty(
          "java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$s %3$s: %5$s%6$s%n");
    }
    PrintWriter out = spec.commandLine().getOut();
    AgentFileConfig c = loadConfig(out);
    if (insecure && !c.insecure()) {
      c = c.withInsecure();
    }
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              stop.countDown();
              try {
                stopped.await(); // let the agent close its ports and files before the JVM goes
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    Runtime.getRuntime().addShutdownHook(hook);
    try (AgentProcess p = AgentProcess.start(c, out)) {
      out.println("running; Ctrl-C to stop");
      out.flush();
      watchLauncher(System.getenv(LAUNCHER_PID), stop, out);
      stop.await();
      out.println("stopping");
      out.flush();
    } finally {
      stopped.countDown();
    }
    return 0;
  }

  /**
   * Set by {@code mls up --processes} for the agents it starts: the launcher's pid. Killed with
   * SIGKILL it cannot stop them, so they stop themselves once it is gone.
   */
  static final String LAUNCHER_PID = "MLS_LAUNCHER_PID";

  private static void watchLauncher(String pid, CountDownLatch stop, PrintWriter out) {
    if (pid == null || pid.isBlank()) {
      return;
    }
    java.util.Optional<ProcessHandle> launcher;
    try {
      launcher = ProcessHandle.of(Long.parseLong(pid.trim()));
    } catch (NumberFormatException e) {
      out.println(LAUNCHER_PID + ": \"" + pid + "\" is not a process id; not watching it");
      return;
    }
    Thread t = new Thread(() -> {
      while (stop.getCount() > 0) {
        if (launcher.isEmpty() || !launcher.get().isAlive()) {
          out.println("the mls up process that started this agent (pid " + pid.trim()
              + ") is gone; stopping");
          out.flush();
          stop.countDown();
          return;
        }
        try {
          Thread.sleep(1000);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "launcher-watch");
    t.setDaemon(true);
    t.start();
  }

  /** {@code mls agent continuum}. */
  @Command(
      name = "continuum",
      mixinStandardHelpOptions = true,
      description =
          "Runs a continuum agent: cluster agents connect to it over gRPC (mTLS); it"
              + " serves the northbound API and dashboard as mls up does.")
  public static final class Continuum extends RunAgentCommand {
    @Override
    AgentFileConfig.Tier tier() {
      return AgentFileConfig.Tier.CONTINUUM;
    }
  }

  /** {@code mls agent cluster}. */
  @Command(
      name = "cluster",
      mixinStandardHelpOptions = true,
      description =
          "Runs a cluster agent: connects to its continuum agent (retrying with backoff"
              + " while it is unreachable), node agents connect to it.")
  public static final class Cluster extends RunAgentCommand {
    @Override
    AgentFileConfig.Tier tier() {
      return AgentFileConfig.Tier.CLUSTER;
    }
  }

  /** {@code mls agent node}. */
  @Command(
      name = "node",
      mixinStandardHelpOptions = true,
      description =
          "Runs a node agent: connects to its cluster agent, retrying with backoff while it"
              + " is unreachable. Its host is simulated, this machine (runtime: process) or a"
              + " Kubernetes node (runtime: kubernetes).")
  public static final class Node extends RunAgentCommand {
    @picocli.CommandLine.ArgGroup(exclusive = false)
    NodeJoin join;

    @Override
    AgentFileConfig.Tier tier() {
      return AgentFileConfig.Tier.NODE;
    }

    @Override
    AgentFileConfig loadConfig(PrintWriter out) throws Exception {
      if (join == null) {
        return super.loadConfig(out);
      }
      if (config != null) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
            "--config and --join do not go together: --join writes the configuration");
      }
      return join.join(out, spec.commandLine().getErr());
    }
  }
}
