package eu.mlsysops.orchestration;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * The offered load of one component in the {@link Simulation}: a request rate (requests per second)
 * as a function of time. Every model is a pure function of its parameters, the elapsed time and a
 * seed, so a simulation replays exactly.
 *
 * <p>Time is measured from the moment the model was set with {@link Simulation#setLoad} (or from
 * the start of the simulation for the default load), so a surge or a trace starts at its beginning
 * when it is applied.
 */
public sealed interface LoadModel
    permits LoadModel.Steady, LoadModel.Diurnal, LoadModel.Bursts, LoadModel.Trace {

  /**
   * The request rate of the whole component (all its instances together).
   *
   * @param elapsedMillis time since the model was set, non-negative
   * @param fullLoadRps the rate that keeps the component's declared instances exactly at 100% of
   *     their CPU limit (or request); used by {@link Trace}, which replays utilisation rather than
   *     a rate
   * @param seed randomness for {@link Bursts}; the simulation derives it from its own seed and the
   *     (app, component) name
   */
  double requestsPerSecond(long elapsedMillis, double fullLoadRps, long seed);

  /** A constant rate. */
  static LoadModel steady(double rps) {
    return new Steady(rps);
  }

  /** A sine wave around {@code mean}, never negative: {@code mean + amplitude·sin(2πt/period)}. */
  static LoadModel diurnal(double mean, double amplitude, Duration period) {
    return new Diurnal(mean, amplitude, period);
  }

  /**
   * A base rate with bursts at {@code burstRps} that last {@code durationSec} and start on average
   * every {@code meanIntervalSec} seconds, at seeded random times.
   */
  static LoadModel bursts(
      double base, double burstRps, double meanIntervalSec, double durationSec) {
    return new Bursts(base, burstRps, meanIntervalSec, durationSec);
  }

  /**
   * Replays a CPU-utilisation series (percent of the component's CPU limit or request, one value
   * every {@code step} of trace time), interpolating linearly and looping at the end. {@code
   * speedup} plays the trace faster than real time (60 plays five-minute samples every five
   * seconds).
   */
  static LoadModel trace(double[] utilisationPercent, Duration step, double speedup) {
    return new Trace(utilisationPercent, step, speedup);
  }

  /** A constant rate. */
  record Steady(double rps) implements LoadModel {
    public Steady {
      requireNonNegative(rps, "rps");
    }

    @Override
    public double requestsPerSecond(long elapsedMillis, double fullLoadRps, long seed) {
      return rps;
    }
  }

  /** A sine wave around a mean, clipped at zero. */
  record Diurnal(double mean, double amplitude, Duration period) implements LoadModel {
    public Diurnal {
      requireNonNegative(mean, "mean");
      requireNonNegative(amplitude, "amplitude");
      Objects.requireNonNull(period, "period");
      if (period.isZero() || period.isNegative()) {
        throw new IllegalArgumentException("period must be positive, got " + period);
      }
    }

    @Override
    public double requestsPerSecond(long elapsedMillis, double fullLoadRps, long seed) {
      double phase = 2 * Math.PI * (elapsedMillis % period.toMillis()) / period.toMillis();
      return Math.max(0, mean + amplitude * Math.sin(phase));
    }
  }

  /**
   * Bursts on a base rate. Time is cut into slots of one burst duration; each slot is a burst with
   * probability {@code durationSec / meanIntervalSec}, decided by hashing (seed, slot). This keeps
   * the model a pure function of time (any instant can be evaluated without replaying the past)
   * while bursts start on average every {@code meanIntervalSec}.
   */
  record Bursts(double base, double burstRps, double meanIntervalSec, double durationSec)
      implements LoadModel {
    public Bursts {
      requireNonNegative(base, "base");
      requireNonNegative(burstRps, "burstRps");
      if (!(meanIntervalSec > 0) || !(durationSec > 0)) {
        throw new IllegalArgumentException(
            "meanIntervalSec and durationSec must be positive, got "
                + meanIntervalSec
                + " and "
                + durationSec);
      }
    }

    @Override
    public double requestsPerSecond(long elapsedMillis, double fullLoadRps, long seed) {
      long slot = (long) Math.floor(elapsedMillis / (durationSec * 1000));
      double p = Math.min(1.0, durationSec / meanIntervalSec);
      return unitHash(seed, slot) < p ? burstRps : base;
    }

    /** SplitMix64 finaliser of (seed, slot), mapped to [0, 1). */
    private static double unitHash(long seed, long slot) {
      long z = seed + slot * 0x9E3779B97F4A7C15L;
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      z = z ^ (z >>> 31);
      return (z >>> 11) * 0x1.0p-53;
    }
  }

  /**
   * A replayed utilisation series. The rate is {@code fullLoadRps × u(t) / 100}, so the component's
   * declared instances run at {@code u(t)} percent of their CPU limit (or request) at the node's
   * maximum frequency.
   */
  record Trace(double[] utilisationPercent, Duration step, double speedup) implements LoadModel {
    public Trace {
      Objects.requireNonNull(utilisationPercent, "utilisationPercent");
      Objects.requireNonNull(step, "step");
      if (utilisationPercent.length == 0) {
        throw new IllegalArgumentException("a trace needs at least one value");
      }
      if (step.isZero() || step.isNegative()) {
        throw new IllegalArgumentException("step must be positive, got " + step);
      }
      if (!(speedup > 0)) {
        throw new IllegalArgumentException("speedup must be positive, got " + speedup);
      }
      utilisationPercent = utilisationPercent.clone();
      for (double u : utilisationPercent) {
        if (!(u >= 0)) {
          throw new IllegalArgumentException("utilisation must be non-negative, got " + u);
        }
      }
    }

    /** A copy of the series, so the record stays immutable. */
    @Override
    public double[] utilisationPercent() {
      return utilisationPercent.clone();
    }

    /** Utilisation in percent at {@code elapsedMillis} of simulated time. */
    public double utilisationAt(long elapsedMillis) {
      double position = elapsedMillis * speedup / step.toMillis();
      int n = utilisationPercent.length;
      double wrapped = position % n;
      int i = (int) Math.floor(wrapped);
      double frac = wrapped - i;
      // Looping interpolates from the last sample back to the first.
      double a = utilisationPercent[i];
      double b = utilisationPercent[(i + 1) % n];
      return a + (b - a) * frac;
    }

    @Override
    public double requestsPerSecond(long elapsedMillis, double fullLoadRps, long seed) {
      return fullLoadRps * utilisationAt(elapsedMillis) / 100.0;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Trace t
          && Arrays.equals(utilisationPercent, t.utilisationPercent)
          && step.equals(t.step)
          && Double.compare(speedup, t.speedup) == 0;
    }

    @Override
    public int hashCode() {
      return Objects.hash(Arrays.hashCode(utilisationPercent), step, speedup);
    }

    @Override
    public String toString() {
      return "Trace["
          + utilisationPercent.length
          + " samples, step="
          + step
          + ", speedup="
          + speedup
          + "]";
    }
  }

  private static void requireNonNegative(double v, String name) {
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(name + " must be a finite non-negative number, got " + v);
    }
  }
}
