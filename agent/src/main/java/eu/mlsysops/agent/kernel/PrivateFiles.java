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
  static final Set<PosixFilePermission> OWNER_ONLY_DIR =
      PosixFilePermissions.fromString("rwx------");

  /**
   * Creates {@code dir} (and its missing parents) only its owner may enter (0700), or takes group
   * and other permissions away from an existing one: the data dir's own 0700 is the first guard,
   * this the second.
   */
  public static Path directory(Path dir) throws IOException {
    // The directories this call makes, the leaf's missing parents included, are all 0700.
    java.util.List<Path> made = new java.util.ArrayList<>();
    for (Path p = dir.toAbsolutePath(); p != null && !Files.exists(p); p = p.getParent()) {
      made.add(p);
    }
    Files.createDirectories(dir);
    made.add(dir.toAbsolutePath());
    try {
      for (Path p : made) {
        if (!Files.getPosixFilePermissions(p).equals(OWNER_ONLY_DIR)) {
          Files.setPosixFilePermissions(p, OWNER_ONLY_DIR);
        }
      }
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: the data directory's own protection is all there is.
    }
    return dir;
  }

  /** Options that create a file readable by its owner only (0600), where the file system can. */
  public static java.nio.file.attribute.FileAttribute<?>[] ownerOnly(Path dir) {
    try {
      if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
        return new java.nio.file.attribute.FileAttribute<?>[] {
            PosixFilePermissions.asFileAttribute(OWNER_ONLY)};
      }
    } catch (IOException e) {
      // fall through: no attributes
    }
    return new java.nio.file.attribute.FileAttribute<?>[0];
  }

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
