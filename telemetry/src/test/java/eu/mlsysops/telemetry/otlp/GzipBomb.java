package eu.mlsysops.telemetry.otlp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.GZIPOutputStream;

/** A gzip body of 1 GiB of zeros (about 1 MiB compressed), built once per test JVM. */
final class GzipBomb {
  private static byte[] bomb;

  private GzipBomb() {}

  static synchronized byte[] oneGibOfZeros() {
    if (bomb == null) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 21);
      byte[] zeros = new byte[1 << 20];
      try (GZIPOutputStream g = new GZIPOutputStream(out, 1 << 16)) {
        for (int i = 0; i < 1024; i++) {
          g.write(zeros);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      bomb = out.toByteArray();
    }
    return bomb;
  }
}
