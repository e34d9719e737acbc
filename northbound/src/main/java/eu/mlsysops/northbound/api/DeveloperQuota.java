package eu.mlsysops.northbound.api;

import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.model.Quantity;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * What all of one developer's apps may ask for together: apps, components, instances, and CPU and
 * memory requests (each component's requests times its instances). Admins have no quota. A deploy or
 * update over a quota is refused with 403, naming the quota, what it allows and what the
 * developer would use.
 *
 * @param apps apps
 * @param components components, all apps together
 * @param instances instances, all apps together
 * @param cpuMillis CPU requests in millicores
 * @param memoryBytes memory requests in bytes
 */
public record DeveloperQuota(int apps, int components, int instances, long cpuMillis,
    long memoryBytes) {
  /** 100 apps, 1,000 components, 1,000 instances, 64 cores, 256 GiB. */
  public static DeveloperQuota defaults() {
    return new DeveloperQuota(100, 1_000, 1_000, 64_000, 256L << 30);
  }

  /**
   * Parses {@code apps=10,instances=100,cpu=8,memory=16Gi}; fields not given keep their defaults.
   *
   * @throws IllegalArgumentException naming the field that is wrong
   */
  public static DeveloperQuota parse(String text) {
    DeveloperQuota q = defaults();
    for (String part : text.split(",")) {
      String p = part.strip();
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      if (eq < 1) {
        throw new IllegalArgumentException("\"" + p + "\": expected NAME=VALUE (apps, components,"
            + " instances, cpu, memory)");
      }
      String name = p.substring(0, eq).strip().toLowerCase(Locale.ROOT);
      String value = p.substring(eq + 1).strip();
      try {
        q = switch (name) {
          case "apps" -> new DeveloperQuota(positive(name, Integer.parseInt(value)), q.components,
              q.instances, q.cpuMillis, q.memoryBytes);
          case "components" -> new DeveloperQuota(q.apps, positive(name, Integer.parseInt(value)),
              q.instances, q.cpuMillis, q.memoryBytes);
          case "instances" -> new DeveloperQuota(q.apps, q.components,
              positive(name, Integer.parseInt(value)), q.cpuMillis, q.memoryBytes);
          case "cpu" -> new DeveloperQuota(q.apps, q.components, q.instances,
              positive(name, quantity(name, value).millis()), q.memoryBytes);
          case "memory" -> new DeveloperQuota(q.apps, q.components, q.instances, q.cpuMillis,
              positive(name, quantity(name, value).longValue()));
          default -> throw new IllegalArgumentException(
              "\"" + name + "\" is not a quota (apps, components, instances, cpu, memory)");
        };
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + ": \"" + value + "\" is not a number");
      }
    }
    return q;
  }

  private static Quantity quantity(String name, String value) {
    try {
      return Quantity.parse(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + ": \"" + value + "\" is not a quantity");
    }
  }

  private static <T extends Number> T positive(String name, T v) {
    if (v.longValue() <= 0) {
      throw new IllegalArgumentException(name + ": must be more than 0");
    }
    return v;
  }

  /** What a set of apps asks for. */
  record Usage(int apps, long components, long instances, long cpuMillis, long memoryBytes) {
    static Usage of(Collection<AppDescriptor> apps) {
      long components = 0;
      long instances = 0;
      long cpu = 0;
      long memory = 0;
      for (AppDescriptor a : apps) {
        components += a.components().size();
        for (Component c : a.components()) {
          instances += c.instances();
          cpu += c.cpuRequests().millis() * c.instances();
          memory += c.memoryRequests().longValue() * c.instances();
        }
      }
      return new Usage(apps.size(), components, instances, cpu, memory);
    }
  }

  /**
   * Refuses {@code app} when, with the developer's other apps, it would go over this quota.
   *
   * @param others the developer's apps besides {@code app} (without its earlier version)
   */
  void check(String developer, AppDescriptor app, List<AppDescriptor> others) {
    List<AppDescriptor> all = new java.util.ArrayList<>(others);
    all.add(app);
    Usage u = Usage.of(all);
    String over = null;
    if (u.apps() > apps) {
      over = "apps: " + developer + " would have " + u.apps() + " apps; the quota is " + apps;
    } else if (u.components() > components) {
      over = "components: " + developer + "'s apps would have " + u.components()
          + " components; the quota is " + components;
    } else if (u.instances() > instances) {
      over = "instances: " + developer + "'s apps would ask for " + u.instances()
          + " instances; the quota is " + instances;
    } else if (u.cpuMillis() > cpuMillis) {
      over = "cpu: " + developer + "'s apps would request " + u.cpuMillis() + "m CPU; the quota"
          + " is " + cpuMillis + "m";
    } else if (u.memoryBytes() > memoryBytes) {
      over = "memory: " + developer + "'s apps would request " + (u.memoryBytes() >> 20)
          + " MiB; the quota is " + (memoryBytes >> 20) + " MiB";
    }
    if (over != null) {
      String quota = over.substring(0, over.indexOf(':'));
      throw new ApiProblem(403, "quota " + over + " (an admin sets quotas with mls up"
          + " --developer-quota)", List.of(ApiProblem.entry("quota." + quota, over, "error")));
    }
  }
}
