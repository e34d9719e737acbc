package eu.mlsysops.telemetry.host;

import static eu.mlsysops.telemetry.host.HostMetrics.BOOT_TIME;
import static eu.mlsysops.telemetry.host.HostMetrics.CONTEXT_SWITCHES;
import static eu.mlsysops.telemetry.host.HostMetrics.CPU_SECONDS;
import static eu.mlsysops.telemetry.host.HostMetrics.DISK_IO_TIME;
import static eu.mlsysops.telemetry.host.HostMetrics.DISK_READS;
import static eu.mlsysops.telemetry.host.HostMetrics.DISK_READ_BYTES;
import static eu.mlsysops.telemetry.host.HostMetrics.DISK_WRITES;
import static eu.mlsysops.telemetry.host.HostMetrics.DISK_WRITTEN_BYTES;
import static eu.mlsysops.telemetry.host.HostMetrics.LOAD1;
import static eu.mlsysops.telemetry.host.HostMetrics.LOAD15;
import static eu.mlsysops.telemetry.host.HostMetrics.LOAD5;
import static eu.mlsysops.telemetry.host.HostMetrics.MEMINFO_KEYS;
import static eu.mlsysops.telemetry.host.HostMetrics.NET_RX_BYTES;
import static eu.mlsysops.telemetry.host.HostMetrics.NET_RX_ERRS;
import static eu.mlsysops.telemetry.host.HostMetrics.NET_RX_PACKETS;
import static eu.mlsysops.telemetry.host.HostMetrics.NET_TX_BYTES;
import static eu.mlsysops.telemetry.host.HostMetrics.NET_TX_ERRS;
import static eu.mlsysops.telemetry.host.HostMetrics.NET_TX_PACKETS;
import static eu.mlsysops.telemetry.host.HostMetrics.PROCS_RUNNING;
import static eu.mlsysops.telemetry.host.HostMetrics.memoryMetric;

import java.util.regex.Pattern;

/**
 * Parsers for the text of the /proc files the host collector reads. Each writes samples to a {@link
 * Pass} and reports a malformed line there, then goes on with the next line; none throws for bad
 * input.
 */
final class ProcParser {
  private ProcParser() {}

  private static final Pattern WS = Pattern.compile("\\s+");

  /** /proc/stat cpu columns, in order, as node-exporter names the modes (guest time is in user). */
  static final String[] CPU_MODES = {
    "user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"
  };

  static final int IDLE = 3;
  static final int IOWAIT = 4;

  /**
   * node-exporter's default {@code --collector.diskstats.device-exclude}: RAM disks, loop devices,
   * floppies and partitions.
   */
  static final Pattern DISK_EXCLUDE =
      Pattern.compile("^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$");

  private static final double SECTOR_BYTES = 512;

  /** What later steps of a pass need from /proc/stat. */
  record Stat(long[] aggregateTicks, long bootTimeSeconds) {}

  /**
   * /proc/stat: per-CPU mode times, context switches, boot time, running processes.
   *
   * @return the aggregate "cpu" line's ticks (null when absent or malformed) and btime (-1 when
   *     absent)
   */
  static Stat stat(String text, double userHz, Pass p) {
    long[] aggregate = null;
    long btime = -1;
    for (String line : text.split("\n")) {
      if (line.startsWith("cpu")) {
        String[] f = WS.split(line.trim());
        long[] ticks = longs(f, 1, CPU_MODES.length);
        if (ticks == null || f.length < 5) {
          p.error("stat", "malformed cpu line: " + abbreviate(line));
          continue;
        }
        if (f[0].equals("cpu")) {
          aggregate = ticks;
          continue;
        }
        String cpu = f[0].substring(3);
        if (!isDigits(cpu)) {
          p.error("stat", "malformed cpu line: " + abbreviate(line));
          continue;
        }
        for (int m = 0; m < ticks.length; m++) {
          p.add(CPU_SECONDS, p.labels("cpu", cpu, "mode", CPU_MODES[m]), ticks[m] / userHz);
        }
      } else if (line.startsWith("ctxt ")) {
        long v = singleValue(line, p);
        if (v >= 0) {
          p.add(CONTEXT_SWITCHES, v);
        }
      } else if (line.startsWith("btime ")) {
        long v = singleValue(line, p);
        if (v >= 0) {
          btime = v;
          p.add(BOOT_TIME, v);
        }
      } else if (line.startsWith("procs_running ")) {
        long v = singleValue(line, p);
        if (v >= 0) {
          p.add(PROCS_RUNNING, v);
        }
      }
    }
    return new Stat(aggregate, btime);
  }

