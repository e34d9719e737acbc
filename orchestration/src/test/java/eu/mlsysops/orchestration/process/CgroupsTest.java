package eu.mlsysops.orchestration.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Delegation detection against fake /proc and cgroupfs trees shaped like real hosts. */
class CgroupsTest {
  private static final long SELF = 4242;
  private static final String V1_MOUNTS = """
      30 25 0:26 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
      31 30 0:27 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
      34 30 0:30 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
      """;
  @TempDir Path root;

  private void file(String path, String text) throws IOException {
    Path p = root.resolve(path);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }

  private String read(String path) throws IOException {
    return Files.readString(root.resolve(path));
  }

  private CgroupCapability detect() {
    return Cgroups.detect(root, null, SELF, false);
  }

  @Test
  void aCgroupV1OnlyHostHasNoLimitsAndSaysSo() throws IOException {
    file("proc/self/mountinfo", V1_MOUNTS);
    file("proc/self/cgroup", "4:memory:/x\n1:cpu:/\n");
    CgroupCapability c = detect();
    assertThat(c.enforced()).isFalse();
    assertThat(c.detail()).isEqualTo(
        "no cgroup v2 hierarchy is mounted (this host uses cgroup v1 only)");
  }

  @Test
  void aHybridHostWhoseV2HierarchyLacksTheControllersHasNoLimits() throws IOException {
    // The shape of this project's CI machine: cgroup2 at /sys/fs/cgroup/unified, cpu and memory
    // bound to v1.
    file("proc/self/mountinfo", V1_MOUNTS
        + "41 30 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n");
    file("proc/self/cgroup", "4:memory:/process_api/x\n0::/\n");
    file("sys/fs/cgroup/unified/cgroup.controllers", "hugetlb\n");
    file("sys/fs/cgroup/unified/cgroup.procs", "1\n" + SELF + "\n");
    CgroupCapability c = detect();
    assertThat(c.enforced()).isFalse();
    assertThat(c.detail()).contains("does not offer the cpu, memory controllers (it offers:"
        + " hugetlb)").contains("sys/fs/cgroup/unified");
  }

  @Test
  void aDelegatedGroupThisProcessHasToItselfIsPreparedForInstanceGroups() throws IOException {
    file("proc/self/mountinfo", "29 24 0:25 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
    file("proc/self/cgroup", "0::/user.slice/mls.scope\n");
    String dir = "sys/fs/cgroup/user.slice/mls.scope/";
    file(dir + "cgroup.controllers", "cpuset cpu io memory pids\n");
    file(dir + "cgroup.subtree_control", "\n");
    file(dir + "cgroup.procs", SELF + "\n");

    CgroupCapability c = detect();

    assertThat(c.enforced()).as(c.detail()).isTrue();
    assertThat(c.parent()).isEqualTo(root.resolve(dir.substring(0, dir.length() - 1)));
    // Moved itself into a leaf first (no-internal-process rule), then enabled the controllers.
    assertThat(read(dir + "mlsysops-agent/cgroup.procs")).isEqualTo(Long.toString(SELF));
    assertThat(read(dir + "cgroup.subtree_control")).isEqualTo("+cpu +memory");
  }

  @Test
  void aGroupSharedWithOtherProcessesIsLeftAloneWithTheReason() throws IOException {
    file("proc/self/mountinfo", "29 24 0:25 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
    file("proc/self/cgroup", "0::/system.slice/ssh.service\n");
    String dir = "sys/fs/cgroup/system.slice/ssh.service/";
    file(dir + "cgroup.controllers", "cpu memory pids\n");
    file(dir + "cgroup.procs", "812\n" + SELF + "\n");

    CgroupCapability c = detect();

    assertThat(c.enforced()).isFalse();
    assertThat(c.detail()).contains("also holds other processes (").contains("812")
        .contains("no-internal-process");
    assertThat(root.resolve(dir + "mlsysops-agent")).doesNotExist();
  }

  @Test
  void aCgroupNamespaceRootWithControllersEnabledAlreadyIsUsedAsItIs() throws IOException {
    // A container with its own cgroup namespace: it sees itself at "/".
    file("proc/self/mountinfo", "600 590 0:40 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
    file("proc/self/cgroup", "0::/\n");
    file("sys/fs/cgroup/cgroup.controllers", "cpu memory\n");
    file("sys/fs/cgroup/cgroup.subtree_control", "cpu memory\n");
    CgroupCapability c = detect();
    assertThat(c.enforced()).isTrue();
    assertThat(c.parent()).isEqualTo(root.resolve("sys/fs/cgroup"));
  }

  @Test
  void anExplicitParentMustOfferBothControllers() throws IOException {
    file("delegated/cgroup.controllers", "cpu pids\n");
    CgroupCapability c = Cgroups.detect(root, Path.of("/delegated"), SELF, false);
    assertThat(c.enforced()).isFalse();
    assertThat(c.detail()).contains("does not offer the memory controller (it offers: cpu pids)");
    CgroupCapability missing = Cgroups.detect(root, Path.of("/nowhere"), SELF, false);
    assertThat(missing.detail()).endsWith("nowhere does not exist");
  }

  @Test
  void anInstanceGroupGetsItsCpuAndMemoryLimits() throws IOException {
    Path parent = root.resolve("parent");
    // The kernel makes memory.swap.max with the group; a fake tree needs it made.
    Files.createDirectories(parent.resolve("x-c0"));
    Files.writeString(parent.resolve("x-c0/memory.swap.max"), "max");
    InstanceCgroup.create(parent, "x-c0", 500, 128L << 20);
    assertThat(Files.readString(parent.resolve("x-c0/cpu.max"))).isEqualTo("50000 100000");
    assertThat(Files.readString(parent.resolve("x-c0/memory.max"))).isEqualTo("134217728");
    assertThat(Files.readString(parent.resolve("x-c0/memory.swap.max"))).isEqualTo("0");
    InstanceCgroup none = InstanceCgroup.create(parent, "y-c0", 0, 0);
    assertThat(Files.readString(none.dir().resolve("cpu.max"))).isEqualTo("max 100000");
    assertThat(Files.readString(none.dir().resolve("memory.max"))).isEqualTo("max");
    assertThat(InstanceCgroup.cpuMax(2)).as("kernel minimum quota").isEqualTo("1000 100000");
  }

  @Test
  void accountingAndOomKillsAreReadFromTheGroup() throws IOException {
    Path parent = root.resolve("p");
    InstanceCgroup g = InstanceCgroup.create(parent, "g", 0, 0);
    Files.writeString(g.dir().resolve("cpu.stat"), "usage_usec 2500000\nuser_usec 2000000\n");
    Files.writeString(g.dir().resolve("memory.current"), "7340032\n");
    assertThat(g.cpuUsageMicros()).hasValue(2_500_000);
    assertThat(g.memoryBytes()).hasValue(7_340_032);
    assertThat(g.newOomKill()).isFalse();
    Files.writeString(g.dir().resolve("memory.events"), "oom 1\noom_kill 1\n");
    assertThat(g.newOomKill()).isTrue();
    assertThat(g.newOomKill()).as("the same kill is news once").isFalse();
  }
}
