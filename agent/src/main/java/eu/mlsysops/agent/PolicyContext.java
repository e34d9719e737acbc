package eu.mlsysops.agent;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * What a policy declares at {@link Policy#initialize()}.
 *
 * @param name unique policy name within an agent (defaults to the policy's file or class name)
 * @param metrics metric names whose new samples wake the policy (every new sample: subscribe only
 *     to what must be reacted to at once)
 * @param analyzeInterval periodic analysis interval; a periodic analysis is skipped when another
 *     wake analyzed the policy in the last half interval, so at most 1.5 intervals pass between
 *     analyses
 * @param scope one instance per app, or one global instance
 * @param core core plans are scheduled before user plans and win conflicts against them
 * @param mechanisms mechanisms the policy's plans may use (informational, checked on submit)
 * @param mode the operating mode the policy runs in
 */
public record PolicyContext(
    String name, Set<String> metrics, Duration analyzeInterval, Scope scope, boolean core,
    Set<String> mechanisms, Mode mode) {

  /**
   * A metric name that stands for the {@code qos_metrics} ids of the app an application-scoped
   * instance serves: the instance wakes on new samples of its own app's QoS metrics.
   */
  public static final String APP_QOS_METRICS = "@qos";

  public PolicyContext {
    metrics = Set.copyOf(metrics);
    mechanisms = Set.copyOf(mechanisms);
    Objects.requireNonNull(analyzeInterval, "analyzeInterval");
    Objects.requireNonNull(scope, "scope");
    mode = mode == null ? Mode.ANY : mode;
    if (analyzeInterval.isNegative() || analyzeInterval.isZero()) {
      throw new IllegalArgumentException("analyzeInterval must be positive: " + analyzeInterval);
    }
  }

  /** A builder with defaults: no metrics, 10 s interval, global scope, not core. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /**
   * Which operating mode of the agents a policy belongs to. {@code mls manage set-mode} switches
   * the agents between heuristic and ML-driven operation: policies of the other mode pause.
   */
  public enum Mode {
    /** Runs in both modes (core placement, for example). */
    ANY,
    /** Hand-written rules; paused in ML mode. */
    HEURISTIC,
    /** Decisions from a model through the ML connector; paused in heuristic mode. */
    ML
  }

  /** Policy scope. */
  public enum Scope {
    /** One instance per deployed app, given that app in its view. */
    APPLICATION,
    /** One instance for the agent. */
    GLOBAL
  }

  /** Builder for {@link PolicyContext}. */
  public static final class Builder {
    private final String name;
    private Set<String> metrics = Set.of();
    private Duration analyzeInterval = Duration.ofSeconds(10);
    private Scope scope = Scope.GLOBAL;
    private boolean core;
    private Set<String> mechanisms = Set.of();
    private Mode mode = Mode.ANY;

    private Builder(String name) {
      this.name = name;
    }

    public Builder metrics(String... metrics) {
      this.metrics = Set.of(metrics);
      return this;
    }

    public Builder metrics(Set<String> metrics) {
      this.metrics = metrics;
      return this;
    }

    public Builder analyzeInterval(Duration interval) {
      this.analyzeInterval = interval;
      return this;
    }

    public Builder scope(Scope scope) {
      this.scope = scope;
      return this;
    }

    public Builder core(boolean core) {
      this.core = core;
      return this;
    }

    public Builder mechanisms(String... mechanisms) {
      this.mechanisms = Set.of(mechanisms);
      return this;
    }

    public Builder mode(Mode mode) {
      this.mode = mode;
      return this;
    }

    public PolicyContext build() {
      return new PolicyContext(name, metrics, analyzeInterval, scope, core, mechanisms, mode);
    }
  }
}
