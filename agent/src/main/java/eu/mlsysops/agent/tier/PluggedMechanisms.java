package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.Mechanism;
import eu.mlsysops.agent.MechanismProvider;
import eu.mlsysops.agent.core.CpuFrequencyMechanism;
import eu.mlsysops.agent.engine.MechanismPlugins;
import eu.mlsysops.agent.plan.PlanScheduler;
import eu.mlsysops.model.AppDescriptor;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The plug-in mechanisms ({@link MechanismProvider}) the agents of an embedded continuum use, by
 * tier, as agent processes use those of their file's {@code mechanisms:}. Providers are found on
 * the class path and in the jars of each tier's policy directory; each agent of a tier gets its
 * own mechanism when it is made (nodes that join later too), closed with the continuum.
 */
final class PluggedMechanisms implements AutoCloseable {
  /** The mechanisms each tier has without plug-ins. */
  static final Map<String, List<String>> BUILT_IN = Map.of(
      "node", List.of(CpuFrequencyMechanism.NAME),
      "cluster", List.of(PlacementMechanism.NAME),
      "continuum", List.of(ClusterPlacementMechanism.NAME));

  private final Map<String, MechanismPlugins> plugins = new LinkedHashMap<>();
  private final Map<String, List<String>> byTier;
  private final Deque<AutoCloseable> made = new ArrayDeque<>();

  /**
   * @param byTier the plug-in names each tier's agents use (built-in names are allowed and skip)
   * @param policyRoot where each tier's policy directory is ({@code <root>/<tier>})
   * @throws IllegalArgumentException naming {@code mechanisms} for a tier that is none, or a name
   *     no provider has for the tier
   */
  PluggedMechanisms(Map<String, List<String>> byTier, Path policyRoot, ClassLoader loader) {
    this.byTier = Map.copyOf(byTier);
    for (Map.Entry<String, List<String>> e : this.byTier.entrySet()) {
      String tier = e.getKey();
      if (!BUILT_IN.containsKey(tier)) {
        throw new IllegalArgumentException("mechanisms: \"" + tier
            + "\" is not a tier (continuum, cluster, node)");
      }
      MechanismPlugins p = MechanismPlugins.load(loader, policyRoot.resolve(tier));
      for (String name : e.getValue()) {
        if (!BUILT_IN.get(tier).contains(name) && !p.namesFor(tier).contains(name)) {
          List<String> known = new java.util.ArrayList<>(BUILT_IN.get(tier));
          known.addAll(p.namesFor(tier));
          throw new IllegalArgumentException("mechanisms: \"" + name + "\" is not a mechanism of"
              + " a " + tier + " agent (" + String.join(", ", known) + ")");
        }
      }
      plugins.put(tier, p);
    }
  }

  static PluggedMechanisms none() {
    return new PluggedMechanisms(Map.of(), Path.of("."), PluggedMechanisms.class.getClassLoader());
  }

  /**
   * Makes the plug-in mechanisms of {@code tier} for one agent and registers them with its
   * scheduler.
   *
   * @throws IllegalArgumentException naming {@code mechanisms} when a provider cannot make its
   *     mechanism (the agent does not start)
   */
  void plugIn(String agent, String tier, PlanScheduler scheduler, Path dataDir, Clock clock,
      Function<String, Optional<AppDescriptor>> apps) {
    MechanismPlugins p = plugins.get(tier);
    if (p == null) {
      return;
    }
    MechanismProvider.Context context =
        new MechanismProvider.Context(agent, tier, dataDir, clock, apps);
    for (Mechanism m : p.create(byTier.get(tier), BUILT_IN.get(tier), context)) {
      if (m instanceof AutoCloseable c) {
        synchronized (made) { // agents are made on several threads (nodes join)
          made.push(c);
        }
      }
      scheduler.register(m);
    }
  }

  @Override
  public void close() {
    synchronized (made) {
      while (!made.isEmpty()) {
        try {
          made.pop().close();
        } catch (Exception e) {
          System.getLogger(PluggedMechanisms.class.getName()).log(System.Logger.Level.WARNING,
              "a plug-in mechanism failed to close: " + e.getMessage());
        }
      }
    }
  }
}
