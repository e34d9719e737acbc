package eu.mlsysops.orchestration.process;

import eu.mlsysops.model.Container;
import eu.mlsysops.model.EnvVar;
import eu.mlsysops.model.PlatformRequirements;
import eu.mlsysops.model.Port;
import eu.mlsysops.orchestration.InstanceSpec;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Turns an {@link InstanceSpec} into {@link ContainerPlan}s: the environment (inherited, the
 * agent's, the telemetry variables, then the container's own {@code env} with {@code value_from}
 * resolved and {@code $(VAR)} expanded as Kubernetes does), the command, ports and limits. Every
 * problem is a {@link LaunchException} naming the descriptor field.
 */
final class LaunchPlanner {
  /** The {@code value_from.field_ref.field_path}s this runtime can answer. */
  static final List<String> FIELD_PATHS =
      List.of(
          "metadata.name",
          "metadata.namespace",
          "metadata.uid",
          "spec.nodeName",
          "status.hostIP",
          "status.hostIPs",
          "status.podIP",
          "status.podIPs");

  /** The namespace processes report: they are in no Kubernetes namespace, so the default one. */
  static final String NAMESPACE = "default";

  private final String nodeName;
  private final String nodeIp;
  private final Map<String, String> inherited;
  private final Path baseDirectory;

  /**
   * @param baseDirectory what relative {@code working_dir}s and PATH entries are relative to (the
   *     directory the node agent runs in)
   */
  LaunchPlanner(
      String nodeName, String nodeIp, Map<String, String> inherited, Path baseDirectory) {
    this.nodeName = nodeName;
    this.nodeIp = nodeIp;
    this.inherited = Map.copyOf(inherited);
    this.baseDirectory = baseDirectory;
  }

  /**
   * Plans every container of the instance.
   *
   * @param telemetry the node agent's OTLP receivers, or null when none is known
   */
  List<ContainerPlan> plan(InstanceSpec spec, TelemetryEndpoint telemetry) throws LaunchException {
    List<Container> containers = spec.component().containers();
    if (containers.isEmpty()) {
      throw new LaunchException("containers", "the component has no container to run");
    }
    List<ContainerPlan> plans = new ArrayList<>();
    for (int i = 0; i < containers.size(); i++) {
      plans.add(plan(spec, i, containers.get(i), telemetry));
    }
    return plans;
  }

  private ContainerPlan plan(InstanceSpec spec, int index, Container c, TelemetryEndpoint telemetry)
      throws LaunchException {
    String field = "containers[" + index + "]";
    Map<String, String> env = new LinkedHashMap<>(inherited);
    // The agent's own OpenTelemetry set-up must not leak into the app's, nor its API token.
    env.keySet().removeIf(k -> k.startsWith("OTEL_") || k.equals("MLS_TOKEN"));
    env.putAll(spec.env());
    String resourceAttributes = resourceAttributes(spec);
    env.put("OTEL_SERVICE_NAME", spec.componentName());
    env.put("OTEL_RESOURCE_ATTRIBUTES", resourceAttributes);
    if (telemetry != null) {
      env.putAll(telemetry.environment(nodeName, spec.app(), spec.componentName(),
          spec.instanceId()));
    }
    env.putIfAbsent("NODE_NAME", nodeName);
    env.putIfAbsent("NODE_IP", nodeIp);

    for (int e = 0; e < c.env().size(); e++) {
      EnvVar v = c.env().get(e);
      String f = field + ".env[" + e + "]";
      if (v.name() == null || v.name().isBlank()) {
        throw new LaunchException(f + ".name", "missing");
      }
      String value;
      if (v.valueFromFieldPath() != null) {
        value = fieldRef(spec, v.valueFromFieldPath(), f + ".value_from.field_ref.field_path");
      } else {
        value = v.value() == null ? "" : expand(v.value(), env);
      }
      if (v.name().equals("OTEL_RESOURCE_ATTRIBUTES")) {
        // The app's own attributes stay; the mlsysops.* ones that route its telemetry to this
        // node's agent are added and win.
        value = mergeAttributes(value, resourceAttributes);
      }
      env.put(v.name(), value);
    }

    if (c.command().isEmpty()) {
      throw new LaunchException(
          field + ".command",
          "empty; the process runtime runs the container's command (it does not run images)");
    }
    List<String> argv = new ArrayList<>(c.command().size());
    for (String a : c.command()) {
      argv.add(expand(a == null ? "" : a, env));
    }
    Path dir = null;
    if (c.workingDir() != null) {
      dir = baseDirectory.resolve(c.workingDir()).normalize();
      if (!Files.isDirectory(dir)) {
        throw new LaunchException(field + ".working_dir",
            "\"" + c.workingDir() + "\" is not a directory (looked at " + dir + ")");
      }
    }
    checkExecutable(argv.get(0), env.get("PATH"), dir, field + ".command[0]");

    List<ContainerPlan.PortBinding> ports = new ArrayList<>();
    for (int p = 0; p < c.ports().size(); p++) {
      ports.add(port(c.ports().get(p), field + ".ports[" + p + "]"));
    }
    PlatformRequirements pr = c.platformRequirements();
    long cpuLimit = 0;
    long cpuRequest = 0;
    long memoryLimit = 0;
    if (pr != null && pr.cpu() != null) {
      cpuLimit = pr.cpu().limits() == null ? 0 : pr.cpu().limits().millis();
      cpuRequest = pr.cpu().requests() == null ? 0 : pr.cpu().requests().millis();
    }
    if (pr != null && pr.memory() != null && pr.memory().limits() != null) {
      memoryLimit = pr.memory().limits().longValue();
    }
    return new ContainerPlan(index, argv, env, ports, cpuLimit, cpuRequest, memoryLimit, dir);
  }

