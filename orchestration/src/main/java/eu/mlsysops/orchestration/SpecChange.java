package eu.mlsysops.orchestration;

import eu.mlsysops.model.Component;
import eu.mlsysops.model.Container;
import eu.mlsysops.model.CpuRequirements;
import eu.mlsysops.model.MemoryRequirements;
import eu.mlsysops.model.PlatformRequirements;
import eu.mlsysops.model.Quantity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code change_spec} command's arguments: a new image, runtime class or CPU/memory requests and
 * limits for one container of a component. Absent values keep what the component has. Both the
 * cluster's {@code placement} mechanism (any runtime) and the Kubernetes {@code fluidity}
 * mechanism take it.
 *
 * @param container index of the container whose image and resources change (default 0)
 */
public record SpecChange(
    int container,
    String image,
    String runtimeClassName,
    Quantity cpuRequests,
    Quantity cpuLimits,
    Quantity memoryRequests,
    Quantity memoryLimits) {

  /** The argument names, for {@code options()} and error messages. */
  public static final List<String> ARGS =
      List.of(
          "image",
          "runtime_class_name",
          "cpu_requests",
          "cpu_limits",
          "memory_requests",
          "memory_limits",
          "container");

  /**
   * Reads the arguments.
   *
   * @throws IllegalArgumentException naming the argument when a value is not valid, or when none is
   *     given
   */
  public static SpecChange parse(Map<String, String> args) {
    int container;
    try {
      container = Integer.parseInt(args.getOrDefault("container", "0"));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "change_spec: container: \"" + args.get("container") + "\" is not a number");
    }
    SpecChange c =
        new SpecChange(
            container,
            blankToNull(args.get("image")),
            blankToNull(args.get("runtime_class_name")),
            quantity(args, "cpu_requests"),
            quantity(args, "cpu_limits"),
            quantity(args, "memory_requests"),
            quantity(args, "memory_limits"));
    if (c.image == null
        && c.runtimeClassName == null
        && c.cpuRequests == null
        && c.cpuLimits == null
        && c.memoryRequests == null
        && c.memoryLimits == null) {
      throw new IllegalArgumentException(
          "change_spec needs at least one of image, runtime_class_name, cpu_requests, cpu_limits,"
              + " memory_requests, memory_limits");
    }
    return c;
  }

  /** This change, with what {@code later} sets taking precedence (same container). */
  public SpecChange then(SpecChange later) {
    if (later.container != container) {
      return later;
    }
    return new SpecChange(
        container,
        or(later.image, image),
        or(later.runtimeClassName, runtimeClassName),
        or(later.cpuRequests, cpuRequests),
        or(later.cpuLimits, cpuLimits),
        or(later.memoryRequests, memoryRequests),
        or(later.memoryLimits, memoryLimits));
  }

  /**
   * The component with this change applied.
   *
   * @throws IllegalArgumentException naming the field when the container does not exist or a
   *     request ends up above its limit
   */
  public Component applyTo(Component c) {
    if (container < 0 || container >= c.containers().size()) {
      throw new IllegalArgumentException(
          "change_spec: container: "
              + container
              + " but "
              + c.name()
              + " has "
              + c.containers().size()
              + " container(s)");
    }
    List<Container> containers = new ArrayList<>(c.containers());
    Container old = containers.get(container);
    PlatformRequirements pr = old.platformRequirements();
    CpuRequirements cpu = pr == null ? null : pr.cpu();
    MemoryRequirements mem = pr == null ? null : pr.memory();
    if (cpuRequests != null || cpuLimits != null) {
      cpu =
          new CpuRequirements(
              or(cpuRequests, cpu == null ? null : cpu.requests()),
              or(cpuLimits, cpu == null ? null : cpu.limits()),
              cpu == null ? List.of() : cpu.architecture(),
              cpu == null ? null : cpu.frequencyGhz(),
              cpu == null ? null : cpu.performanceIndicator());
      requireWithin(cpu.requests(), cpu.limits(), "cpu");
    }
    if (memoryRequests != null || memoryLimits != null) {
      mem =
          new MemoryRequirements(
              or(memoryRequests, mem == null ? null : mem.requests()),
              or(memoryLimits, mem == null ? null : mem.limits()));
      requireWithin(mem.requests(), mem.limits(), "memory");
    }
    PlatformRequirements newPr =
        new PlatformRequirements(
            cpu,
            mem,
            pr == null ? null : pr.mcu(),
            pr == null ? null : pr.disk(),
            pr == null ? null : pr.gpu(),
            pr == null ? null : pr.fpga());
    containers.set(
        container,
        new Container(
            or(image, old.image()),
            old.command(),
            old.imagePullPolicy(),
            old.accelerationApi(),
            newPr,
            old.ports(),
            old.env(),
            old.workingDir()));
    return new Component(
        c.metadata(),
        c.nodePlacement(),
        c.dependsOn(),
        c.runtimeConfiguration(),
        c.sensors(),
        c.qosMetrics(),
        c.storage(),
        c.dataSensitivity(),
        c.dataCriticality(),
        c.externalComponent(),
        c.externalAccess(),
        c.hostNetwork(),
        or(runtimeClassName, c.runtimeClassName()),
        c.restartPolicy(),
        c.os(),
        c.nodeType(),
        c.containerRuntime(),
        containers,
        c.qosWarmup());
  }

  /** The arguments that {@link #parse} reads back into this change (for storing it). */
  public Map<String, String> args() {
    Map<String, String> a = new LinkedHashMap<>();
    a.put("container", Integer.toString(container));
    put(a, "image", image);
    put(a, "runtime_class_name", runtimeClassName);
    put(a, "cpu_requests", cpuRequests);
    put(a, "cpu_limits", cpuLimits);
    put(a, "memory_requests", memoryRequests);
    put(a, "memory_limits", memoryLimits);
    return a;
  }

  /** What changes, e.g. {@code image=web:2, cpu_requests=500m}. */
  public String describe() {
    Map<String, String> a = args();
    a.remove("container");
    List<String> parts = new ArrayList<>();
    a.forEach((k, v) -> parts.add(k + "=" + v));
    return String.join(", ", parts) + (container == 0 ? "" : " (container " + container + ")");
  }

  private static void put(Map<String, String> a, String key, Object value) {
    if (value != null) {
      a.put(key, value.toString());
    }
  }

  private static void requireWithin(Quantity requests, Quantity limits, String what) {
    if (requests != null && limits != null && requests.compareTo(limits) > 0) {
      throw new IllegalArgumentException(
          "change_spec: "
              + what
              + "_requests: "
              + requests
              + " is above "
              + what
              + "_limits "
              + limits);
    }
  }

  private static Quantity quantity(Map<String, String> args, String key) {
    String v = blankToNull(args.get(key));
    if (v == null) {
      return null;
    }
    try {
      return Quantity.parse(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("change_spec: " + key + ": " + e.getMessage(), e);
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static <T> T or(T a, T b) {
    return a != null ? a : b;
  }
}
