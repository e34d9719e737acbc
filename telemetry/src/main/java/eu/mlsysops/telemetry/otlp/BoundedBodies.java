package eu.mlsysops.telemetry.otlp;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/** Reads request bodies and gunzips them without ever holding more than a limit. */
final class BoundedBodies {
  private BoundedBodies() {}

  /** All of {@code in}, or null when it holds more than {@code max} bytes. */
  static byte[] readAtMost(InputStream in, int max, long expected) throws IOException {
    int initial = (int) Math.min(max + 1L, expected > 0 ? expected + 1 : 8192);
    byte[] buf = new byte[Math.max(initial, 16)];
    int len = 0;
    while (true) {
      if (len == buf.length) {
        if (len > max) {
          return null;
        }
        buf = Arrays.copyOf(buf, (int) Math.min(max + 1L, buf.length * 2L));
      }
      int r = in.read(buf, len, buf.length - len);
      if (r < 0) {
        break;
      }
      len += r;
      if (len > max) {
        return null;
      }
    }
    return len == buf.length ? buf : Arrays.copyOf(buf, len);
  }

  /**
   * Reads and discards up to {@code max} more bytes, so that a client still sending an over-size
   * body gets to read the error instead of a reset connection.
   */
  static void drain(InputStream in, long max) {
    byte[] buf = new byte[8192];
    long total = 0;
    try {
      int r;
      while (total < max && (r = in.read(buf)) >= 0) {
        total += r;
      }
    } catch (IOException e) {
      // the client went away: nothing left to answer
    }
  }

  /** The decompressed body, or null when it would exceed {@code max} bytes. */
  static byte[] gunzip(byte[] body, int max) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body), 8192)) {
      return readAtMost(in, max, Math.min(max, body.length * 4L));
    }
  }
}
