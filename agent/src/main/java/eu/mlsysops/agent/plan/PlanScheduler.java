package eu.mlsysops.agent.plan;

import eu.mlsysops.agent.ApplyResult;
import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.Mechanism;
import eu.mlsysops.agent.Plan;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Decides when plans run. Unlike the reference's one-second FIFO, a plan starts the moment its
 * mechanisms are free, and:
 *
 * <ul>
 *   <li>conflicts are per mechanism: an exclusive mechanism runs one plan at a time, a
 *       multi-instance one runs plans for different targets (its conflict keys) in parallel;
 *   <li>core plans go before user plans; a core plan discards pending user plans on the same
 *       mechanism key, and a newer plan from the same policy and app supersedes a pending older one
 *       on the same key;
 *   <li>every plan has a TTL (default 60 s) after which it is {@code TimedOut};
 *   <li>retriable failures are retried with exponential backoff within the TTL;
 *   <li>plan ids are idempotent: submitting a known id returns the existing plan.
 * </ul>
 *
 * <p>Every transition goes to the {@link PlanLog} and to listeners. The scheduler dispatches on the
 * submitting thread (so reaction latency has no hand-off) and, for retries and timeouts, on a timer:
 * its own thread, or with {@link Builder#shared} a step scheduled on shared executors at the next
 * deadline (so a thousand agents need no thousand threads); {@link #runOnce(long)} is the whole
 * step, so tests drive it with a fake clock.
 */
public final class PlanScheduler implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(PlanScheduler.class.getName());

  private final String agent;
  private final Clock clock;
  private final PlanLog log;
  private final Duration ttl;
  private final int maxAttempts;
  private final Duration backoff;
  private final int retainTerminal;
  private final Map<String, Mechanism> mechanisms = new HashMap<>();
  private final List<Consumer<PlanRecord>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private final Map<String, Entry> plans = new LinkedHashMap<>();
  // Unfinished plans only, so that dispatch costs O(active), not O(history).
  private final Map<String, Entry> active = new LinkedHashMap<>();
  private int terminalCount;
  private final Map<String, Entry> keyHolders = new HashMap<>();
  private final AtomicLong sequence = new AtomicLong();
  private volatile boolean running;
  private Thread timer;
  /** With shared executors: where steps are timed and where they run. */
  private final java.util.concurrent.ScheduledExecutorService sharedTimers;
  private final java.util.concurrent.Executor sharedWorkers;
  /** With shared executors, guarded by the lock: the next step and when it is due. */
  private java.util.concurrent.ScheduledFuture<?> step;
  private long stepAtNanos;

  private PlanScheduler(Builder b) {
    this.agent = b.agent;
    this.clock = b.clock;
    this.log = b.log;
    this.ttl = b.ttl;
    this.maxAttempts = b.maxAttempts;
    this.backoff = b.backoff;
    this.retainTerminal = b.retainTerminal;
    this.sharedTimers = b.sharedTimers;
    this.sharedWorkers = b.sharedWorkers;
  }

  /**
   * A builder. Defaults: system clock, a log that keeps nothing, TTL 60 s, 5 attempts, backoff
   * starting at 200 ms and doubling, 10,000 finished plans kept in memory.
   */
  public static Builder builder(String agent) {
    return new Builder(agent);
  }

  /** Adds (or replaces) a mechanism plans can use. */
  public void register(Mechanism mechanism) {
    lock.lock();
    try {
      mechanisms.put(mechanism.name(), mechanism);
    } finally {
      lock.unlock();
    }
  }

  /** The registered mechanisms by name. */
  public Map<String, Mechanism> mechanisms() {
    lock.lock();
    try {
      return Map.copyOf(mechanisms);
    } finally {
      lock.unlock();
    }
  }

  /** Registers a listener told about every transition (on the thread that made it). */
  public void onTransition(Consumer<PlanRecord> listener) {
    listeners.add(listener);
  }

  /**
   * Accepts a plan. Returns its record; for an id seen before, the existing record and nothing
   * else happens. Empty plans are not accepted.
   */
  public PlanRecord submit(PlanRequest request) {
    if (request.plan().isEmpty()) {
      throw new IllegalArgumentException("an empty plan has nothing to schedule");
    }
    long now = clock.millis();
    List<PlanRecord> events = new ArrayList<>();
    List<Start> starts;
    PlanRecord result;
    lock.lock();
    try {
      String id = request.id() != null ? request.id() : UUID.randomUUID().toString();
      Entry existing = plans.get(id);
      if (existing != null) {
        return existing.record;
      }
      PlanRecord rec =
          new PlanRecord(
              id, agent, request.policy(), request.app(), request.core(),
              stamped(request.plan(), id),
              request.plan().explanation(), request.plan().inputs(), PlanStatus.PENDING, "", now,
              now, 0);
      Entry entry = new Entry(rec, sequence.incrementAndGet());
      plans.put(id, entry);
      active.put(id, entry);
      events.add(rec);
      discardPendingConflicts(entry, now, events);
      starts = dispatch(now, events);
      result = entry.record;
      wakeUp(now);
    } finally {
      lock.unlock();
    }
    publish(events);
    startAll(starts);
    return result;
  }

  /**
   * Discards every unfinished plan that concerns {@code app} (e.g. because the app was removed),
   * with the reason. A plan a mechanism is still applying keeps its keys until the mechanism
   * answers.
   *
   * @return how many plans were discarded
   */
  public int cancelApp(String app, String reason) {
    long now = clock.millis();
    List<PlanRecord> events = new ArrayList<>();
    lock.lock();
    try {
      for (Entry e : new ArrayList<>(active.values())) {
        if (e.record.app().equals(app)) {
          finish(e, PlanStatus.DISCARDED, reason, now, events);
        }
      }
      wakeUp(now);
    } finally {
      lock.unlock();
    }
    publish(events);
    return events.size();
  }

  /** A plan's latest record, if the scheduler still holds it. */
  public Optional<PlanRecord> get(String id) {
    lock.lock();
    try {
      return Optional.ofNullable(plans.get(id)).map(e -> e.record);
    } finally {
      lock.unlock();
    }
  }

  /** Plans not yet finished. */
  public List<PlanRecord> active() {
    lock.lock();
    try {
      return active.values().stream().map(e -> e.record).toList();
    } finally {
      lock.unlock();
    }
  }

  /**
   * One scheduling step at {@code nowMillis}: times out expired plans, dispatches plans whose
   * mechanisms are free and whose backoff has passed.
   *
   * @return milliseconds until the next step is needed
   */
  public long runOnce(long nowMillis) {
    List<PlanRecord> events = new ArrayList<>();
    List<Start> starts;
    long next;
    lock.lock();
    try {
      for (Entry e : new ArrayList<>(active.values())) {
        if (nowMillis >= e.record.createdMillis() + ttl.toMillis()) {
          String why =
              e.record.status() == PlanStatus.SCHEDULED
                  ? "not completed within the TTL of " + ttl.toSeconds() + " s"
                  : "not started within the TTL of " + ttl.toSeconds() + " s: "
                      + (e.waitingFor.isEmpty() ? "waiting for retry" : "waiting for " + e.waitingFor);
          finish(e, PlanStatus.TIMED_OUT, why, nowMillis, events);
        }
      }
      starts = dispatch(nowMillis, events);
      next = nextDeadline(nowMillis);
      evictOldTerminal();
    } finally {
      lock.unlock();
    }
    publish(events);
    startAll(starts);
    return next;
  }

  /** Starts the timer thread that runs {@link #runOnce} for retries and timeouts. */
  public void start() {
    lock.lock();
    try {
      if (running) {
        return;
      }
      running = true;
      if (sharedTimers != null) {
        scheduleStep(1000);
        return;
      }
      timer = new Thread(this::loop, "plan-scheduler-" + agent);
      timer.setDaemon(true);
      timer.start();
    } finally {
      lock.unlock();
    }
  }

  /** Wakes the timer: its thread, or an earlier shared step when a deadline moved closer. */
  private void wakeUp(long now) {
    wake.signalAll();
    if (sharedTimers != null && running) {
      scheduleStep(Math.max(1, Math.min(nextDeadline(now), 1000)));
    }
  }

  /** With the lock held: a shared step in {@code waitMillis}, unless one is due sooner. */
  private void scheduleStep(long waitMillis) {
    long at = System.nanoTime() + waitMillis * 1_000_000;
    if (step != null && !step.isDone() && stepAtNanos - at <= 0) {
      return;
    }
    if (step != null) {
      step.cancel(false);
    }
    stepAtNanos = at;
    try {
      step = sharedTimers.schedule(() -> sharedWorkers.execute(this::sharedStep), waitMillis,
          TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      step = null; // the process is stopping
    }
  }

  /** One step; the time to the next, between 1 ms and 1 s (1 s after a step that failed). */
  private long stepSafely() {
    try {
      return Math.max(1, Math.min(runOnce(clock.millis()), 1000));
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "plan scheduler step failed", e);
      return 1000;
    }
  }

  private void sharedStep() {
    if (!running) {
      return;
    }
    long wait = stepSafely();
    lock.lock();
    try {
      if (running) {
        if (step != null && step.isDone()) {
          step = null;
        }
        scheduleStep(wait);
      }
    } finally {
      lock.unlock();
    }
  }

  private void loop() {
    while (running) {
      long wait = stepSafely();
      lock.lock();
      try {
        if (running) {
          wake.await(wait, TimeUnit.MILLISECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } finally {
        lock.unlock();
      }
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      running = false;
      wake.signalAll();
      if (step != null) {
        step.cancel(false);
        step = null;
      }
    } finally {
      lock.unlock();
    }
    if (timer != null) {
      try {
        timer.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ---- internals; all called with the lock held unless said otherwise ----

  private void discardPendingConflicts(Entry incoming, long now, List<PlanRecord> events) {
    PlanRecord in = incoming.record;
    Set<String> inKeys = keysOf(in);
    for (Entry other : new ArrayList<>(active.values())) {
      if (other == incoming || other.record.status() != PlanStatus.PENDING) {
        continue;
      }
      PlanRecord o = other.record;
      String shared = null;
      for (String k : keysOf(o)) {
        if (inKeys.contains(k)) {
          shared = k;
          break;
        }
      }
      if (shared == null) {
        continue;
      }
      if (o.policy().equals(in.policy()) && o.app().equals(in.app())) {
        finish(other, PlanStatus.DISCARDED,
            "superseded by newer plan " + in.id() + " from the same policy", now, events);
      } else if (in.core() && !o.core()) {
        finish(other, PlanStatus.DISCARDED,
            "conflicts with core plan " + in.id() + " (" + in.policy() + ") on " + shared, now,
            events);
      }
    }
  }

  private List<Start> dispatch(long now, List<PlanRecord> events) {
    List<Entry> pending = new ArrayList<>();
    for (Entry e : active.values()) {
      if (e.record.status() == PlanStatus.PENDING && e.notBefore <= now) {
        pending.add(e);
      }
    }
    if (pending.isEmpty()) {
      return List.of();
    }
    pending.sort(
        Comparator.comparing((Entry e) -> !e.record.core())
            .thenComparingLong(e -> e.record.createdMillis())
            .thenComparingLong(e -> e.seq));
    Set<String> reservedThisPass = new HashSet<>();
    List<Start> starts = new ArrayList<>();
    for (Entry e : pending) {
      String unknown = unknownMechanism(e.record);
      if (unknown != null) {
        finish(e, PlanStatus.DISCARDED, "unknown mechanism \"" + unknown + "\" on agent " + agent,
            now, events);
        continue;
      }
      Set<String> keys = keysOf(e.record);
      String blocked = null;
      for (String k : keys) {
        Entry holder = keyHolders.get(k);
        if (holder != null) {
          blocked = k + " (busy with plan " + holder.record.id() + ")";
          break;
        }
        if (reservedThisPass.contains(k)) {
          blocked = k + " (reserved by a plan of higher priority)";
          break;
        }
      }
      if (blocked != null) {
        e.waitingFor = blocked;
        reservedThisPass.addAll(keys);
        continue;
      }
      reservedThisPass.addAll(keys);
      for (String k : keys) {
        keyHolders.put(k, e);
      }
      e.keys = keys;
      e.waitingFor = "";
      e.applying = true;
      e.generation++;
      int attempt = e.record.attempts() + 1;
      e.record = e.record.transition(PlanStatus.SCHEDULED, attemptText(attempt), now, attempt);
      events.add(e.record);
      starts.add(new Start(e, e.generation));
    }
    return starts;
  }

  private String attemptText(int attempt) {
    return attempt == 1 ? "" : "attempt " + attempt + " of " + maxAttempts;
  }

  private String unknownMechanism(PlanRecord r) {
    for (Command c : r.commands()) {
      if (!mechanisms.containsKey(c.mechanism())) {
        return c.mechanism();
      }
    }
    return null;
  }

  private Set<String> keysOf(PlanRecord r) {
    Set<String> keys = new HashSet<>();
    for (Command c : r.commands()) {
      Mechanism m = mechanisms.get(c.mechanism());
      if (m == null || m.exclusive()) {
        keys.add(c.mechanism());
      } else {
        keys.add(c.mechanism() + "/" + m.conflictKey(c));
      }
    }
    return keys;
  }

  private void finish(Entry e, PlanStatus status, String why, long now, List<PlanRecord> events) {
    if (e.applying) {
      // A mechanism is still working on it: keep its keys until the result arrives, or a second
      // plan could start on an exclusive mechanism that is still busy.
      e.releaseOnResult = true;
    } else {
      release(e);
    }
    active.remove(e.record.id());
    terminalCount++;
    e.generation++;
    e.record = e.record.transition(status, why, now, e.record.attempts());
    events.add(e.record);
  }

  private void release(Entry e) {
    for (String k : e.keys) {
      keyHolders.remove(k, e);
    }
    e.keys = Set.of();
  }

  private long nextDeadline(long now) {
    long next = Long.MAX_VALUE;
    for (Entry e : active.values()) {
      next = Math.min(next, e.record.createdMillis() + ttl.toMillis());
      if (e.record.status() == PlanStatus.PENDING && e.notBefore > now) {
        next = Math.min(next, e.notBefore);
      }
    }
    return next == Long.MAX_VALUE ? 1000 : Math.max(0, next - now);
  }

  private void evictOldTerminal() {
    var it = plans.values().iterator();
    while (terminalCount > retainTerminal && it.hasNext()) {
      if (it.next().record.status().isTerminal()) {
        it.remove();
        terminalCount--;
      }
    }
  }

  /**
   * A versioned plan's commands carry its version and id to the mechanism (which commits them
   * only while nothing changed since); a plan without a version is applied as it is.
   */
  private static List<Command> stamped(Plan plan, String id) {
    if (plan.version() == 0) {
      return plan.commands();
    }
    List<Command> out = new ArrayList<>(plan.commands().size());
    for (Command c : plan.commands()) {
      Map<String, String> args = new java.util.LinkedHashMap<>(c.args());
      args.put(Plan.VERSION_ARG, Long.toString(plan.version()));
      args.put(Plan.TOKEN_ARG, id);
      out.add(new Command(c.mechanism(), c.action(), args));
    }
    return out;
  }

  /** Runs a plan's commands in order, outside the lock. */
  private void startAll(List<Start> starts) {
    for (Start s : starts) {
      // A retried plan resumes at the command that failed; earlier ones already took effect.
      applyFrom(s, s.entry.nextCommand);
    }
  }

  private void applyFrom(Start s, int index) {
    List<Command> commands = s.entry.record.commands();
    if (index >= commands.size()) {
      complete(s, ApplyResult.success(""), true);
      return;
    }
    Command c = commands.get(index);
    Mechanism m;
    lock.lock();
    try {
      m = mechanisms.get(c.mechanism());
    } finally {
      lock.unlock();
    }
    CompletionStage<ApplyResult> stage;
    try {
      stage = m.apply(c);
    } catch (RuntimeException ex) {
      complete(s, ApplyResult.failure(c.mechanism() + " threw " + ex), false);
      return;
    }
    stage.whenComplete(
        (result, error) -> {
          if (error != null) {
            complete(s, ApplyResult.failure(c.mechanism() + " failed: " + rootMessage(error)), false);
          } else if (result == null || !result.isSuccess()) {
            complete(s, result == null ? ApplyResult.failure("no result") : result, false);
          } else {
            s.reasons.add(result.reason());
            s.entry.nextCommand = index + 1;
            applyFrom(s, index + 1);
          }
        });
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  private void complete(Start s, ApplyResult last, boolean allDone) {
    long now = clock.millis();
    List<PlanRecord> events = new ArrayList<>();
    List<Start> starts;
    lock.lock();
    try {
      Entry e = s.entry;
      e.applying = false;
      if (e.generation != s.generation || e.record.status() != PlanStatus.SCHEDULED) {
        // Timed out or discarded meanwhile: the late result changes nothing, but the plan's keys
        // are free only now.
        if (e.releaseOnResult) {
          e.releaseOnResult = false;
          release(e);
          starts = dispatch(now, events);
          wakeUp(now);
        } else {
          return;
        }
      } else {
        starts = completeCurrent(e, s, last, allDone, now, events);
      }
    } finally {
      lock.unlock();
    }
    publish(events);
    startAll(starts);
  }

  private List<Start> completeCurrent(
      Entry e, Start s, ApplyResult last, boolean allDone, long now, List<PlanRecord> events) {
    if (allDone) {
      String reasons = String.join("; ", s.reasons.stream().filter(r -> !r.isBlank()).toList());
      finish(e, PlanStatus.COMPLETED, reasons, now, events);
    } else if (last.outcome() == ApplyResult.Outcome.RETRIABLE_FAILURE
        && e.record.attempts() < maxAttempts) {
      long delay = backoff.toMillis() << Math.min(20, e.record.attempts() - 1);
      release(e);
      e.notBefore = now + delay;
      e.record =
          e.record.transition(
              PlanStatus.PENDING,
              "retry in " + delay + " ms after: " + last.reason(), now, e.record.attempts());
      events.add(e.record);
    } else if (last.outcome() == ApplyResult.Outcome.STALE && e.nextCommand == 0) {
      // Nothing of it took effect and its policy plans again: superseded, not failed.
      finish(e, PlanStatus.DISCARDED, last.reason(), now, events);
    } else {
      finish(e, PlanStatus.FAILED, last.reason(), now, events);
    }
    wakeUp(now);
    return dispatch(now, events);
  }

  private void publish(List<PlanRecord> events) {
    for (PlanRecord r : events) {
      log.record(r);
      for (Consumer<PlanRecord> l : listeners) {
        try {
          l.accept(r);
        } catch (RuntimeException ex) {
          LOG.log(System.Logger.Level.WARNING, "plan listener failed", ex);
        }
      }
    }
  }

  private static final class Entry {
    final long seq;
    PlanRecord record;
    Set<String> keys = Set.of();
    long notBefore;
    int generation;
    String waitingFor = "";
    int nextCommand;
    boolean applying;
    boolean releaseOnResult;

    Entry(PlanRecord record, long seq) {
      this.record = record;
      this.seq = seq;
    }
  }

  private static final class Start {
    final Entry entry;
    final int generation;
    final List<String> reasons = new java.util.concurrent.CopyOnWriteArrayList<>();

    Start(Entry entry, int generation) {
      this.entry = entry;
      this.generation = generation;
    }
  }

  /** Builder for {@link PlanScheduler}. */
  public static final class Builder {
    private final String agent;
    private Clock clock = Clock.systemUTC();
    private PlanLog log = PlanLog.discarding();
    private Duration ttl = Duration.ofSeconds(60);
    private int maxAttempts = 5;
    private Duration backoff = Duration.ofMillis(200);
    private int retainTerminal = 10_000;
    private java.util.concurrent.ScheduledExecutorService sharedTimers;
    private java.util.concurrent.Executor sharedWorkers;

    private Builder(String agent) {
      this.agent = Objects.requireNonNull(agent, "agent");
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    public Builder log(PlanLog log) {
      this.log = Objects.requireNonNull(log);
      return this;
    }

    public Builder ttl(Duration ttl) {
      if (ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("ttl must be positive");
      }
      this.ttl = ttl;
      return this;
    }

    public Builder maxAttempts(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1");
      }
      this.maxAttempts = n;
      return this;
    }

    public Builder backoff(Duration initial) {
      this.backoff = Objects.requireNonNull(initial);
      return this;
    }

    /**
     * Runs retries and timeouts as steps timed on {@code timers} and run on {@code workers}
     * (both shared with other agents) instead of on a thread of this scheduler's own.
     */
    public Builder shared(java.util.concurrent.ScheduledExecutorService timers,
        java.util.concurrent.Executor workers) {
      this.sharedTimers = Objects.requireNonNull(timers);
      this.sharedWorkers = Objects.requireNonNull(workers);
      return this;
    }

    public Builder retainTerminal(int n) {
      this.retainTerminal = n;
      return this;
    }

    public PlanScheduler build() {
      return new PlanScheduler(this);
    }
  }
}