  /** /proc/loadavg: "0.23 0.19 0.44 1/85 19546". */
  static void loadavg(String text, Pass p) {
    String[] f = WS.split(text.trim());
    if (f.length < 3) {
      p.error("loadavg", "fewer than 3 fields: " + abbreviate(text));
      return;
    }
    String[] names = {LOAD1, LOAD5, LOAD15};
    for (int i = 0; i < 3; i++) {
      try {
        double v = Double.parseDouble(f[i]);
        if (Double.isFinite(v)) {
          p.add(names[i], v);
          continue;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      p.error("loadavg", "not a number: " + abbreviate(f[i]));
    }
  }

  /** /proc/meminfo: the {@link HostMetrics#MEMINFO_KEYS} lines, kB converted to bytes. */
  static void meminfo(String text, Pass p) {
    for (String line : text.split("\n")) {
      int colon = line.indexOf(':');
      if (colon <= 0) {
        if (!line.isBlank()) {
          p.error("meminfo", "no colon: " + abbreviate(line));
        }
        continue;
      }
      String key = line.substring(0, colon);
      if (!MEMINFO_KEYS.contains(key)) {
        continue;
      }
      String[] f = WS.split(line.substring(colon + 1).trim());
      long v = parseLong(f[0]);
      if (v < 0) {
        p.error("meminfo", "not a count: " + abbreviate(line));
        continue;
      }
      boolean kb = f.length > 1 && f[1].equals("kB");
      p.add(memoryMetric(key), kb ? v * 1024.0 : v);
    }
  }

  /** /proc/diskstats: whole disks only (see {@link #DISK_EXCLUDE}). */
  static void diskstats(String text, Pass p) {
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = WS.split(line.trim());
      if (f.length >= 3 && DISK_EXCLUDE.matcher(f[2]).matches()) {
        continue;
      }
      if (f.length < 14) {
        p.error("diskstats", "fewer than 14 fields: " + abbreviate(line));
        continue;
      }
      String device = f[2];
      // After major, minor, name: reads, merged, sectors read, ms reading, writes, merged,
      // sectors written, ms writing, I/Os in progress, ms doing I/O, ...
      long[] v = longs(f, 3, 10);
      if (v == null || v.length < 10) {
        p.error("diskstats", "malformed counters: " + abbreviate(line));
        continue;
      }
      var l = p.labels("device", device);
      p.add(DISK_READS, l, v[0]);
      p.add(DISK_READ_BYTES, l, v[2] * SECTOR_BYTES);
      p.add(DISK_WRITES, l, v[4]);
      p.add(DISK_WRITTEN_BYTES, l, v[6] * SECTOR_BYTES);
      p.add(DISK_IO_TIME, l, v[9] / 1000.0);
    }
  }

  /** /proc/net/dev: every interface, lo included (as node-exporter does). */
  static void netdev(String text, Pass p) {
    for (String line : text.split("\n")) {
      int colon = line.indexOf(':');
      if (colon < 0 || line.indexOf('|') >= 0) {
        continue; // the two header lines
      }
      String device = line.substring(0, colon).trim();
      String[] f = WS.split(line.substring(colon + 1).trim());
      long[] v = longs(f, 0, 16);
      if (device.isEmpty() || v == null || v.length < 16) {
        p.error("netdev", "malformed line: " + abbreviate(line));
        continue;
      }
      // receive: bytes packets errs drop fifo frame compressed multicast; transmit: bytes ...
      var l = p.labels("device", device);
      p.add(NET_RX_BYTES, l, v[0]);
      p.add(NET_RX_PACKETS, l, v[1]);
      p.add(NET_RX_ERRS, l, v[2]);
      p.add(NET_TX_BYTES, l, v[8]);
      p.add(NET_TX_PACKETS, l, v[9]);
      p.add(NET_TX_ERRS, l, v[10]);
    }
  }

  /** The fields of /proc/[pid]/stat a process collector needs. */
  record ProcessStat(long utimeTicks, long stimeTicks, long threads, long startTicks, long vsize) {}

  /**
   * /proc/[pid]/stat. The command (field 2) is in parentheses and may itself hold spaces and
   * parentheses, so fields are counted from the last ')'.
   *
   * @return null when malformed
   */
  static ProcessStat processStat(String text) {
    int close = text.lastIndexOf(')');
    if (close < 0) {
      return null;
    }
    String[] f = WS.split(text.substring(close + 1).trim());
    // f[0] is field 3 (state): field n is f[n - 3].
    if (f.length < 21) {
      return null;
    }
    long utime = parseLong(f[11]);
    long stime = parseLong(f[12]);
    long threads = parseLong(f[17]);
    long start = parseLong(f[19]);
    long vsize = parseLong(f[20]);
    if (utime < 0 || stime < 0 || threads < 0 || start < 0 || vsize < 0) {
      return null;
    }
    return new ProcessStat(utime, stime, threads, start, vsize);
  }

  /** VmRSS of /proc/[pid]/status in bytes; -1 when absent (kernel threads, zombies). */
  static long statusResidentBytes(String text) {
    for (String line : text.split("\n")) {
      if (line.startsWith("VmRSS:")) {
        String[] f = WS.split(line.substring(6).trim());
        long kb = parseLong(f[0]);
        return kb < 0 ? -1 : kb * 1024;
      }
    }
    return -1;
  }

  /** Resident pages (second field) of /proc/[pid]/statm; -1 when malformed. */
  static long statmResidentPages(String text) {
    String[] f = WS.split(text.trim());
    return f.length < 2 ? -1 : parseLong(f[1]);
  }

  /** A non-negative decimal, or -1 when it is not one (no exceptions on the hot path). */
  static long parseLong(String s) {
    int n = s.length();
    if (n == 0 || n > 18) {
      return -1;
    }
    long v = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  /** Up to {@code max} counters from {@code f[from]} on; null when one of them is malformed. */
  private static long[] longs(String[] f, int from, int max) {
    int n = Math.min(max, f.length - from);
    if (n <= 0) {
      return null;
    }
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      out[i] = parseLong(f[from + i]);
      if (out[i] < 0) {
        return null;
      }
    }
    return out;
  }

  private static long singleValue(String line, Pass p) {
    String[] f = WS.split(line.trim());
    long v = f.length == 2 ? parseLong(f[1]) : -1;
    if (v < 0) {
      p.error("stat", "malformed line: " + abbreviate(line));
    }
    return v;
  }

  private static boolean isDigits(String s) {
    return parseLong(s) >= 0;
  }

  static String abbreviate(String s) {
    String t = s.strip();
    return t.length() <= 80 ? t : t.substring(0, 77) + "...";
  }
}
