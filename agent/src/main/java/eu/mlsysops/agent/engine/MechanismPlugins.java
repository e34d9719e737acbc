package eu.mlsysops.agent.engine;

import eu.mlsysops.agent.Mechanism;
import eu.mlsysops.agent.MechanismProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The {@link MechanismProvider}s on a class path and in the jars of an agent's policy directory
 * (as compiled policies are found there), and the mechanisms an agent's configuration enables
 * from them.
 */
public final class MechanismPlugins {
  private final Map<String, MechanismProvider> providers;

  private MechanismPlugins(Map<String, MechanismProvider> providers) {
    this.providers = providers;
  }

  /** The providers {@link ServiceLoader} finds through {@code loader}, by mechanism name. */
  public static MechanismPlugins load(ClassLoader loader) {
    return load(loader, null);
  }

  /**
   * The providers found through {@code loader} and in each {@code *.jar} of {@code jarDirectory}
   * (null or missing: none), each jar in a class loader of its own over this framework's.
   *
   * @throws IllegalStateException when two different providers name the same mechanism
   */
  public static MechanismPlugins load(ClassLoader loader, Path jarDirectory) {
    Map<String, MechanismProvider> found = new TreeMap<>();
    for (MechanismProvider p : ServiceLoader.load(MechanismProvider.class, loader)) {
      add(found, p, "the class path");
    }
    for (Path jar : jars(jarDirectory)) {
      URLClassLoader ucl;
      try {
        ucl = new URLClassLoader(new URL[] {jar.toUri().toURL()},
            MechanismProvider.class.getClassLoader());
      } catch (MalformedURLException e) {
        throw new IllegalStateException(jar + ": " + e.getMessage(), e);
      }
      // Only what the jar itself declares: its parent's providers were found above.
      for (ServiceLoader.Provider<MechanismProvider> sp :
          ServiceLoader.load(MechanismProvider.class, ucl).stream().toList()) {
        if (sp.type().getClassLoader() == ucl) {
          add(found, sp.get(), jar.getFileName().toString());
        }
      }
    }
    return new MechanismPlugins(found);
  }

  private static void add(Map<String, MechanismProvider> found, MechanismProvider p,
      String where) {
    MechanismProvider before = found.putIfAbsent(p.name(), p);
    if (before != null && before.getClass() != p.getClass()) {
      throw new IllegalStateException("two providers of mechanism \"" + p.name() + "\": "
          + before.getClass().getName() + " and " + p.getClass().getName() + " (" + where + ")");
    }
  }

  private static List<Path> jars(Path dir) {
    if (dir == null || !Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".jar"))
          .filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
    }
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
