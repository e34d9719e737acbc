package eu.mlsysops.orchestration.process;

import eu.mlsysops.model.RestartPolicy;
import eu.mlsysops.orchestration.InstanceSpec;
import eu.mlsysops.orchestration.InstanceState;
import eu.mlsysops.orchestration.InstanceStatus;
import eu.mlsysops.orchestration.Runtime;
import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricMetadata;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.SampleSink;
import java.io.File;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Runs component instances as local processes: each container's {@code command} is a process,
 * started with the container's {@code env} (with {@code value_from} resolved and {@code $(VAR)}
 * expanded), the OpenTelemetry variables pointing at the node agent's OTLP receiver, and its
 * output appended to bounded per-instance log files. Descriptor semantics, environment order and
 * file layout are in {@code docs/runtimes.md}.
 *
 * <ul>
 *   <li><b>States.</b> An instance is RUNNING once its processes are started; STARTING while a
 *       container waits out its restart back-off; STOPPED when stopped on request or when it
 *       exited with code 0 and its restart policy does not restart it; FAILED when it cannot be
 *       launched (the reason names the descriptor field, e.g. a command not on PATH) or exited
 *       with an error and is not restarted (the reason has the exit code and the last line of its
 *       stderr). Bad input never throws: it is a FAILED status.
 *   <li><b>Restart policy</b> ({@code restart_policy}, default {@code Always} as in Kubernetes):
 *       {@code Always} restarts every exit, {@code OnFailure} non-zero exits, {@code Never} none.
 *       Restarts back off exponentially from {@link Builder#backoff initial} to max; a run longer
 *       than {@link Builder#backoffResetAfter} resets the back-off.
 *   <li><b>Stop</b> sends SIGTERM to every process of the instance's trees, SIGKILL to what is
 *       left after the {@link Builder#stopGracePeriod grace period}, and completes once all are
 *       gone. A container that exits by itself takes its remaining processes with it.
 *   <li><b>Limits</b> ({@code platform_requirements.cpu/memory.limits}) are enforced with one
 *       cgroup v2 group per container when {@link CgroupCapability#enforced()}; otherwise the
 *       instance runs without them and its RUNNING reason says so.
 *   <li><b>Usage.</b> Every {@link Builder#sampleInterval sample interval} the runtime reads CPU
 *       time and resident memory of each instance (its cgroup, else {@code /proc/<pid>} of the
 *       whole tree), keeps them for {@link #usage()} and writes {@code component_cpu_utilization},
 *       {@code component_cpu_seconds_total}, {@code component_memory_bytes} and {@code
 *       component_restarts_total} (labels node, app, component, instance) to the metrics sink. It
 *       also rotates the log files then.
 * </ul>
 *
 * <p>Thread-safe. Status listeners are called on the thread that made the change, while the
 * runtime is locked, so they must be quick.
 */
public final class ProcessRuntime implements Runtime, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ProcessRuntime.class.getName());
  private static final int MAX_TERMINAL = 64;
  private static final long STOP_POLL_MILLIS = 50;

  private final String nodeName;
  private final Path logDirectory;
  private final Path workingDirectory;
  /** Where each instance gets a private writable directory; made on first use (null until). */
  private Path scratchRoot;
  private final boolean ownScratchRoot;
  /** Instances run as this user; null: as the agent's own (it could not drop privileges). */
  private final WorkloadUser runAs;
  private final Supplier<TelemetryEndpoint> telemetry;
  private final CgroupCapability cgroups;
  private final ScheduledExecutorService executor;
  private final boolean ownExecutor;
  private final LongSupplier clock;
  private final long backoffInitialMillis;
  private final long backoffMaxMillis;
  private final long backoffResetMillis;
  private final long graceMillis;
  private final long logMaxBytes;
  private final int logFilesKept;
  private final SampleSink metrics;
  private final LaunchPlanner planner;
  private final ProcTree procTree;
  private final Path procRoot;
  private final List<Consumer<InstanceStatus>> listeners = new CopyOnWriteArrayList<>();
  private final ScheduledFuture<?> sampler;

  // Guarded by `this`.
  private final Map<String, Inst> instances = new LinkedHashMap<>();
  private boolean closed;
  private boolean described;
  private boolean cgroupFailureLogged;

  private ProcessRuntime(Builder b) {
    this.nodeName = b.nodeName;
    this.logDirectory = Objects.requireNonNull(b.logDirectory, "logDirectory");
    this.workingDirectory = b.workingDirectory;
    this.scratchRoot = b.scratchRoot;
    this.ownScratchRoot = b.scratchRoot == null;
    this.runAs = b.runAs;
    this.telemetry = b.telemetry;
    this.cgroups = b.cgroups != null ? b.cgroups : CgroupCapability.detect();
    this.ownExecutor = b.executor == null;
    this.executor = ownExecutor ? Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "process-runtime-" + b.nodeName);
      t.setDaemon(true);
      return t;
    }) : b.executor;
    this.clock = b.clock;
    this.backoffInitialMillis = b.backoffInitial.toMillis();
    this.backoffMaxMillis = b.backoffMax.toMillis();
    this.backoffResetMillis = b.backoffResetAfter.toMillis();
    this.graceMillis = b.stopGracePeriod.toMillis();
    this.logMaxBytes = b.logMaxBytes;
    this.logFilesKept = b.logFilesKept;
    this.metrics = b.metrics;
    this.planner = new LaunchPlanner(nodeName, b.nodeIp, b.environment, workingDirectory);
    this.procTree = new ProcTree(b.procRoot, b.clockTicksPerSecond);
    this.procRoot = b.procRoot;
    long every = b.sampleInterval.toMillis();
    this.sampler = every > 0
        ? executor.scheduleWithFixedDelay(this::sampleSafely, every, every, TimeUnit.MILLISECONDS)
        : null;
  }

  /** A builder for the runtime of node {@code nodeName}; see its setters for the defaults. */
  public static Builder builder(String nodeName) {
    return new Builder(nodeName);
  }

  @Override
  public String nodeName() {
    return nodeName;
  }

  /** Whether CPU and memory limits are enforced on this machine, and why not. */
  public CgroupCapability cgroups() {
    return cgroups;
  }

  /** Where the log files of an instance are ({@code stdout.log}, {@code stderr.log}, …). */
  public Path logDirectory(String instanceId) {
    return logDirectory.resolve(dirName(instanceId));
  }

  @Override
  public synchronized CompletionStage<InstanceStatus> start(InstanceSpec spec) {
    Objects.requireNonNull(spec, "spec");
    Inst existing = instances.get(spec.instanceId());
    if (existing != null && !existing.state.isTerminal()) {
      return CompletableFuture.completedFuture(existing.status());
    }
    Inst inst = new Inst(spec);
    instances.remove(spec.instanceId());
    forgetOldestTerminal();
    instances.put(spec.instanceId(), inst);
    List<Runnable> events = new ArrayList<>();
    if (closed) {
      transition(inst, InstanceState.FAILED, "the process runtime of node " + nodeName
          + " is closed", events);
      dispatch(events);
      return CompletableFuture.completedFuture(inst.status());
    }
    transition(inst, InstanceState.STARTING, "starting", events);
    String problem;
    try {
      problem = launchAll(inst, spec);
    } catch (RuntimeException e) {
      // Whatever went wrong is this instance's failure, not the caller's exception.
      LOG.log(Level.WARNING, "node " + nodeName + ": cannot start " + spec.instanceId(), e);
      problem = "cannot start: " + e;
    }
    if (problem != null) {
      for (Ctr c : inst.ctrs) {
        killTree(c);
        if (c.cgroup != null) {
          c.cgroup.remove();
        }
      }
      transition(inst, InstanceState.FAILED, problem, events);
    } else {
      refresh(inst, events);
    }
    dispatch(events);
    return CompletableFuture.completedFuture(inst.status());
  }

  /** Plans and starts every container; returns why it failed, or null. */
  private String launchAll(Inst inst, InstanceSpec spec) {
    List<ContainerPlan> plans;
    try {
      plans = planner.plan(spec, telemetry.get());
    } catch (LaunchException e) {
      return e.getMessage();
    }
    String portProblem = checkPorts(inst, plans);
    if (portProblem != null) {
      return portProblem;
    }
    if (runAs != null) {
      String holder = runAs.claim(spec.app());
      if (holder != null) {
        // Sharing an id would let either app read the other's environment and files.
        return "app " + spec.app() + " would run as user id " + runAs.forApp(spec.app()).uid()
            + ", which app " + holder + " holds on this host: rename the app";
      }
    }
    Path dir = logDirectory.resolve(inst.dirName);
    try {
      // What instances print is their owners' business: 0700 directories, 0600 files (the
      // process writes to descriptors this agent opened, whatever the file's owner).
      Files.createDirectories(dir);
      Scratch.restrict(logDirectory, "rwx------");
      Scratch.restrict(dir, "rwx------");
      for (ContainerPlan plan : plans) {
        String prefix = plan.index() == 0 ? "" : "container-" + plan.index() + ".";
        for (String name : List.of(prefix + "stdout.log", prefix + "stderr.log")) {
          Path f = dir.resolve(name);
          if (!Files.exists(f)) {
            Files.createFile(f);
          }
          Scratch.restrict(f, "rw-------");
        }
      }
    } catch (IOException e) {
      return "cannot create the log directory " + dir + ": " + e.getMessage();
    }
    try {
      if (scratchRoot == null) {
        // A fresh, unguessable directory (0700 until Scratch opens it for entering): nothing a
        // tenant made beforehand under a name it could predict is ever used.
        scratchRoot = Files.createTempDirectory("mls-scratch-" + dirName(nodeName) + "-");
      }
      inst.scratch = Scratch.create(scratchRoot, inst.dirName,
          runAs == null ? null : runAs.forApp(spec.app()));
    } catch (IOException e) {
      return "cannot create the instance's scratch directory under " + scratchRoot + ": "
          + e.getMessage();
    }
    RestartPolicy policy = spec.component().restartPolicy() == null ? RestartPolicy.ALWAYS
        : spec.component().restartPolicy();
    inst.policy = policy;
    for (ContainerPlan plan : plans) {
      String prefix = plan.index() == 0 ? "" : "container-" + plan.index() + ".";
      Ctr c = new Ctr(inst, plan,
          new RotatingLog(dir.resolve(prefix + "stdout.log"), logMaxBytes, logFilesKept),
          new RotatingLog(dir.resolve(prefix + "stderr.log"), logMaxBytes, logFilesKept));
      inst.ctrs.add(c);
      if (cgroups.enforced()) {
        try {
          c.cgroup = InstanceCgroup.create(cgroups.parent(),
              "mls-" + dirName(nodeName) + "-" + inst.dirName + "-c" + plan.index(),
              plan.cpuLimitMillis(), plan.memoryLimitBytes());
        } catch (IOException e) {
          inst.limitsNote = "; limits not enforced: cannot create its cgroup: " + e.getMessage();
          if (!cgroupFailureLogged) {
            cgroupFailureLogged = true;
            LOG.log(Level.WARNING, "node " + nodeName + ": cannot create a cgroup for "
                + spec.instanceId() + " (" + e.getMessage()
                + "); running it without limits (logged once)");
          }
        }
      } else if (plan.hasLimits()) {
        inst.limitsNote = "; cpu/memory limits not enforced: " + cgroups.detail();
      }
    }
    for (Ctr c : inst.ctrs) {
      try {
        launch(c);
      } catch (IOException e) {
        return c.plan.field() + ".command: cannot start \"" + c.plan.argv().get(0) + "\": "
            + e.getMessage();
      }
    }
    return null;
  }

  private String checkPorts(Inst inst, List<ContainerPlan> plans) {
    for (ContainerPlan plan : plans) {
      for (ContainerPlan.PortBinding p : plan.ports()) {
        for (Inst other : instances.values()) {
          if (other != inst && !other.state.isTerminal() && other.declares(p)) {
            return p.field() + ": port " + p.port() + "/" + p.protocol()
                + " is already declared by instance " + other.spec.instanceId()
                + " on this node (local processes share the host's ports)";
          }
        }
        String busy = portBusy(p);
        if (busy != null) {
          return p.field() + ": port " + p.port() + "/" + p.protocol()
              + " is already in use on this host (" + busy + ")";
        }
      }
    }
    return null;
  }

  /** Tries to bind the port; returns why it is taken, or null when free (or not checkable). */
  private static String portBusy(ContainerPlan.PortBinding p) {
    try {
      InetSocketAddress at = p.hostIp() == null ? new InetSocketAddress(p.port())
          : new InetSocketAddress(InetAddress.getByName(p.hostIp()), p.port());
      if (p.protocol().equals("TCP")) {
        try (ServerSocket s = new ServerSocket()) {
          s.setReuseAddress(true);
          s.bind(at);
        }
      } else if (p.protocol().equals("UDP")) {
        try (DatagramSocket s = new DatagramSocket(null)) {
          s.bind(at);
        }
      }
      return null;
    } catch (BindException e) {
      return e.getMessage();
    } catch (IOException e) {
      // An unresolvable host_ip or the like: the process will report it better than we can.
      return null;
    }
  }

  /** Starts one container's process; called with the lock held. */
  private void launch(Ctr c) throws IOException {
    List<String> argv = c.plan.argv();
    if (runAs != null) {
      // Each app as a user of its own: one app's instances cannot read another's environment.
      argv = runAs.forApp(c.inst.spec.app()).wrap(argv);
    }
    if (c.cgroup != null) {
      // Joined as root, before privileges are dropped: the user cannot write cgroup.procs.
      // The shell joins the cgroup before it execs the command, so no child escapes the limits.
      List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c",
          "echo $$ > \"$0\" && exec \"$@\"", c.cgroup.procsFile().toString()));
      wrapped.addAll(argv);
      argv = wrapped;
    }
    // Its own directory, unless its descriptor names one (working_dir): nothing another tenant
    // writes is where it runs, and what it writes there is nobody else's.
    Path cwd = c.plan.workingDir() != null ? c.plan.workingDir()
        : c.inst.scratch != null ? c.inst.scratch : workingDirectory;
    ProcessBuilder pb = new ProcessBuilder(argv).directory(cwd.toFile());
    pb.environment().clear();
    pb.environment().putAll(c.plan.env());
    if (c.inst.scratch != null) {
      // Its own writable place also when it runs elsewhere, unless its descriptor says otherwise;
      // the agent's own HOME is not the instance's.
      for (String k : List.of("TMPDIR", "HOME")) {
        if (!setByDescriptor(c, k)) {
          pb.environment().put(k, c.inst.scratch.toString());
        }
      }
    }
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(c.out.file().toFile()));
    pb.redirectError(ProcessBuilder.Redirect.appendTo(c.err.file().toFile()));
    Process p = pb.start();
    c.process = p;
    c.startedAt = clock.getAsLong();
    c.tree.clear();
    c.tree.add(p.toHandle());
    c.lastCpuSeconds = -1;
    LOG.log(Level.DEBUG, "node " + nodeName + ": started " + c.inst.spec.instanceId() + " "
        + c.plan.field() + " as pid " + p.pid());
    p.onExit().whenComplete((done, error) -> {
      try {
        executor.execute(() -> onExit(c, p));
      } catch (RejectedExecutionException e) {
        onExit(c, p); // shutting down: handle it here
      }
    });
  }

  private synchronized void onExit(Ctr c, Process p) {
    if (c.process != p) {
      return; // a stale notification of an earlier run
    }
    c.process = null;
    Inst inst = c.inst;
    List<Runnable> events = new ArrayList<>();
    if (inst.stopping || inst.state.isTerminal()) {
      // Its tree was told to stop; the stop completes when the whole tree is gone.
      return;
    }
    int code = p.exitValue();
    boolean oom = c.cgroup != null && c.cgroup.newOomKill();
    // A container's processes go with it, as in a pod.
    killTree(c);
    String exit = exitText(code, oom);
    boolean failure = code != 0;
    if (failure) {
      String last = c.err.lastLine(200);
      if (!last.isEmpty()) {
        exit += ": " + last;
      }
    }
    RestartPolicy policy = inst.policy;
    boolean restart = !closed && (policy == RestartPolicy.ALWAYS
        || (policy == RestartPolicy.ON_FAILURE && failure));
    String where = inst.ctrs.size() > 1 ? c.plan.field() + " " : "";
    if (restart) {
      long ran = clock.getAsLong() - c.startedAt;
      if (ran >= backoffResetMillis) {
        c.consecutiveFailures = 0;
      }
      long delay = backoffMillis(c.consecutiveFailures);
      c.consecutiveFailures++;
      c.restarts++;
      c.restartTimer = executor.schedule(() -> relaunch(c), delay, TimeUnit.MILLISECONDS);
      transition(inst, InstanceState.STARTING, where + exit + "; restarting in "
          + seconds(delay) + " (restart " + c.restarts + ", restart_policy "
          + policy.wireName() + ")", events);
    } else {
      c.finished = true;
      c.failed = failure;
      c.exitText = where + exit + " (restart_policy " + policy.wireName() + ")";
      refresh(inst, events);
    }
    dispatch(events);
  }

  private synchronized void relaunch(Ctr c) {
    Inst inst = c.inst;
    c.restartTimer = null;
    if (inst.stopping || inst.state.isTerminal() || closed) {
      return;
    }
    List<Runnable> events = new ArrayList<>();
    try {
      launch(c);
    } catch (IOException e) {
      c.finished = true;
      c.failed = true;
      c.exitText = c.plan.field() + ".command: cannot restart \"" + c.plan.argv().get(0) + "\": "
          + e.getMessage();
    }
    refresh(inst, events);
    dispatch(events);
  }

  /** Back-off before restart number {@code n + 1}: initial × 2^n, at most max. */
  long backoffMillis(int n) {
    long d = backoffInitialMillis;
    for (int i = 0; i < n && d < backoffMaxMillis; i++) {
      d *= 2;
    }
    return Math.min(d, backoffMaxMillis);
  }

  /** Sets the instance's state from its containers'. */
  private void refresh(Inst inst, List<Runnable> events) {
    if (inst.stopping || inst.state.isTerminal()) {
      return;
    }
    boolean allFinished = true;
    boolean restarting = false;
    Ctr failed = null;
    Ctr last = null;
    List<Long> pids = new ArrayList<>();
    int restarts = 0;
    for (Ctr c : inst.ctrs) {
      allFinished &= c.finished;
      restarting |= c.restartTimer != null;
      restarts += c.restarts;
      if (c.failed && failed == null) {
        failed = c;
      }
      if (c.finished) {
        last = c;
      }
      if (c.process != null) {
        pids.add(c.process.pid());
      }
    }
    if (allFinished) {
      removeCgroups(inst);
      if (failed != null) {
        transition(inst, InstanceState.FAILED, failed.exitText, events);
      } else {
        transition(inst, InstanceState.STOPPED, "completed: " + last.exitText, events);
      }
    } else if (!restarting) {
      String pidText = pids.size() == 1 ? "pid " + pids.get(0) : "pids " + pids;
      String restartText = restarts == 0 ? "" : ", restarted " + restarts
          + (restarts == 1 ? " time" : " times");
      transition(inst, InstanceState.RUNNING,
          "running (" + pidText + restartText + ")" + inst.limitsNote, events);
    }
  }

  @Override
  public synchronized CompletionStage<Void> stop(String instanceId) {
    Inst inst = instances.get(instanceId);
    if (inst == null || inst.state.isTerminal()) {
      return CompletableFuture.completedFuture(null);
    }
    if (inst.stopping) {
      return inst.stopped.copy();
    }
    inst.stopping = true;
    inst.stopped = new CompletableFuture<>();
    boolean any = false;
    for (Ctr c : inst.ctrs) {
      if (c.restartTimer != null) {
        c.restartTimer.cancel(false);
        c.restartTimer = null;
      }
      for (ProcessHandle h : liveTree(c)) {
        h.destroy(); // SIGTERM
        any = true;
      }
    }
    if (!any) {
      finishStop(inst);
    } else {
      inst.killTimer = executor.schedule(() -> forceStop(inst), graceMillis,
          TimeUnit.MILLISECONDS);
      scheduleStopCheck(inst);
    }
    return inst.stopped.copy();
  }

  private static boolean setByDescriptor(Ctr c, String name) {
    InstanceSpec spec = c.inst.spec;
    if (spec.env().containsKey(name)) {
      return true;
    }
    var containers = spec.component().containers();
    return c.plan.index() < containers.size() && containers.get(c.plan.index()).env().stream()
        .anyMatch(v -> name.equals(v.name()));
  }

  /**
   * Polls until no process of the instance runs. Polling rather than {@code onExit()}: a
   * grandchild is reaped by init, which may take its time, and an exited zombie counts as gone.
   */
  private void scheduleStopCheck(Inst inst) {
    try {
      executor.schedule(() -> checkStopped(inst), STOP_POLL_MILLIS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      finishStop(inst); // shutting down: no more waiting
    }
  }

  private synchronized void checkStopped(Inst inst) {
    if (inst.state.isTerminal()) {
      return;
    }
    for (Ctr c : inst.ctrs) {
      if (!liveTree(c).isEmpty()) {
        scheduleStopCheck(inst);
        return;
      }
    }
    finishStop(inst);
  }

  /** After the grace period: SIGKILL whatever of the tree is left. */
  private synchronized void forceStop(Inst inst) {
    if (inst.state.isTerminal()) {
      return;
    }
    for (Ctr c : inst.ctrs) {
      killTree(c);
    }
  }

  private synchronized void finishStop(Inst inst) {
    if (inst.state.isTerminal()) {
      return;
    }
    // Processes forked during the grace period may remain: they go too.
    for (Ctr c : inst.ctrs) {
      killTree(c);
      c.process = null;
    }
    if (inst.killTimer != null) {
      inst.killTimer.cancel(false);
    }
    removeCgroups(inst);
    List<Runnable> events = new ArrayList<>();
    transition(inst, InstanceState.STOPPED, "stopped on request", events);
    dispatch(events);
    inst.stopped.complete(null);
  }

  /** The live processes of a container: the root, its descendants, and earlier-seen members. */
  private List<ProcessHandle> liveTree(Ctr c) {
    Set<ProcessHandle> all = new LinkedHashSet<>();
    if (c.process != null) {
      ProcessHandle root = c.process.toHandle();
      all.add(root);
      root.descendants().forEach(all::add);
    }
    for (ProcessHandle h : c.tree) {
      all.add(h);
      h.descendants().forEach(all::add);
    }
    all.removeIf(h -> !running(h));
    // Only the living are kept: a script that forks a command per loop must not grow the set.
    c.tree.clear();
    c.tree.addAll(all);
    return new ArrayList<>(all);
  }

  /** Alive and not a zombie (which Java counts as alive until its parent reaps it). */
  private boolean running(ProcessHandle h) {
    if (!h.isAlive()) {
      return false;
    }
    try {
      String stat = Files.readString(procRoot.resolve(Long.toString(h.pid())).resolve("stat"),
          java.nio.charset.StandardCharsets.US_ASCII);
      int close = stat.lastIndexOf(')');
      return close < 0 || close + 2 >= stat.length() || stat.charAt(close + 2) != 'Z';
    } catch (IOException e) {
      return h.isAlive();
    }
  }

  /** SIGKILLs every live process of the container (and its cgroup). */
  private void killTree(Ctr c) {
    for (ProcessHandle h : liveTree(c)) {
      h.destroyForcibly();
    }
    if (c.cgroup != null) {
      c.cgroup.killAll();
    }
  }

  private static void removeCgroups(Inst inst) {
    for (Ctr c : inst.ctrs) {
      if (c.cgroup != null) {
        c.cgroup.remove();
      }
    }
  }

  @Override
  public synchronized List<InstanceStatus> instances() {
    List<InstanceStatus> out = new ArrayList<>(instances.size());
    for (Inst i : instances.values()) {
      out.add(i.status());
    }
    return out;
  }

  @Override
  public void onStatusChange(Consumer<InstanceStatus> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Per-instance figures of the latest sample, for the instances that are not terminal. */
  public synchronized List<InstanceUsage> usage() {
    List<InstanceUsage> out = new ArrayList<>();
    for (Inst i : instances.values()) {
      if (!i.state.isTerminal()) {
        out.add(i.usage(cgroups.enforced()));
      }
    }
    return out;
  }

  /**
   * Takes one sample now: reads every live instance's CPU and memory, writes them to the metrics
   * sink, and rotates log files over their limit. The sampler calls this every sample interval.
   */
  public synchronized void sample() {
    long now = clock.getAsLong();
    if (!described) {
      described = true;
      metrics.describe("component_cpu_utilization", new MetricMetadata(
          MetricMetadata.MetricType.GAUGE, "1", "CPU used over the CPU limit (else request,"
              + " else one core)"));
      metrics.describe("component_cpu_seconds_total", new MetricMetadata(
          MetricMetadata.MetricType.COUNTER, "s", "CPU time of the instance's processes"));
      metrics.describe("component_memory_bytes", new MetricMetadata(
          MetricMetadata.MetricType.GAUGE, "By", "resident memory of the instance"));
      metrics.describe("component_restarts_total", new MetricMetadata(
          MetricMetadata.MetricType.COUNTER, "1", "restarts by the restart policy"));
    }
    for (Inst inst : instances.values()) {
      if (inst.state.isTerminal()) {
        continue;
      }
      double cores = 0;
      double cpuSeconds = 0;
      long memory = 0;
      int restarts = 0;
      long referenceMillis = 0;
      List<Long> pids = new ArrayList<>();
      for (Ctr c : inst.ctrs) {
        rotate(c);
        restarts += c.restarts;
        referenceMillis += c.plan.cpuLimitMillis() > 0 ? c.plan.cpuLimitMillis()
            : c.plan.cpuRequestMillis();
        if (c.process == null) {
          continue;
        }
        List<ProcessHandle> tree = liveTree(c);
        List<Long> treePids = tree.stream().map(ProcessHandle::pid).toList();
        pids.addAll(treePids);
        ProcTree.Usage u = procTree.usage(treePids);
        double cpu = u.cpuSeconds();
        long mem = u.residentBytes();
        if (c.cgroup != null) {
          cpu = c.cgroup.cpuUsageMicros().stream().mapToDouble(us -> us / 1e6).findFirst()
              .orElse(cpu);
          mem = c.cgroup.memoryBytes().orElse(mem);
        }
        if (c.lastCpuSeconds >= 0 && now > c.lastSampleMillis) {
          c.cpuCores = Math.max(0, cpu - c.lastCpuSeconds) * 1000.0 / (now - c.lastSampleMillis);
        }
        c.lastCpuSeconds = cpu;
        c.lastSampleMillis = now;
        cores += c.cpuCores;
        cpuSeconds += cpu;
        memory += mem;
      }
      inst.lastUsage = new InstanceUsage(inst.spec.instanceId(), pids, cpuSeconds, cores, memory,
          restarts, cgroups.enforced() && inst.ctrs.stream().allMatch(c -> c.cgroup != null));
      double reference = referenceMillis > 0 ? referenceMillis / 1000.0 : 1.0;
      Labels l = inst.labels;
      emit(new Sample("component_cpu_utilization", l, now, cores / reference));
      emit(new Sample("component_cpu_seconds_total", l, now, cpuSeconds));
      emit(new Sample("component_memory_bytes", l, now, memory));
      emit(new Sample("component_restarts_total", l, now, restarts));
    }
  }

  private void emit(Sample s) {
    try {
      metrics.accept(s);
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "metrics sink refused a sample", e);
    }
  }

  private void rotate(Ctr c) {
    try {
      c.out.rotateIfNeeded();
      c.err.rotateIfNeeded();
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "cannot rotate the logs of " + c.inst.spec.instanceId(), e);
    }
  }

  private void sampleSafely() {
    try {
      sample();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "process runtime sample failed on node " + nodeName, e);
    }
  }

  /**
   * Stops every instance (SIGTERM, then SIGKILL after the grace period) and waits for them, at
   * most the grace period plus a second. Instances started after this fail at once.
   */
  @Override
  public void close() {
    List<CompletableFuture<Void>> stops = new ArrayList<>();
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      for (String id : List.copyOf(instances.keySet())) {
        stops.add(stop(id).toCompletableFuture());
      }
    }
    if (sampler != null) {
      sampler.cancel(false);
    }
    try {
      CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new))
          .get(graceMillis + 1000, TimeUnit.MILLISECONDS);
    } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
      LOG.log(Level.WARNING, "node " + nodeName + ": some instances did not stop in time");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (scratchRoot != null && ownScratchRoot) {
      Scratch.delete(scratchRoot); // what instances that did not stop in time left
    }
    if (ownExecutor) {
      executor.shutdownNow();
    }
  }

  private void transition(Inst i, InstanceState state, String reason, List<Runnable> events) {
    if (i.state == state && i.reason.equals(reason)) {
      return;
    }
    if (state == InstanceState.FAILED
        || (state == InstanceState.STARTING && i.state != InstanceState.STARTING)) {
      LOG.log(Level.INFO, "node " + nodeName + ": " + i.spec.instanceId() + " " + state + ": "
          + reason);
    }
    i.state = state;
    i.reason = reason;
    i.since = clock.getAsLong();
    if (state.isTerminal() && i.scratch != null) {
      // However it ended (stopped, failed, gave up): what it wrote is nobody's now.
      Scratch.delete(i.scratch);
      i.scratch = null;
    }
    InstanceStatus status = i.status();
    for (Consumer<InstanceStatus> l : listeners) {
      events.add(() -> l.accept(status));
    }
  }

  private void dispatch(List<Runnable> events) {
    for (Runnable r : events) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "a status listener threw", e);
      }
    }
  }

  private void forgetOldestTerminal() {
    int terminal = 0;
    String oldest = null;
    for (Inst i : instances.values()) {
      if (i.state.isTerminal()) {
        terminal++;
        if (oldest == null) {
          oldest = i.spec.instanceId();
        }
      }
    }
    if (terminal >= MAX_TERMINAL) {
      instances.remove(oldest);
    }
  }

  /** A file-system-safe name for an instance id: {@code app/c/0} → {@code app_c_0}. */
  static String dirName(String id) {
    String s = id.replaceAll("[^A-Za-z0-9._-]", "_");
    return s.startsWith(".") ? "_" + s : s;
  }

  private static String seconds(long millis) {
    if (millis < 1000) {
      return millis + " ms";
    }
    return millis % 1000 == 0 ? millis / 1000 + " s" : String.format(java.util.Locale.ROOT,
        "%.1f s", millis / 1000.0);
  }

  /** "exited with code 3", with the signal spelled out for 128 + n. */
  static String exitText(int code, boolean oomKilled) {
    if (oomKilled) {
      return "killed for exceeding its memory limit (OOMKilled, exit code " + code + ")";
    }
    if (code > 128 && code <= 128 + 64) {
      int sig = code - 128;
      String name = switch (sig) {
        case 1 -> "SIGHUP";
        case 2 -> "SIGINT";
        case 6 -> "SIGABRT";
        case 9 -> "SIGKILL";
        case 11 -> "SIGSEGV";
        case 13 -> "SIGPIPE";
        case 15 -> "SIGTERM";
        default -> "signal " + sig;
      };
      return "exited with code " + code + " (killed by " + name + ")";
    }
    return "exited with code " + code;
  }

  /** One instance. Guarded by the runtime's lock. */
  private final class Inst {
    final InstanceSpec spec;
    final String dirName;
    final Labels labels;
    final List<Ctr> ctrs = new ArrayList<>();
    RestartPolicy policy = RestartPolicy.ALWAYS;
    InstanceState state = InstanceState.STARTING;
    String reason = "";
    long since;
    String limitsNote = "";
    /** The instance's private writable directory ({@code TMPDIR}, {@code HOME}), or null. */
    Path scratch;
    boolean stopping;
    CompletableFuture<Void> stopped;
    ScheduledFuture<?> killTimer;
    InstanceUsage lastUsage;

    Inst(InstanceSpec spec) {
      this.spec = spec;
      this.dirName = ProcessRuntime.dirName(spec.instanceId());
      this.labels = Labels.of("node", nodeName, "app", spec.app(), "component",
          spec.componentName(), "instance", spec.instanceId());
    }

    InstanceStatus status() {
      return new InstanceStatus(spec.instanceId(), spec.app(), spec.componentName(), nodeName,
          state, reason, since);
    }

    boolean declares(ContainerPlan.PortBinding p) {
      for (Ctr c : ctrs) {
        for (ContainerPlan.PortBinding q : c.plan.ports()) {
          if (q.port() == p.port() && q.protocol().equals(p.protocol())) {
            return true;
          }
        }
      }
      return false;
    }

    InstanceUsage usage(boolean cgroupsOn) {
      if (lastUsage != null) {
        return lastUsage;
      }
      List<Long> pids = new ArrayList<>();
      int restarts = 0;
      for (Ctr c : ctrs) {
        restarts += c.restarts;
        if (c.process != null) {
          pids.add(c.process.pid());
        }
      }
      return new InstanceUsage(spec.instanceId(), pids, 0, 0, 0, restarts,
          cgroupsOn && ctrs.stream().allMatch(c -> c.cgroup != null));
    }
  }

  /** One container of an instance. Guarded by the runtime's lock. */
  private static final class Ctr {
    final Inst inst;
    final ContainerPlan plan;
    final RotatingLog out;
    final RotatingLog err;
    final Set<ProcessHandle> tree = new LinkedHashSet<>();
    InstanceCgroup cgroup;
    Process process;
    long startedAt;
    int restarts;
    int consecutiveFailures;
    ScheduledFuture<?> restartTimer;
    boolean finished;
    boolean failed;
    String exitText = "";
    double lastCpuSeconds = -1;
    long lastSampleMillis;
    double cpuCores;

    Ctr(Inst inst, ContainerPlan plan, RotatingLog out, RotatingLog err) {
      this.inst = inst;
      this.plan = plan;
      this.out = out;
      this.err = err;
    }
  }

  /** Builds a {@link ProcessRuntime}. */
  public static final class Builder {
    private final String nodeName;
    private String nodeIp = "127.0.0.1";
    private Path logDirectory;
    private Path workingDirectory = Path.of("").toAbsolutePath();
    private Path scratchRoot;
    private WorkloadUser runAs;
    private Supplier<TelemetryEndpoint> telemetry = () -> null;
    private CgroupCapability cgroups;
    private ScheduledExecutorService executor;
    private LongSupplier clock = System::currentTimeMillis;
    private Duration backoffInitial = Duration.ofSeconds(1);
    private Duration backoffMax = Duration.ofSeconds(60);
    private Duration backoffResetAfter = Duration.ofSeconds(60);
    private Duration stopGracePeriod = Duration.ofSeconds(5);
    private long logMaxBytes = 10L << 20;
    private int logFilesKept = 2;
    private Duration sampleInterval = Duration.ofSeconds(2);
    private SampleSink metrics = new SampleSink() {
      @Override
      public boolean accept(Sample sample) {
        return true;
      }

      @Override
      public void describe(String metric, MetricMetadata metadata) {}
    };
    private Map<String, String> environment = System.getenv();
    private Path procRoot = Path.of("/proc");
    private double clockTicksPerSecond = 100;

    private Builder(String nodeName) {
      Objects.requireNonNull(nodeName, "nodeName");
      if (nodeName.isBlank()) {
        throw new IllegalArgumentException("nodeName: must not be blank");
      }
      this.nodeName = nodeName;
    }

    /** The node's address: {@code status.hostIP} and {@code NODE_IP}; default 127.0.0.1. */
    public Builder nodeIp(String nodeIp) {
      this.nodeIp = Objects.requireNonNull(nodeIp, "nodeIp");
      return this;
    }

    /** Where per-instance log directories are made (required), e.g. {@code <data>/logs/<node>}. */
    public Builder logDirectory(Path dir) {
      this.logDirectory = Objects.requireNonNull(dir, "logDirectory");
      return this;
    }

    /**
     * The processes' working directory, against which relative commands and paths resolve;
     * default the JVM's.
     */
    /**
     * Runs every instance as {@code user} (see {@link WorkloadUser#detect}); by default instances
     * run as the agent's own user.
     */
    public Builder runAs(WorkloadUser user) {
      this.runAs = user;
      return this;
    }

    /**
     * Where each instance gets a private writable directory, given to it as {@code TMPDIR} and
     * {@code HOME} (unless its descriptor sets them), owned by its app's user with mode 0700 and
     * deleted when it ends. It must be this process's own directory (not a link). Default: a new
     * directory with an unguessable name under {@code java.io.tmpdir}, deleted on close.
     */
    public Builder scratchRoot(Path dir) {
      this.scratchRoot = Objects.requireNonNull(dir, "scratchRoot").toAbsolutePath();
      return this;
    }

    /**
     * What a relative {@code working_dir} and relative PATH entries are relative to (default: the
     * current directory). Instances that name no {@code working_dir} run in their own directory.
     */
    public Builder workingDirectory(Path dir) {
      this.workingDirectory = Objects.requireNonNull(dir, "workingDirectory").toAbsolutePath();
      return this;
    }

    /**
     * The node agent's OTLP receivers, read at each launch (they may be bound after the runtime is
     * built); with a null answer the endpoint variables are left as the {@link InstanceSpec#env()}
     * has them. Default: none.
     */
    public Builder telemetry(Supplier<TelemetryEndpoint> endpoint) {
      this.telemetry = Objects.requireNonNull(endpoint, "telemetry");
      return this;
    }

    /** The cgroup capability, detected once per JVM; default {@link CgroupCapability#detect()}. */
    public Builder cgroups(CgroupCapability cgroups) {
      this.cgroups = Objects.requireNonNull(cgroups, "cgroups");
      return this;
    }

    /**
     * Runs restarts, kill timers, exit handling and sampling; default a daemon thread of the
     * runtime's own, shut down on {@link #close()}.
     */
    public Builder executor(ScheduledExecutorService executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** Epoch milliseconds for status times and run lengths; default the system clock. */
    public Builder millis(LongSupplier clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Restart back-off: first delay and cap; default 1 s doubling up to 60 s. */
    public Builder backoff(Duration initial, Duration max) {
      if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
        throw new IllegalArgumentException("backoff: need 0 < initial <= max, got " + initial
            + ", " + max);
      }
      this.backoffInitial = initial;
      this.backoffMax = max;
      return this;
    }

    /** A run at least this long resets the back-off; default 60 s. */
    public Builder backoffResetAfter(Duration d) {
      this.backoffResetAfter = Objects.requireNonNull(d);
      return this;
    }

    /** Time between SIGTERM and SIGKILL on stop; default 5 s. */
    public Builder stopGracePeriod(Duration d) {
      if (d.isNegative()) {
        throw new IllegalArgumentException("stopGracePeriod: must not be negative, got " + d);
      }
      this.stopGracePeriod = d;
      return this;
    }

    /** Size at which a log file is rotated, and rotated copies kept; default 10 MiB and 2. */
    public Builder logLimits(long maxBytes, int filesKept) {
      if (maxBytes < 1 || filesKept < 0) {
        throw new IllegalArgumentException("logLimits: need maxBytes >= 1 and filesKept >= 0, got "
            + maxBytes + ", " + filesKept);
      }
      this.logMaxBytes = maxBytes;
      this.logFilesKept = filesKept;
      return this;
    }

    /** How often usage is sampled and logs rotated; default 2 s; zero turns the sampler off. */
    public Builder sampleInterval(Duration d) {
      if (d.isNegative()) {
        throw new IllegalArgumentException("sampleInterval: must not be negative, got " + d);
      }
      this.sampleInterval = d;
      return this;
    }

    /** Where usage samples go (e.g. the node agent's sink); default: discarded. */
    public Builder metrics(SampleSink sink) {
      this.metrics = Objects.requireNonNull(sink, "metrics");
      return this;
    }

    /**
     * The environment processes inherit before their own (the agent's {@code OTEL_*} variables
     * are never passed on); default this JVM's.
     */
    public Builder environment(Map<String, String> env) {
      this.environment = Map.copyOf(env);
      return this;
    }

    /** The proc file system (tests); default {@code /proc}. */
    Builder procRoot(Path proc) {
      this.procRoot = proc;
      return this;
    }

    /** Builds the runtime and starts its sampler. */
    public ProcessRuntime build() {
      return new ProcessRuntime(this);
    }
  }
}
