package eu.mlsysops.orchestration.process;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Whether this machine lets the process runtime enforce CPU and memory limits with cgroup v2, and
 * why not when it does not. Detect it once per process with {@link #detect()} and give it to every
 * runtime; without limits, instances still run, and their status says the limits are not enforced.
 *
 * @param enforced true when instance groups with {@code cpu.max} and {@code memory.max} can be made
 * @param parent the cgroup directory instance groups are created in, or null when not enforced
 * @param detail one sentence: where the limits are enforced, or why they cannot be
 */
public record CgroupCapability(boolean enforced, Path parent, String detail) {
  /** Checks the fields agree. */
  public CgroupCapability {
    Objects.requireNonNull(detail, "detail");
    if (enforced && parent == null) {
      throw new IllegalArgumentException("parent: required when limits are enforced");
    }
  }

  /**
   * Looks at this process's cgroup v2 group (from {@code /proc/self/mountinfo} and {@code
   * /proc/self/cgroup}) and prepares it for instance groups: the {@code cpu} and {@code memory}
   * controllers must be available there and the directory writable (delegated). When this process
   * is the only one in its group it moves itself into a leaf {@code mlsysops-agent} group so that
   * its group may enable controllers for children (cgroup v2's no-internal-process rule). The
   * outcome is logged once here.
   */
  public static CgroupCapability detect() {
    return Cgroups.detect(Path.of("/"), null, ProcessHandle.current().pid(), true);
  }

  /**
   * Uses {@code parent} (a cgroup v2 directory delegated to this user, e.g. made by {@code
   * systemd-run --scope -p Delegate=yes} or an administrator) for instance groups, after checking
   * it offers the {@code cpu} and {@code memory} controllers. Logged once here.
   */
  public static CgroupCapability at(Path parent) {
    Objects.requireNonNull(parent, "parent");
    return Cgroups.detect(Path.of("/"), parent, ProcessHandle.current().pid(), true);
  }

  /** No limits, for the reason given (e.g. turned off by configuration). */
  public static CgroupCapability disabled(String reason) {
    return new CgroupCapability(false, null, reason);
  }
}
