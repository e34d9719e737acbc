package eu.mlsysops.orchestration.process;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Detection of cgroup v2 delegation. Paths from {@code /proc} are resolved under a file-system
 * root, so tests run the whole logic against a fake tree.
 */
final class Cgroups {
  private static final System.Logger LOG = System.getLogger(Cgroups.class.getName());
  static final List<String> NEEDED = List.of("cpu", "memory");
  static final String AGENT_LEAF = "mlsysops-agent";

  private Cgroups() {}

  /**
   * @param fsRoot what {@code /} is ({@code /} in production, a fake tree in tests)
   * @param explicitParent a configured parent group (an absolute path under fsRoot), or null to use
   *     this process's own group
   * @param selfPid this process's pid, to recognise that its group holds only itself
   * @param log whether to log the outcome
   */
  static CgroupCapability detect(Path fsRoot, Path explicitParent, long selfPid, boolean log) {
    CgroupCapability c;
    try {
      c = explicitParent != null ? checkParent(under(fsRoot, explicitParent.toString()))
          : detectOwn(fsRoot, selfPid);
    } catch (IOException e) {
      c = CgroupCapability.disabled("cannot inspect cgroups: " + e);
    }
    if (log) {
      if (c.enforced()) {
        LOG.log(Level.INFO, "process runtime: " + c.detail());
      } else {
        LOG.log(Level.WARNING, "process runtime: CPU and memory limits are NOT enforced: "
            + c.detail() + ". Instances run without limits.");
      }
    }
    return c;
  }

  private static CgroupCapability detectOwn(Path fsRoot, long selfPid) throws IOException {
    Path mountinfo = fsRoot.resolve("proc/self/mountinfo");
    List<String[]> mounts = new ArrayList<>(); // {root, mount point}
    for (String line : Files.readAllLines(mountinfo, StandardCharsets.UTF_8)) {
      int dash = line.indexOf(" - ");
      if (dash < 0) {
        continue;
      }
      String[] after = line.substring(dash + 3).trim().split("\\s+");
      String[] before = line.substring(0, dash).trim().split("\\s+");
      if (after.length > 0 && after[0].equals("cgroup2") && before.length >= 5) {
        mounts.add(new String[] {unescape(before[3]), unescape(before[4])});
      }
    }
    if (mounts.isEmpty()) {
      return CgroupCapability.disabled(
          "no cgroup v2 hierarchy is mounted (this host uses cgroup v1 only)");
    }
    String own = null;
    for (String line : Files.readAllLines(fsRoot.resolve("proc/self/cgroup"),
        StandardCharsets.UTF_8)) {
      if (line.startsWith("0::")) {
        own = line.substring(3).trim();
      }
    }
    if (own == null) {
      return CgroupCapability.disabled("this process is in no cgroup v2 group (/proc/self/cgroup)");
    }
    String[] mount = null;
    for (String[] m : mounts) {
      if (own.equals(m[0]) || own.startsWith(m[0].endsWith("/") ? m[0] : m[0] + "/")
          || m[0].equals("/")) {
        mount = m;
        break;
      }
    }
    if (mount == null) {
      return CgroupCapability.disabled("this process's cgroup " + own
          + " is outside every mounted cgroup v2 hierarchy");
    }
    String relative = mount[0].equals("/") ? own : own.substring(mount[0].length());
    Path mountDir = under(fsRoot, mount[1]);
    Path dir = under(mountDir, relative);

    String missing = missingControllers(dir);
    if (!missing.isEmpty()) {
      return CgroupCapability.disabled(missing);
    }
    // Even a namespace's root group obeys the no-internal-process rule, so it gets the same care.
    Set<String> procs = lines(dir.resolve("cgroup.procs"));
    Set<String> enabled = words(dir.resolve("cgroup.subtree_control"));
    if (!procs.isEmpty() && !enabled.containsAll(NEEDED)) {
      if (!procs.equals(Set.of(Long.toString(selfPid)))) {
        return CgroupCapability.disabled("this process's cgroup " + dir + " also holds other"
            + " processes (" + String.join(" ", procs) + "), so cgroup v2's no-internal-process"
            + " rule keeps it from enabling controllers for instance groups; give the runtime a"
            + " delegated cgroup of its own (e.g. systemd-run --scope -p Delegate=yes)");
      }
      // Alone in the group: move into a leaf so the group may delegate controllers downwards.
      Path leaf = dir.resolve(AGENT_LEAF);
      try {
        Files.createDirectories(leaf);
        write(leaf.resolve("cgroup.procs"), Long.toString(selfPid));
      } catch (IOException e) {
        return CgroupCapability.disabled("cannot move this process into " + leaf
            + " (needed before enabling controllers in " + dir + "): " + e.getMessage());
      }
    }
    return checkParent(dir);
  }

  /** Checks a candidate parent offers the controllers, enables them for children if needed. */
  static CgroupCapability checkParent(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return CgroupCapability.disabled("the cgroup " + dir + " does not exist");
    }
    String missing = missingControllers(dir);
    if (!missing.isEmpty()) {
      return CgroupCapability.disabled(missing);
    }
    if (!Files.isWritable(dir)) {
      return CgroupCapability.disabled("the cgroup " + dir
          + " is not delegated to this user (not writable)");
    }
    Set<String> enabled = words(dir.resolve("cgroup.subtree_control"));
    if (!enabled.containsAll(NEEDED)) {
      try {
        write(dir.resolve("cgroup.subtree_control"), "+cpu +memory");
      } catch (IOException e) {
        return CgroupCapability.disabled("cannot enable the cpu and memory controllers in " + dir
            + "/cgroup.subtree_control: " + e.getMessage());
      }
    }
    return new CgroupCapability(true, dir,
        "cgroup v2 at " + dir + ": cpu.max and memory.max enforced per instance");
  }

  private static String missingControllers(Path dir) throws IOException {
    Set<String> offered = words(dir.resolve("cgroup.controllers"));
    List<String> missing = new ArrayList<>();
    for (String c : NEEDED) {
      if (!offered.contains(c)) {
        missing.add(c);
      }
    }
    if (missing.isEmpty()) {
      return "";
    }
    return "the cgroup v2 group " + dir + " does not offer the " + String.join(", ", missing)
        + " controller" + (missing.size() > 1 ? "s" : "") + " (it offers: "
        + (offered.isEmpty() ? "none" : String.join(" ", new java.util.TreeSet<>(offered)))
        + "); on a hybrid or cgroup v1 host they belong to the v1 hierarchy";
  }

  static Set<String> words(Path file) throws IOException {
    try {
      return new HashSet<>(Arrays.asList(
          Files.readString(file, StandardCharsets.UTF_8).trim().split("\\s+")))
          .stream().filter(s -> !s.isEmpty()).collect(java.util.stream.Collectors.toSet());
    } catch (NoSuchFileException e) {
      return Set.of();
    }
  }

  private static Set<String> lines(Path file) throws IOException {
    return words(file);
  }

  static void write(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
  }

  private static Path under(Path root, String absolute) {
    String rel = absolute.startsWith("/") ? absolute.substring(1) : absolute;
    return rel.isEmpty() ? root : root.resolve(rel);
  }

  /** mountinfo escapes space, tab, newline and backslash as octal. */
  private static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length()) {
        try {
          b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
          i += 3;
          continue;
        } catch (NumberFormatException e) {
          // not an escape
        }
      }
      b.append(c);
    }
    return b.toString();
  }
}
