package eu.mlsysops.orchestration;

import eu.mlsysops.model.Environment;
import eu.mlsysops.model.NodeDescriptor;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which Kubernetes runtime classes ({@code runtime_class_name}) a node offers. The node descriptor
 * has no such field, so it is inferred from {@code environment} and {@code hardware} (see {@code
 * docs/placement.md}); a label {@code runtime_class_name=<name>} declares one explicitly.
 */
final class RuntimeClasses {
  static final String LABEL_PREFIX = "runtime_class_name=";
  private static final List<String> WASM = List.of("lunatic", "spin", "wasmedge", "slight");

  private RuntimeClasses() {}

  static Set<String> offeredBy(NodeDescriptor d) {
    Set<String> out = new LinkedHashSet<>();
    Environment env = d.environment();
    List<String> runtimes = env == null ? List.of() : env.containerRuntime();
    boolean containerd = runtimes.contains("containerd");
    boolean oci = containerd || runtimes.contains("docker");
    boolean linux = env == null || env.os() == null || !"zephyr".equals(env.os());
    boolean gpu = d.hardware() != null && d.hardware().gpu() != null;
    boolean kvm = env != null && "native".equals(env.nodeType());
    if (oci && linux) {
      out.add("default");
      out.add("crun");
      if (gpu) {
        out.add("nvidia");
        out.add("nvidia-experimental");
      }
    }
    if (containerd && linux) {
      out.add("urunc");
      out.addAll(WASM);
      if (kvm) {
        out.add("kata-fc");
        out.add("kata-dragon");
      }
    }
    for (String label : d.labels()) {
      if (label.startsWith(LABEL_PREFIX) && label.length() > LABEL_PREFIX.length()) {
        out.add(label.substring(LABEL_PREFIX.length()));
      }
    }
    return out;
  }
}
