package eu.mlsysops.agent;

import eu.mlsysops.model.AppDescriptor;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Makes a {@link Mechanism} for an agent: mechanisms are plug-ins like policies. Providers are
 * found with {@link java.util.ServiceLoader} (list the class in {@code
 * META-INF/services/eu.mlsysops.agent.MechanismProvider} of a jar on the agent's classpath) and
 * an agent uses those its configuration names ({@code mechanisms: [placement, fluidity]}). The
 * agent's own mechanisms (the node's {@code cpu_frequency}, the cluster's {@code placement}) are
 * built in and need no provider.
 */
public interface MechanismProvider {
  /** The mechanism's name, as configurations and plans name it (e.g. {@code fluidity}). */
  String name();

  /** The tiers whose agents may use it: {@code node}, {@code cluster}, {@code continuum}. */
  Set<String> tiers();

  /**
   * Makes the mechanism for one agent.
   *
   * @throws RuntimeException with a sentence saying why it cannot (e.g. no API server reachable);
   *     the agent reports it and does not start
   */
  Mechanism create(Context context);

  /**
   * What a provider gets from the agent.
   *
   * @param agent the agent's name
   * @param tier its tier: {@code node}, {@code cluster} or {@code continuum}
   * @param dataDir where the agent keeps state
   * @param clock the agent's clock
   * @param apps an app's current descriptor by name, as the agent sees it
   */
  record Context(String agent, String tier, Path dataDir, Clock clock,
      Function<String, Optional<AppDescriptor>> apps) {
    public Context {
      Objects.requireNonNull(agent, "agent");
      Objects.requireNonNull(tier, "tier");
      Objects.requireNonNull(dataDir, "dataDir");
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(apps, "apps");
    }
  }
}