  /** The attributes that label the app's telemetry with where it runs. */
  private String resourceAttributes(InstanceSpec spec) {
    return "service.name="
        + attr(spec.componentName())
        + ",mlsysops.node="
        + attr(nodeName)
        + ",mlsysops.app="
        + attr(spec.app())
        + ",mlsysops.component="
        + attr(spec.componentName())
        + ",mlsysops.instance="
        + attr(spec.instanceId());
  }

  /** W3C baggage-style value encoding, as the OTel SDKs read OTEL_RESOURCE_ATTRIBUTES. */
  private static String attr(String value) {
    StringBuilder b = new StringBuilder();
    for (char ch : value.toCharArray()) {
      if (ch == ',' || ch == '=' || ch == '%' || ch == ' ' || ch < 0x20) {
        b.append('%').append(String.format(Locale.ROOT, "%02X", (int) ch));
      } else {
        b.append(ch);
      }
    }
    return b.toString();
  }

  /** {@code base}'s key=value pairs, then {@code ours}' (which replace equal keys). */
  static String mergeAttributes(String base, String ours) {
    Map<String, String> merged = new LinkedHashMap<>();
    for (String text : new String[] {base, ours}) {
      for (String pair : text.split(",")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          merged.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
      }
    }
    // service.name from the app, when it gave one, is kept: it is the app's choice.
    for (String pair : base.split(",")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).trim().equals("service.name")) {
        merged.put("service.name", pair.substring(eq + 1).trim());
      }
    }
    StringBuilder b = new StringBuilder();
    merged.forEach((k, v) -> b.append(b.length() == 0 ? "" : ",").append(k).append('=').append(v));
    return b.toString();
  }

  private String fieldRef(InstanceSpec spec, String path, String field) throws LaunchException {
    switch (path.trim()) {
      case "metadata.name":
        return podName(spec.instanceId());
      case "metadata.namespace":
        return NAMESPACE;
      case "metadata.uid":
        return UUID.nameUUIDFromBytes((nodeName + "/" + spec.instanceId()).getBytes(
                java.nio.charset.StandardCharsets.UTF_8))
            .toString();
      case "spec.nodeName":
        return nodeName;
      case "status.hostIP":
      case "status.hostIPs":
      case "status.podIP":
      case "status.podIPs":
        // A local process shares its host's network: its address is the node's.
        return nodeIp;
      default:
        throw new LaunchException(
            field,
            "\""
                + path
                + "\" is not supported by the process runtime (supported: "
                + String.join(", ", FIELD_PATHS)
                + ")");
    }
  }

  /** A DNS-1123 name for an instance id, like a pod's: {@code app/c/0} → {@code app-c-0}. */
  static String podName(String instanceId) {
    String s = instanceId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-");
    s = s.replaceAll("^-+|-+$", "");
    return s.length() > 63 ? s.substring(0, 63).replaceAll("-+$", "") : s;
  }

  /**
   * Kubernetes' dependent-variable expansion: {@code $(NAME)} becomes the value of a variable
   * defined before it, {@code $$} becomes {@code $}, and a reference to an unknown variable stays
   * as written.
   */
  static String expand(String text, Map<String, String> env) {
    if (text.indexOf('$') < 0) {
      return text;
    }
    StringBuilder b = new StringBuilder(text.length());
    int i = 0;
    while (i < text.length()) {
      char ch = text.charAt(i);
      if (ch == '$' && i + 1 < text.length()) {
        char next = text.charAt(i + 1);
        if (next == '$') {
          b.append('$');
          i += 2;
          continue;
        }
        if (next == '(') {
          int close = text.indexOf(')', i + 2);
          if (close > 0) {
            String name = text.substring(i + 2, close);
            String value = env.get(name);
            if (value != null) {
              b.append(value);
            } else {
              b.append(text, i, close + 1);
            }
            i = close + 1;
            continue;
          }
        }
      }
      b.append(ch);
      i++;
    }
    return b.toString();
  }

  /**
   * Checks that the program can be run from {@code dir} (null: the instance's own directory, empty
   * when it starts, so only absolute paths and PATH lookups can find anything).
   */
  private void checkExecutable(String program, String path, Path dir, String field)
      throws LaunchException {
    if (program.isEmpty()) {
      throw new LaunchException(field, "empty program name");
    }
    if (program.contains("/") && dir == null && !program.startsWith("/")) {
      throw new LaunchException(field, "\"" + program + "\" is a relative path, and the instance"
          + " runs in a directory of its own: give an absolute path, or set the container's"
          + " working_dir to the directory it is relative to");
    }
    if (program.contains("/")) {
      Path p = dir == null ? Path.of(program) : dir.resolve(program);
      if (!Files.isRegularFile(p)) {
        throw new LaunchException(
            field, "\"" + program + "\" does not exist (looked at " + p + ")");
      }
      if (!Files.isExecutable(p)) {
        throw new LaunchException(field, "\"" + program + "\" is not executable");
      }
      return;
    }
    if (path != null) {
      for (String entry : path.split(File.pathSeparator)) {
        if (entry.isEmpty()) {
          continue;
        }
        Path p = baseDirectory.resolve(entry).resolve(program);
        if (Files.isRegularFile(p) && Files.isExecutable(p)) {
          return;
        }
      }
    }
    throw new LaunchException(
        field, "\"" + program + "\" is not an executable on PATH (" + path + ")");
  }

  private static ContainerPlan.PortBinding port(Port p, String field) throws LaunchException {
    Integer number = p.hostPort() != null ? p.hostPort() : p.containerPort();
    String which = p.hostPort() != null ? ".host_port" : ".container_port";
    if (number == null) {
      throw new LaunchException(field + ".container_port", "missing");
    }
    if (number < 1 || number > 65_535) {
      throw new LaunchException(field + which, number + " is not a port (1-65535)");
    }
    String protocol =
        p.protocol() == null ? "TCP" : p.protocol().trim().toUpperCase(Locale.ROOT);
    if (!List.of("TCP", "UDP", "SCTP").contains(protocol)) {
      throw new LaunchException(
          field + ".protocol", "\"" + p.protocol() + "\" is not one of TCP, UDP, SCTP");
    }
    String hostIp = p.hostIp() == null || p.hostIp().isBlank() ? null : p.hostIp().trim();
    return new ContainerPlan.PortBinding(field + which, hostIp, number, protocol);
  }
}
