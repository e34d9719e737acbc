package eu.mlsysops.agent.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files of an agent's data directory that only its owner may read (0600): state, plans, tokens.
 * SQLite gives a database's {@code -wal} and {@code -shm} files the database file's permissions,
 * so preparing the database file before SQLite opens it covers all three.
 */
public final class PrivateFiles {
  static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  private PrivateFiles() {}

  /**
   * Creates {@code file} empty with mode 0600 when it is missing, or takes group and other
   * permissions away from an existing one (and from its {@code -wal} and {@code -shm}).
   */
  public static void prepare(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try {
      if (!Files.exists(file)) {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      }
      for (Path p : new Path[] {file, Path.of(file + "-wal"), Path.of(file + "-shm")}) {
        if (Files.exists(p) && !Files.getPosixFilePermissions(p).equals(OWNER_ONLY)) {
          Files.setPosixFilePermissions(p, OWNER_ONLY);
        }
      }
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: the directory's own protection is all there is.
    }
  }
}
