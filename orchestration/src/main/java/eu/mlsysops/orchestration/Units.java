package eu.mlsysops.orchestration;

import java.util.Locale;

/** Formats resource amounts the way descriptors write them ({@code 500m}, {@code 64Mi}). */
final class Units {
  private static final long KI = 1024;
  private static final long MI = KI * 1024;
  private static final long GI = MI * 1024;

  private Units() {}

  /** Millicores as a CPU quantity: {@code 500m}, or whole cores ({@code 2}) when exact. */
  static String cpu(long millis) {
    return millis % 1000 == 0 && millis != 0 ? Long.toString(millis / 1000) : millis + "m";
  }

  /** Bytes as a binary quantity, exact when a unit divides it, else one decimal of the unit. */
  static String bytes(long bytes) {
    if (bytes == 0) {
      return "0";
    }
    long[] units = {GI, MI, KI};
    String[] names = {"Gi", "Mi", "Ki"};
    for (int i = 0; i < units.length; i++) {
      if (bytes % units[i] == 0) {
        return bytes / units[i] + names[i];
      }
    }
    for (int i = 0; i < units.length; i++) {
      if (Math.abs(bytes) >= units[i]) {
        return String.format(Locale.ROOT, "%.1f%s", (double) bytes / units[i], names[i]);
      }
    }
    return Long.toString(bytes);
  }
}
