package eu.mlsysops.agent;

import java.util.Map;
import java.util.Objects;

/**
 * One action for one mechanism, e.g. {@code cpu_frequency set {ghz=1.8}} or {@code placement move
 * {app=a, component=c, from=n1, to=n2}}.
 *
 * @param mechanism the mechanism's name
 * @param action what the mechanism should do (the mechanism defines its actions)
 * @param args action arguments, as strings so that plans serialise and forward unchanged
 */
public record Command(String mechanism, String action, Map<String, String> args) {
  public Command {
    Objects.requireNonNull(mechanism, "mechanism");
    Objects.requireNonNull(action, "action");
    args = Map.copyOf(args);
  }

  /** A command from alternating key/value arguments. */
  public static Command of(String mechanism, String action, String... keyValues) {
    if (keyValues.length % 2 != 0) {
      throw new IllegalArgumentException("command args need key/value pairs");
    }
    java.util.LinkedHashMap<String, String> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put(keyValues[i], keyValues[i + 1]);
    }
    return new Command(mechanism, action, m);
  }

  /** An argument, or the given default. */
  public String arg(String key, String orElse) {
    return args.getOrDefault(key, orElse);
  }

  @Override
  public String toString() {
    return mechanism + " " + action + " " + new java.util.TreeMap<>(args);
  }
}
