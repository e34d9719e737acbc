package eu.mlsysops.model;

import java.util.Locale;

/**
 * What one app descriptor may ask for: every component and instance multiplies placement, status
 * and dry-run work, so a server bounds them ({@code mls up --app-limits}). A descriptor over a
 * limit is refused, naming it.
 *
 * @param components components per app
 * @param instances instances per app, all components together
 */
public record AppLimits(int components, int instances) {
  /** The most any server allows: beyond it one request is minutes of work. */
  public static final int MAX_COMPONENTS = 10_000;
  public static final int MAX_INSTANCES = 100_000;
  /** 100 components, 1,000 instances. */
  public static final AppLimits DEFAULT = new AppLimits(100, 1000);

  public AppLimits {
    if (components < 1 || components > MAX_COMPONENTS) {
      throw new IllegalArgumentException("components: must be 1 to " + MAX_COMPONENTS + ", got "
          + components);
    }
    if (instances < 1 || instances > MAX_INSTANCES) {
      throw new IllegalArgumentException("instances: must be 1 to " + MAX_INSTANCES + ", got "
          + instances);
    }
  }

  /**
   * Reads {@code components=N,instances=M} (either may be left out: the default stays).
   *
   * @throws IllegalArgumentException naming the part that is wrong
   */
  public static AppLimits parse(String text) {
    AppLimits l = DEFAULT;
    for (String part : text.split(",")) {
      String p = part.strip();
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      if (eq < 1) {
        throw new IllegalArgumentException("\"" + p + "\": expected NAME=NUMBER (components,"
            + " instances)");
      }
      String name = p.substring(0, eq).strip().toLowerCase(Locale.ROOT);
      String value = p.substring(eq + 1).strip();
      int n;
      try {
        n = Integer.parseInt(value);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + ": \"" + value + "\" is not a whole number");
      }
      l = switch (name) {
        case "components" -> new AppLimits(n, l.instances);
        case "instances" -> new AppLimits(l.components, n);
        default -> throw new IllegalArgumentException(
            "\"" + name + "\" is not an app limit (components, instances)");
      };
    }
    return l;
  }

  @Override
  public String toString() {
    return "components=" + components + ",instances=" + instances;
  }
}
