package eu.mlsysops.agent.tier;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A periodic task whose period can change while it runs (the negotiated telemetry export
 * interval): a shorter period takes effect at once, without waiting out the old one. A run that
 * throws is logged and the task keeps its schedule.
 */
final class IntervalTask implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(IntervalTask.class.getName());

  private final ScheduledExecutorService timers;
  private final Runnable body;
  private final String name;
  private long periodNanos;
  private long lastRunNanos = System.nanoTime();
  private ScheduledFuture<?> next;
  private boolean closed;

  IntervalTask(ScheduledExecutorService timers, String name, Duration period, Runnable body) {
    this.timers = Objects.requireNonNull(timers);
    this.name = name;
    this.body = Objects.requireNonNull(body);
    this.periodNanos = period.toNanos();
    scheduleNext();
  }

  /** Changes the period; the next run is due one new period after the previous run. */
  synchronized void setPeriod(Duration period) {
    if (closed || period.toNanos() == periodNanos) {
      return;
    }
    periodNanos = period.toNanos();
    if (next != null) {
      next.cancel(false);
    }
    scheduleNext();
  }

  synchronized Duration period() {
    return Duration.ofNanos(periodNanos);
  }

  private synchronized void scheduleNext() {
    if (closed) {
      return;
    }
    long delay = Math.max(0, lastRunNanos + periodNanos - System.nanoTime());
    next = timers.schedule(this::run, delay, TimeUnit.NANOSECONDS);
  }

  private void run() {
    synchronized (this) {
      if (closed) {
        return;
      }
      lastRunNanos = System.nanoTime();
    }
    try {
      body.run();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, name + " failed: " + e, e);
    }
    scheduleNext();
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (next != null) {
      next.cancel(false);
    }
  }
}
