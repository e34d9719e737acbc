package eu.mlsysops.orchestration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads the PlanetLab CPU-utilisation traces that CloudSim ships: one file per VM and day, one
 * integer percentage (0–99, sometimes 100) per line, one line every {@link #STEP} (288 lines make a
 * day). Replay one with {@link #asLoad(double[], double)}.
 */
public final class PlanetLabTraces {
  /** Time between two samples of a PlanetLab trace. */
  public static final Duration STEP = Duration.ofSeconds(300);

  private PlanetLabTraces() {}

  /**
   * Reads one VM's trace.
   *
   * @return utilisation in percent, one value per line
   * @throws IllegalArgumentException naming the file and line when a line is not an integer in
   *     0..100, or the file holds no values
   * @throws UncheckedIOException when the file cannot be read
   */
  public static double[] load(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read PlanetLab trace " + file, e);
    }
    double[] values = new double[lines.size()];
    int n = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (line.isEmpty()) {
        continue; // a trailing newline or blank line carries no sample
      }
      int v;
      try {
        v = Integer.parseInt(line);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            file + ":" + (i + 1) + ": expected an integer percentage, got '" + line + "'");
      }
      if (v < 0 || v > 100) {
        throw new IllegalArgumentException(
            file + ":" + (i + 1) + ": utilisation must be within 0..100, got " + v);
      }
      values[n++] = v;
    }
    if (n == 0) {
      throw new IllegalArgumentException(file + ": no samples");
    }
    return Arrays.copyOf(values, n);
  }

  /**
   * Reads the first {@code count} traces of one day folder, with file names sorted in plain byte
   * order (UTF-8, unsigned) so that every machine picks the same VMs in the same order.
   *
   * @return file name → utilisation series, in that order (fewer entries if the folder holds fewer
   *     files)
   */
  public static Map<String, double[]> loadDay(Path dayDir, int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be non-negative, got " + count);
    }
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(dayDir)) {
      s.filter(p -> Files.isRegularFile(p) && !p.getFileName().toString().startsWith("."))
          .forEach(files::add);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list PlanetLab day folder " + dayDir, e);
    }
    files.sort(
        (a, b) ->
            Arrays.compareUnsigned(
                a.getFileName().toString().getBytes(StandardCharsets.UTF_8),
                b.getFileName().toString().getBytes(StandardCharsets.UTF_8)));
    Map<String, double[]> out = new LinkedHashMap<>();
    for (Path f : files.subList(0, Math.min(count, files.size()))) {
      out.put(f.getFileName().toString(), load(f));
    }
    return Collections.unmodifiableMap(out);
  }

  /** A load model replaying a PlanetLab trace at {@code speedup} times real time. */
  public static LoadModel asLoad(double[] utilisationPercent, double speedup) {
    return LoadModel.trace(utilisationPercent, STEP, speedup);
  }
}
