package eu.mlsysops.orchestration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The DVFS knob of the machine this JVM runs on, through the kernel's cpufreq files ({@code
 * /sys/devices/system/cpu/cpuN/cpufreq}).
 *
 * <p>Available steps come from {@code scaling_available_frequencies} or, when the driver has no
 * fixed table (intel_pstate, amd-pstate), from {@code cpuinfo_min_freq}..{@code cpuinfo_max_freq}
 * in 100 MHz steps. The current frequency is {@code scaling_cur_freq}. Setting a frequency writes
 * {@code scaling_setspeed} of every CPU when the {@code userspace} governor is active, otherwise
 * {@code scaling_max_freq} (a cap the governor stays under).
 *
 * <p>The tree is probed once, at construction. When it is missing or not writable, {@link
 * #availableGhz()} is empty, {@link #unavailableReason()} says why, and {@link #setGhz} throws
 * {@link UnsupportedOperationException} with that reason.
 */
public final class SysfsCpuFrequencyControl implements CpuFrequencyControl {
  /** Where Linux exposes CPUs. */
  public static final Path DEFAULT_ROOT = Path.of("/sys/devices/system/cpu");

  private static final Pattern CPU_DIR = Pattern.compile("cpu[0-9]+");
  private static final long STEP_KHZ = 100_000;

  private final Path cpu0;
  private final List<Path> targets;
  private final List<Double> available;
  private final String reason;

  /** The knob of this machine, under {@link #DEFAULT_ROOT}. */
  public SysfsCpuFrequencyControl() {
    this(DEFAULT_ROOT);
  }

  /**
   * The knob under {@code cpuRoot}, which holds {@code cpu0/cpufreq}, {@code cpu1/cpufreq}, …
   * (tests point this at a fake tree).
   */
  public SysfsCpuFrequencyControl(Path cpuRoot) {
    this(cpuRoot, Files::isWritable);
  }

  /** With an injected writability check: root may write anything, so tests fake refusal. */
  SysfsCpuFrequencyControl(Path cpuRoot, Predicate<Path> writable) {
    Objects.requireNonNull(cpuRoot, "cpuRoot");
    Objects.requireNonNull(writable, "writable");
    this.cpu0 = cpuRoot.resolve("cpu0").resolve("cpufreq");
    List<Path> found = new ArrayList<>();
    List<Double> steps = List.of();
    String why = probe(cpuRoot, writable, found);
    if (why.isEmpty()) {
      steps = readSteps();
      if (steps.isEmpty()) {
        why =
            cpu0 + " has neither scaling_available_frequencies nor cpuinfo_min_freq and"
                + " cpuinfo_max_freq: the frequency range is unknown";
      }
    }
    this.reason = why;
    this.available = why.isEmpty() ? List.copyOf(steps) : List.of();
    this.targets = why.isEmpty() ? List.copyOf(found) : List.of();
  }

  /** Finds the file to write for every CPU; returns why that is impossible, or "". */
  private String probe(Path cpuRoot, Predicate<Path> writable, List<Path> targetsOut) {
    if (!Files.isDirectory(cpu0)) {
      return cpu0
          + " does not exist: this kernel or VM exposes no cpufreq; use the simulated runtime to"
          + " model DVFS";
    }
    List<Path> dirs = new ArrayList<>();
    try (Stream<Path> s = Files.list(cpuRoot)) {
      s.filter(p -> CPU_DIR.matcher(p.getFileName().toString()).matches())
          .map(p -> p.resolve("cpufreq"))
          .filter(Files::isDirectory)
          .forEach(dirs::add);
    } catch (IOException e) {
      return "cannot list " + cpuRoot + ": " + e.getMessage();
    }
    dirs.sort(Comparator.comparingInt(SysfsCpuFrequencyControl::cpuNumber));
    for (Path dir : dirs) {
      Path target = targetFile(dir);
      if (!Files.exists(target)) {
        return target + " does not exist: the cpufreq driver offers no frequency cap";
      }
      if (!writable.test(target)) {
        return target
            + " is not writable: run the node agent as root or give its user write access to"
            + " cpufreq (e.g. a udev rule)";
      }
      targetsOut.add(target);
    }
    return "";
  }

  private static int cpuNumber(Path cpufreqDir) {
    return Integer.parseInt(cpufreqDir.getParent().getFileName().toString().substring(3));
  }

  /** scaling_setspeed under the userspace governor, else scaling_max_freq. */
  private static Path targetFile(Path dir) {
    String governor = readOrEmpty(dir.resolve("scaling_governor")).trim();
    Path setspeed = dir.resolve("scaling_setspeed");
    if (governor.equals("userspace") && Files.exists(setspeed)) {
      return setspeed;
    }
    return dir.resolve("scaling_max_freq");
  }

  private List<Double> readSteps() {
    TreeSet<Long> khz = new TreeSet<>();
    for (String token : readOrEmpty(cpu0.resolve("scaling_available_frequencies")).split("\\s+")) {
      if (!token.isEmpty()) {
        try {
          khz.add(Long.parseLong(token));
        } catch (NumberFormatException e) {
          // A malformed token is skipped; the range fallback below still applies.
        }
      }
    }
    if (khz.isEmpty()) {
      long min = readKhz(cpu0.resolve("cpuinfo_min_freq"));
      long max = readKhz(cpu0.resolve("cpuinfo_max_freq"));
      if (min > 0 && max >= min) {
        for (long f = min; f < max; f += STEP_KHZ) {
          khz.add(f);
        }
        khz.add(max);
      }
    }
    List<Double> ghz = new ArrayList<>();
    for (long f : khz) {
      ghz.add(f / 1_000_000.0);
    }
    return ghz;
  }

  @Override
  public List<Double> availableGhz() {
    return available;
  }

  /** {@code scaling_cur_freq} of cpu0 in GHz, or NaN when it cannot be read. */
  @Override
  public double currentGhz() {
    long khz = readKhz(cpu0.resolve("scaling_cur_freq"));
    return khz > 0 ? khz / 1_000_000.0 : Double.NaN;
  }

  /**
   * Writes the nearest available frequency at or above {@code ghz} to every CPU.
   *
   * @throws UnsupportedOperationException with {@link #unavailableReason()} when the knob is
   *     unavailable
   * @throws UncheckedIOException when the kernel refuses a write
   */
  @Override
  public void setGhz(double ghz) {
    if (!reason.isEmpty()) {
      throw new UnsupportedOperationException(reason);
    }
    double target = Frequencies.snapUp(available, ghz);
    String khz = Long.toString(Math.round(target * 1_000_000));
    for (Path file : targets) {
      try {
        Files.writeString(file, khz, StandardCharsets.US_ASCII);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + khz + " kHz to " + file, e);
      }
    }
  }

  @Override
  public String unavailableReason() {
    return reason;
  }

  private static long readKhz(Path file) {
    String s = readOrEmpty(file).trim();
    if (s.isEmpty()) {
      return -1;
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String readOrEmpty(Path file) {
    try {
      return Files.isReadable(file) ? Files.readString(file, StandardCharsets.US_ASCII) : "";
    } catch (IOException e) {
      return "";
    }
  }
}
