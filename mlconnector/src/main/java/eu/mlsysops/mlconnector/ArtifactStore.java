package eu.mlsysops.mlconnector;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Files kept by their SHA-256 (model files, training data, code, environments): the same content
 * is kept once, a reader can check what it got, and nothing is ever overwritten. Each file is
 * written to a temporary name and moved into place, so a crash leaves no half file under a hash.
 * Owner-only (0600 files in a 0700 directory).
 */
public final class ArtifactStore {
  private static final Pattern SHA = Pattern.compile("[0-9a-f]{64}");
  private final Path dir;

  /** Thrown when content passes the size limit; nothing is kept. */
  public static final class TooLarge extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    TooLarge(String message) {
      super(message);
    }
  }

  /** @param dir where the files go (created 0700 when missing) */
  public ArtifactStore(Path dir) {
    this.dir = Objects.requireNonNull(dir, "dir");
    try {
      Files.createDirectories(dir);
      try {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      } catch (UnsupportedOperationException e) {
        // Not POSIX: the data directory's own protection is all there is.
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
    }
  }

  /** What was stored. */
  public record Stored(String sha256, long size) {}

  /**
   * Keeps {@code in}'s bytes, at most {@code limit} of them.
   *
   * @throws TooLarge past the limit (the stream is not read further)
   */
  public Stored put(InputStream in, long limit, String what) throws IOException {
    Path tmp = Files.createTempFile(dir, "upload-", ".part");
    try {
      MessageDigest sha = sha256();
      long n = 0;
      try (OutputStream out = Files.newOutputStream(tmp)) {
        byte[] buf = new byte[64 * 1024];
        int r;
        while ((r = in.read(buf)) > 0) {
          n += r;
          if (n > limit) {
            throw new TooLarge(what + ": larger than the limit of " + limit + " bytes");
          }
          sha.update(buf, 0, r);
          out.write(buf, 0, r);
        }
      }
      String hex = HexFormat.of().formatHex(sha.digest());
      Path target = path(hex);
      if (!Files.exists(target)) {
        try {
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, target);
        }
      }
      return new Stored(hex, n);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Keeps {@code bytes}. */
  public Stored put(byte[] bytes) {
    try {
      return put(new java.io.ByteArrayInputStream(bytes), Long.MAX_VALUE, "artifact");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The content of {@code sha256}, checked against its hash.
   *
   * @throws IllegalStateException when it is missing or its content no longer matches
   */
  public byte[] get(String sha256) {
    Path p = path(sha256);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(p);
    } catch (IOException e) {
      throw new IllegalStateException("artifact " + sha256 + " is missing: " + e.getMessage(), e);
    }
    if (!HexFormat.of().formatHex(sha256().digest(bytes)).equals(sha256)) {
      throw new IllegalStateException("artifact " + sha256 + " is corrupt (its hash differs)");
    }
    return bytes;
  }

  /**
   * The size of {@code sha256}'s content (not read, so not checked).
   *
   * @throws IllegalStateException when it is missing
   */
  public long size(String sha256) {
    try {
      return Files.size(path(sha256));
    } catch (IOException e) {
      throw new IllegalStateException("artifact " + sha256 + " is missing: " + e.getMessage(), e);
    }
  }

  /** Whether {@code sha256} is kept. */
  public boolean has(String sha256) {
    return Files.exists(path(sha256));
  }

  private Path path(String sha256) {
    if (!SHA.matcher(sha256).matches()) {
      throw new IllegalArgumentException("not a SHA-256: " + sha256);
    }
    return dir.resolve(sha256);
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
