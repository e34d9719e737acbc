package eu.mlsysops.orchestration.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The cgroup v2 group of one container of one instance: its limits, its accounting and a way to
 * kill every process in it.
 */
final class InstanceCgroup {
  /** The CFS period written to {@code cpu.max}, in microseconds (the kernel's default). */
  static final long CPU_PERIOD_MICROS = 100_000;

  private final Path dir;
  private long oomKillsSeen;

  private InstanceCgroup(Path dir) {
    this.dir = dir;
  }

  /**
   * Creates {@code parent/name} (or reuses it, killing what still runs in it) and writes the
   * limits; 0 means no limit ({@code max}).
   */
  static InstanceCgroup create(Path parent, String name, long cpuLimitMillis, long memoryBytes)
      throws IOException {
    Path dir = parent.resolve(name);
    boolean leftover = Files.isDirectory(dir);
    Files.createDirectories(dir);
    InstanceCgroup g = new InstanceCgroup(dir);
    if (leftover) {
      // Left by an agent that did not stop its instances (it crashed): what runs there is stale.
      g.killAll();
    }
    Cgroups.write(dir.resolve("cpu.max"), cpuMax(cpuLimitMillis));
    Cgroups.write(dir.resolve("memory.max"), memoryBytes > 0 ? Long.toString(memoryBytes) : "max");
    if (memoryBytes > 0 && Files.exists(dir.resolve("memory.swap.max"))) {
      try {
        // The limit is on memory, not on memory plus swap: like a container, no swap.
        Cgroups.write(dir.resolve("memory.swap.max"), "0");
      } catch (IOException e) {
        // No swap accounting on this kernel: memory.max alone still holds.
      }
    }
    g.oomKillsSeen = g.oomKills();
    return g;
  }

  /** {@code cpu.max} text: quota and period in microseconds, or {@code max}. */
  static String cpuMax(long cpuLimitMillis) {
    if (cpuLimitMillis <= 0) {
      return "max " + CPU_PERIOD_MICROS;
    }
    // 1000 millicores = one full period; the kernel's minimum quota is 1 ms.
    long quota = Math.max(1000, cpuLimitMillis * CPU_PERIOD_MICROS / 1000);
    return quota + " " + CPU_PERIOD_MICROS;
  }

  Path dir() {
    return dir;
  }

  /** The file a process writes its pid to, to join the group. */
  Path procsFile() {
    return dir.resolve("cgroup.procs");
  }

  /** CPU time of everything that ran in the group, from {@code cpu.stat}. */
  OptionalLong cpuUsageMicros() {
    try {
      for (String line : Files.readAllLines(dir.resolve("cpu.stat"), StandardCharsets.UTF_8)) {
        if (line.startsWith("usage_usec ")) {
          return OptionalLong.of(Long.parseLong(line.substring(11).trim()));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // Not readable now: the caller falls back to /proc.
    }
    return OptionalLong.empty();
  }

  /** Memory charged to the group now, from {@code memory.current}. */
  OptionalLong memoryBytes() {
    try {
      return OptionalLong.of(Long.parseLong(
          Files.readString(dir.resolve("memory.current"), StandardCharsets.UTF_8).trim()));
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** True when the kernel killed a process of the group for memory since the last call. */
  boolean newOomKill() {
    long now = oomKills();
    boolean fresh = now > oomKillsSeen;
    oomKillsSeen = now;
    return fresh;
  }

  private long oomKills() {
    try {
      for (String line : Files.readAllLines(dir.resolve("memory.events"),
          StandardCharsets.UTF_8)) {
        if (line.startsWith("oom_kill ")) {
          return Long.parseLong(line.substring(9).trim());
        }
      }
    } catch (IOException | NumberFormatException e) {
      // No memory events: no OOM information.
    }
    return 0;
  }

  /** SIGKILLs every process in the group ({@code cgroup.kill}, or each pid of cgroup.procs). */
  void killAll() {
    Path kill = dir.resolve("cgroup.kill");
    if (Files.exists(kill)) {
      try {
        Cgroups.write(kill, "1");
        return;
      } catch (IOException e) {
        // Older kernel: fall through to the pids.
      }
    }
    try {
      for (String pid : Cgroups.words(procsFile())) {
        ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
      }
    } catch (IOException | NumberFormatException e) {
      // Nothing left to read: nothing left to kill.
    }
  }

  /** Removes the (empty) group; a group that still holds processes stays. */
  void remove() {
    try {
      Files.deleteIfExists(dir);
    } catch (NoSuchFileException e) {
      // gone already
    } catch (IOException e) {
      // Still busy, or a fake tree with files in it: harmless, reused on the next start.
    }
  }
}
