package eu.mlsysops.agent.engine;

import eu.mlsysops.agent.Policy;
import groovy.lang.GroovyClassLoader;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.codehaus.groovy.control.CompilationFailedException;

/**
 * Loads policies from a directory and keeps them in step with it: a file dropped in starts
 * running, a changed file is reloaded, a deleted file's policies stop — no restart needed. This is
 * how reference users work with {@code policy-*.py} files.
 *
 * <ul>
 *   <li>{@code *.groovy}: a Groovy class implementing {@link Policy} (no build step; Groovy accepts
 *       plain Java syntax too);
 *   <li>{@code *.jar}: compiled policies registered for {@link java.util.ServiceLoader} under
 *       {@code META-INF/services/eu.mlsysops.agent.Policy}.
 * </ul>
 *
 * A file that fails to compile or initialise is reported in {@link #errors()} and logged; it never
 * affects other policies or the agent. The directory is rescanned every {@code pollInterval}
 * (polling rather than inotify, so it also works on network and container file systems).
 */
public final class PolicyDirectory implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(PolicyDirectory.class.getName());

  private final Path directory;
  private final List<PolicyEngine> engines;
  private final Map<Path, List<Supplier<Policy<?>>>> factoriesByFile = new HashMap<>();
  private final Map<Path, Loaded> loaded = new HashMap<>();
  private final Map<Path, String> errors = new TreeMap<>();
  private ScheduledFuture<?> poller;

  /** Keeps one engine in step with the directory. */
  public PolicyDirectory(Path directory, PolicyEngine engine) {
    this(directory, List.of(engine));
  }

  /**
   * Keeps several engines in step with one directory (e.g. every node agent of an embedded
   * continuum): each file is compiled once and loaded into every engine.
   */
  public PolicyDirectory(Path directory, List<PolicyEngine> engines) {
    this.directory = Objects.requireNonNull(directory);
    this.engines = new java.util.concurrent.CopyOnWriteArrayList<>(engines);
  }

  /** The watched directory. */
  public Path directory() {
    return directory;
  }

  /** Adds an engine (e.g. of a node that just joined) and loads the current policies into it. */
  public synchronized void addEngine(PolicyEngine engine) {
    engines.add(engine);
    factoriesByFile.forEach((file, factories) -> {
      for (Supplier<Policy<?>> f : factories) {
        try {
          engine.add(f, file.getFileName().toString());
        } catch (IllegalArgumentException e) {
          LOG.log(System.Logger.Level.WARNING, e.getMessage());
        }
      }
    });
  }

  /** Removes an engine (a node that left); its policies are not touched. */
  public synchronized void removeEngine(PolicyEngine engine) {
    engines.remove(engine);
  }

  /** Scans now and then every {@code pollMillis} on {@code timers}. */
  public void start(ScheduledExecutorService timers, long pollMillis) {
    scan();
    poller = timers.scheduleWithFixedDelay(this::scanSafely, pollMillis, pollMillis, TimeUnit.MILLISECONDS);
  }

  private void scanSafely() {
    try {
      scan();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "scanning policy directory " + directory + " failed", e);
    }
  }

  /** Brings loaded policies in line with the directory's current content. */
  public synchronized void scan() {
    Map<Path, Long> present = new HashMap<>();
    if (Files.isDirectory(directory)) {
      try (Stream<Path> files = Files.list(directory)) {
        files
            .filter(p -> isPolicyFile(p) && Files.isRegularFile(p))
            .forEach(p -> present.put(p, stamp(p)));
      } catch (IOException e) {
        LOG.log(System.Logger.Level.WARNING, "cannot list " + directory + ": " + e.getMessage());
        return;
      }
    }
    for (Path p : new ArrayList<>(loaded.keySet())) {
      if (!present.containsKey(p)) {
        unload(p);
        LOG.log(System.Logger.Level.INFO, "policy file removed: " + p.getFileName());
      }
    }
    errors.keySet().removeIf(p -> !present.containsKey(p));
    for (Map.Entry<Path, Long> e : present.entrySet()) {
      Loaded current = loaded.get(e.getKey());
      if (current != null && current.stamp == e.getValue()) {
        continue;
      }
      if (current == null && e.getValue().equals(failedStamps.get(e.getKey()))) {
        continue; // still the same broken file
      }
      if (current != null) {
        unload(e.getKey());
      }
      load(e.getKey(), e.getValue());
    }
  }

  private final Map<Path, Long> failedStamps = new HashMap<>();

  /** Load problems by file name: what is wrong with each file that did not load. */
  public synchronized Map<String, String> errors() {
    Map<String, String> out = new TreeMap<>();
    errors.forEach((p, m) -> out.put(p.getFileName().toString(), m));
    return out;
  }

  /** Policy names loaded from each file. */
  public synchronized Map<String, List<String>> loaded() {
    Map<String, List<String>> out = new TreeMap<>();
    loaded.forEach((p, l) -> out.put(p.getFileName().toString(), List.copyOf(l.names)));
    return out;
  }

  private static boolean isPolicyFile(Path p) {
    String n = p.getFileName().toString();
    return n.endsWith(".groovy") || n.endsWith(".jar");
  }

  private static long stamp(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis() * 31 + Files.size(p);
    } catch (IOException e) {
      return -1;
    }
  }

  private void load(Path file, long stamp) {
    String name = file.getFileName().toString();
    List<String> names = new ArrayList<>();
    AutoCloseable loader = null;
    try {
      List<Supplier<Policy<?>>> factories = new ArrayList<>();
      if (name.endsWith(".groovy")) {
        GroovyClassLoader gcl = new GroovyClassLoader(Policy.class.getClassLoader());
        loader = gcl;
        factories.add(groovyFactory(gcl, file));
      } else {
        URLClassLoader ucl =
            new URLClassLoader(new URL[] {file.toUri().toURL()}, Policy.class.getClassLoader());
        loader = ucl;
        for (ServiceLoader.Provider<Policy> provider :
            ServiceLoader.load(Policy.class, ucl).stream().toList()) {
          Class<?> type = provider.type();
          factories.add(() -> instantiate(type));
        }
        if (factories.isEmpty()) {
          throw new IllegalArgumentException(
              "no policy found: the jar must list its classes in"
                  + " META-INF/services/eu.mlsysops.agent.Policy");
        }
      }
      for (Supplier<Policy<?>> f : factories) {
        boolean first = true;
        for (PolicyEngine engine : engines) {
          String policyName = engine.add(f, name);
          if (first) {
            names.add(policyName);
            first = false;
          }
        }
      }
      loaded.put(file, new Loaded(stamp, names, loader));
      factoriesByFile.put(file, factories);
      errors.remove(file);
      failedStamps.remove(file);
      LOG.log(System.Logger.Level.INFO, "loaded policies " + names + " from " + name);
    } catch (RuntimeException | LinkageError | IOException e) {
      removeEverywhere(names);
      closeQuietly(loader);
      String msg = e instanceof CompilationFailedException ? compactCompileError(e) : message(e);
      errors.put(file, msg);
      failedStamps.put(file, stamp);
      LOG.log(System.Logger.Level.WARNING, "policy file " + name + " not loaded: " + msg);
    }
  }

  private static Supplier<Policy<?>> groovyFactory(GroovyClassLoader gcl, Path file) throws IOException {
    Class<?> cls = gcl.parseClass(file.toFile());
    Class<?> policyClass = null;
    if (Policy.class.isAssignableFrom(cls)) {
      policyClass = cls;
    } else {
      for (Class<?> c : gcl.getLoadedClasses()) {
        if (Policy.class.isAssignableFrom(c)) {
          policyClass = c;
          break;
        }
      }
    }
    if (policyClass == null) {
      throw new IllegalArgumentException(
          "no class in " + file.getFileName() + " implements eu.mlsysops.agent.Policy");
    }
    Class<?> type = policyClass;
    return () -> instantiate(type);
  }

  private static Policy<?> instantiate(Class<?> type) {
    try {
      return (Policy<?>) type.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException(
          type.getName() + " needs a public no-argument constructor (" + message(e) + ")", e);
    }
  }

  private static String compactCompileError(Throwable e) {
    // Groovy's structured errors say where without the server's path to the file; its message
    // (boilerplate, the absolute path, a caret line that loses its place once joined) is the
    // fallback.
    if (e instanceof org.codehaus.groovy.control.MultipleCompilationErrorsException multi) {
      List<String> found = new ArrayList<>();
      for (Object m : multi.getErrorCollector().getErrors()) {
        if (m instanceof org.codehaus.groovy.control.messages.SyntaxErrorMessage syntax) {
          org.codehaus.groovy.syntax.SyntaxException x = syntax.getCause();
          found.add("line " + x.getLine() + ", column " + x.getStartColumn() + ": "
              + x.getOriginalMessage().replaceAll("\\s+", " ").trim());
        } else if (m instanceof org.codehaus.groovy.control.messages.ExceptionMessage ex) {
          found.add(message(ex.getCause()));
        }
      }
      if (!found.isEmpty()) {
        return "does not compile: " + String.join("; ", found);
      }
    }
    String m = e.getMessage() == null ? e.toString() : e.getMessage();
    List<String> lines = new ArrayList<>();
    for (String line : m.split("\n")) {
      if (!line.isBlank() && !line.startsWith("startup failed") && !line.matches("\\d+ errors?")) {
        lines.add(line.trim());
      }
    }
    return "does not compile: " + String.join(" | ", lines);
  }

  private static String message(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getMessage() == null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  private void unload(Path file) {
    Loaded l = loaded.remove(file);
    factoriesByFile.remove(file);
    if (l != null) {
      removeEverywhere(l.names);
      closeQuietly(l.loader);
    }
  }

  private void removeEverywhere(List<String> names) {
    for (PolicyEngine engine : engines) {
      for (String n : names) {
        engine.remove(n);
      }
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception ignored) {
      // Closing a class loader can only fail in ways we cannot act on.
    }
  }

  @Override
  public synchronized void close() {
    if (poller != null) {
      poller.cancel(false);
    }
    for (Path p : new ArrayList<>(loaded.keySet())) {
      unload(p);
    }
  }

  private record Loaded(long stamp, List<String> names, AutoCloseable loader) {}
}
