package eu.mlsysops.agent.engine;

import eu.mlsysops.agent.Mechanism;
import eu.mlsysops.agent.MechanismProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The {@link MechanismProvider}s on a class path, and the mechanisms an agent's configuration
 * enables from them.
 */
public final class MechanismPlugins {
  private final Map<String, MechanismProvider> providers;

  private MechanismPlugins(Map<String, MechanismProvider> providers) {
    this.providers = providers;
  }

  /** The providers {@link ServiceLoader} finds through {@code loader}, by mechanism name. */
  public static MechanismPlugins load(ClassLoader loader) {
    Map<String, MechanismProvider> found = new TreeMap<>();
    for (MechanismProvider p : ServiceLoader.load(MechanismProvider.class, loader)) {
      MechanismProvider before = found.putIfAbsent(p.name(), p);
      if (before != null && before.getClass() != p.getClass()) {
        throw new IllegalStateException("two providers of mechanism \"" + p.name() + "\": "
            + before.getClass().getName() + " and " + p.getClass().getName());
      }
    }
    return new MechanismPlugins(found);
  }

  /** The names of the plug-in mechanisms an agent of {@code tier} may use. */
  public List<String> namesFor(String tier) {
    return providers.values().stream().filter(p -> p.tiers().contains(tier))
        .map(MechanismProvider::name).toList();
  }

  /**
   * Makes the plug-in mechanisms among {@code names} (built-in names are skipped: the agent has
   * those already).
   *
   * @throws IllegalArgumentException naming the {@code mechanisms} setting when a name is neither
   *     built in nor provided for the tier, or a provider cannot make its mechanism
   */
  public List<Mechanism> create(List<String> names, List<String> builtIn,
      MechanismProvider.Context context) {
    List<Mechanism> out = new ArrayList<>();
    for (String name : names) {
      if (builtIn.contains(name)) {
        continue;
      }
      MechanismProvider p = providers.get(name);
      if (p == null || !p.tiers().contains(context.tier())) {
        List<String> known = new ArrayList<>(builtIn);
        known.addAll(namesFor(context.tier()));
        throw new IllegalArgumentException("mechanisms: \"" + name + "\" is not a mechanism of a "
            + context.tier() + " agent (" + String.join(", ", known) + ")");
      }
      try {
        out.add(p.create(context));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("mechanisms: " + name + " cannot start: "
            + e.getMessage(), e);
      }
    }
    return out;
  }
}
