package eu.mlsysops.agent.kernel;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Decides when a silent peer (a node to its cluster, a cluster to the continuum) is unreachable,
 * without false alarms on a busy machine. Three rules, from the detectors of Akka and Cassandra:
 *
 * <ul>
 *   <li><b>Phi accrual</b> (Hayashibara et al., 2004): each peer's heartbeat intervals are kept
 *       (the last {@value #MAX_SAMPLES}); a silence is judged by how unlikely it is given them
 *       ({@code phi = -log10(P(silence this long))}), so a peer whose heartbeats arrive irregularly
 *       gets more time. Suspected only above {@link #THRESHOLD}.
 *   <li><b>A floor</b>: never before {@code missed} heartbeat intervals of silence, so on a quiet
 *       machine detection is exactly as fast as a fixed count of missed heartbeats.
 *   <li><b>Our own pauses do not count</b>: when this process itself was stalled (a detection tick
 *       came much later than scheduled: GC, a saturated CPU), the stall is forgiven to every peer,
 *       as Cassandra does not mark nodes down after a local pause. No peer is judged in the first
 *       {@code missed} intervals after start either.
 * </ul>
 *
 * Not thread-safe: one agent's loop owns a detector and its peers.
 */
public final class FailureDetector {
  /** Phi above which a silent peer is suspected (Akka's and Cassandra's default). */
  public static final double THRESHOLD = 8.0;
  /** Heartbeat intervals kept per peer. */
  static final int MAX_SAMPLES = 100;

  private final long intervalMillis;
  private final long floorMillis;
  private final long minStdMillis;
  private final long startMillis;
  private final LongSupplier nanoTime;
  private final long tickNanos;
  /** A tick later than this after the previous one means this process was stalled. */
  private final long stallNanos;
  private long lastTickNanos;
  private boolean ticked;
  /** Every stall of this process so far, in milliseconds: forgiven to every peer. */
  private long forgivenMillis;
  private long stalls;

  /**
   * @param interval how often peers send heartbeats
   * @param missed heartbeats missed before a peer can be suspected (the floor)
   * @param tick how often {@link #tick} is called
   * @param nowMillis the agent's clock now (start-up grace)
   * @param nanoTime this process's monotonic time, to notice its own stalls ({@code System::nanoTime})
   */
  public FailureDetector(Duration interval, int missed, Duration tick, long nowMillis,
      LongSupplier nanoTime) {
    if (interval.toMillis() <= 0 || missed < 1) {
      throw new IllegalArgumentException("heartbeat interval and missed heartbeats must be positive");
    }
    this.intervalMillis = interval.toMillis();
    this.floorMillis = intervalMillis * missed;
    this.minStdMillis = Math.max(1, intervalMillis / 10);
    this.startMillis = nowMillis;
    this.nanoTime = Objects.requireNonNull(nanoTime);
    this.tickNanos = Math.max(1, tick.toNanos());
    // A stall shorter than a heartbeat interval cannot make a peer look silent for long.
    this.stallNanos = tickNanos + Math.max(interval.toNanos(), tickNanos);
  }

  /**
   * Call at every detection tick, before taking the heartbeats that arrived since the last one
   * and before judging: notices whether this process was stalled since the previous tick and
   * forgives the stall to every peer.
   *
   * @return the stall in milliseconds, 0 when there was none
   */
  public long tick() {
    return tick(nanoTime.getAsLong());
  }

  /** As {@link #tick()}, at {@code nowNanos} of this process's monotonic time. */
  public long tick(long nowNanos) {
    long now = nowNanos;
    long previous = lastTickNanos;
    boolean first = !ticked;
    lastTickNanos = now;
    ticked = true;
    if (first || now - previous <= stallNanos) {
      return 0;
    }
    long stalledMillis = (now - previous - tickNanos) / 1_000_000;
    forgivenMillis += stalledMillis;
    stalls++;
    return stalledMillis;
  }

  /** How many stalls of this process were forgiven. */
  public long stalls() {
    return stalls;
  }

  /** Starts tracking a peer heard from at {@code nowMillis}. */
  public Peer peer(long nowMillis) {
    return new Peer(nowMillis);
  }

  /** Whether the peer's silence at {@code nowMillis} makes it unreachable. */
  public boolean suspects(Peer p, long nowMillis) {
    return nowMillis - startMillis > floorMillis && p.silentMillis(nowMillis) > floorMillis
        && p.phi(nowMillis) > THRESHOLD;
  }

  /** One peer's heartbeat arrivals. */
  public final class Peer {
    private final long[] intervals = new long[MAX_SAMPLES];
    private int count;
    private int next;
    private double sum;
    private double sumOfSquares;
    private long last;
    /** {@link #forgivenMillis} when this peer was last heard from. */
    private long forgivenAtLast;

    private Peer(long nowMillis) {
      // Seeded as Akka does: mean one interval, standard deviation a quarter of it.
      add(intervalMillis - intervalMillis / 4);
      add(intervalMillis + intervalMillis / 4);
      last = nowMillis;
      forgivenAtLast = forgivenMillis;
    }

    /** The peer was heard from. */
    public void heartbeat(long nowMillis) {
      long gap = silentMillis(nowMillis);
      if (gap > 0) {
        add(gap);
      }
      last = nowMillis;
      forgivenAtLast = forgivenMillis;
    }

    /** How long the peer has been silent, this process's own stalls not counted. */
    public long silentMillis(long nowMillis) {
      return Math.max(0, nowMillis - last - (forgivenMillis - forgivenAtLast));
    }

    /** How unlikely a silence this long is, given the peer's intervals (Akka's approximation). */
    public double phi(long nowMillis) {
      double mean = sum / count;
      double variance = Math.max(0, sumOfSquares / count - mean * mean);
      double std = Math.max(Math.sqrt(variance), minStdMillis);
      double y = (silentMillis(nowMillis) - mean) / std;
      double e = Math.exp(-y * (1.5976 + 0.070566 * y * y));
      return silentMillis(nowMillis) > mean ? -Math.log10(e / (1.0 + e))
          : -Math.log10(1.0 - 1.0 / (1.0 + e));
    }

    private void add(long interval) {
      if (count == MAX_SAMPLES) {
        long old = intervals[next];
        sum -= old;
        sumOfSquares -= (double) old * old;
      } else {
        count++;
      }
      intervals[next] = interval;
      next = (next + 1) % MAX_SAMPLES;
      sum += interval;
      sumOfSquares += (double) interval * interval;
    }
  }
}
