package eu.mlsysops.orchestration.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time and resident memory of a process and its descendants, read from {@code /proc}. A
 * process that exits while it is read is skipped.
 */
final class ProcTree {
  private final Path proc;
  private final double clockTicksPerSecond;

  ProcTree(Path proc, double clockTicksPerSecond) {
    this.proc = proc;
    this.clockTicksPerSecond = clockTicksPerSecond;
  }

  /** CPU seconds and resident bytes summed over {@code pids}. */
  Usage usage(List<Long> pids) {
    double cpu = 0;
    long rss = 0;
    for (long pid : pids) {
      Path dir = proc.resolve(Long.toString(pid));
      try {
        cpu += cpuSeconds(Files.readString(dir.resolve("stat"), StandardCharsets.US_ASCII));
        rss += residentBytes(Files.readString(dir.resolve("status"), StandardCharsets.US_ASCII));
      } catch (IOException | RuntimeException e) {
        // Exited meanwhile, or unreadable: it no longer counts.
      }
    }
    return new Usage(cpu, rss);
  }

  /**
   * utime + stime + cutime + cstime (fields 14-17) of a {@code /proc/[pid]/stat} line: the
   * process's own time and that of the children it has waited for.
   */
  double cpuSeconds(String stat) {
    // The command name (field 2) may hold spaces and parentheses: fields start after the last ')'.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
    // f[0] is field 3 (state), so field n is f[n - 3].
    long ticks = 0;
    for (int n = 14; n <= 17; n++) {
      ticks += Math.max(0, Long.parseLong(f[n - 3]));
    }
    return ticks / clockTicksPerSecond;
  }

  /** VmRSS of a {@code /proc/[pid]/status}, in bytes; 0 for a kernel thread or zombie. */
  static long residentBytes(String status) {
    for (String line : status.split("\n")) {
      if (line.startsWith("VmRSS:")) {
        String[] parts = line.substring(6).trim().split("\\s+");
        return Long.parseLong(parts[0]) * 1024;
      }
    }
    return 0;
  }

  /** What a tree uses. */
  record Usage(double cpuSeconds, long residentBytes) {}
}
