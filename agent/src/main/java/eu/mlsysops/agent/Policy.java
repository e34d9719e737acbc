package eu.mlsysops.agent;

/**
 * Management logic, separated from resource control: a policy looks at a {@link PolicyView} and
 * returns a {@link Plan}; it never acts on the world itself. Only the plan scheduler and {@link
 * Mechanism}s do.
 *
 * <p>Same life cycle as the reference's {@code policy-*.py} files: {@code initialize} once, then
 * {@code analyze} periodically and whenever a subscribed metric gets a new sample, and {@code plan}
 * when analyze says so. An instance is never called concurrently with itself; state kept in fields
 * is the reference's {@code context}. A policy with {@link PolicyContext.Scope#APPLICATION} scope
 * gets one instance per app.
 */
public interface Policy {

  /** What the policy needs: metrics, interval, scope, whether it is a core policy. */
  PolicyContext initialize();

  /** Whether {@link #plan} should run now. Must be cheap: it runs on every wake-up. */
  boolean analyze(PolicyView view);

  /** The commands to apply; {@link Plan#empty()} when nothing needs to change. */
  Plan plan(PolicyView view);
}
