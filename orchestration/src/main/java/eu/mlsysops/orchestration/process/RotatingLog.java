package eu.mlsysops.orchestration.process;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A log file a child process appends to directly (its stdout or stderr is the file, opened with
 * {@code O_APPEND}), kept bounded by copy-and-truncate: when the file passes its size limit it is
 * copied to {@code name.1} (older copies shift to {@code name.2}, …, the oldest is dropped) and
 * truncated to zero, and the process goes on appending at the new end. Lines written between the
 * copy and the truncation are lost: the price of not routing every byte through the agent.
 */
final class RotatingLog {
  private final Path file;
  private final long maxBytes;
  private final int keep;

  RotatingLog(Path file, long maxBytes, int keep) {
    this.file = file;
    this.maxBytes = maxBytes;
    this.keep = keep;
  }

  Path file() {
    return file;
  }

  /** Rotates when the file is over its limit; returns whether it did. */
  boolean rotateIfNeeded() throws IOException {
    if (!Files.exists(file) || Files.size(file) <= maxBytes) {
      return false;
    }
    if (keep > 0) {
      Files.deleteIfExists(sibling(keep));
      for (int i = keep - 1; i >= 1; i--) {
        if (Files.exists(sibling(i))) {
          Files.move(sibling(i), sibling(i + 1), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      Files.copy(file, sibling(1), StandardCopyOption.REPLACE_EXISTING);
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(0);
    }
    return true;
  }

  Path sibling(int i) {
    return file.resolveSibling(file.getFileName() + "." + i);
  }

  /**
   * The last non-blank line of the file, at most {@code maxChars} long (for failure reasons), or
   * empty.
   */
  String lastLine(int maxChars) {
    try {
      if (!Files.exists(file)) {
        return "";
      }
      long size = Files.size(file);
      int n = (int) Math.min(size, 4096);
      byte[] tail = new byte[n];
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
        ch.position(size - n);
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(tail);
        while (buf.hasRemaining() && ch.read(buf) > 0) {
          // read until full
        }
      }
      String[] lines = new String(tail, java.nio.charset.StandardCharsets.UTF_8).split("\n");
      for (int i = lines.length - 1; i >= 0; i--) {
        String l = lines[i].strip();
        if (!l.isEmpty()) {
          return l.length() > maxChars ? l.substring(0, maxChars) + "…" : l;
        }
      }
    } catch (IOException e) {
      // No reason text then.
    }
    return "";
  }
}
