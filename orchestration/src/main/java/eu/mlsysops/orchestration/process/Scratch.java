package eu.mlsysops.orchestration.process;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * An instance's private writable directory: under a root that anyone may enter but nobody may
 * list (0711), one directory per instance, owned by the instance's user, 0700. Another app's
 * instances can neither read nor write it, nor learn its neighbours' names.
 */
final class Scratch {
  private Scratch() {}

  /**
   * Makes (or empties and makes again) {@code root/name}.
   *
   * @param user the user the instance runs as, or null (the agent's own)
   */
  static Path create(Path root, String name, WorkloadUser user) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(root);
    }
    // Made by anybody else (or a link to elsewhere), its entries could be swapped under us.
    if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS) || !ownedByUs(root)) {
      throw new IOException(root + " is not a directory of this process's own user");
    }
    setMode(root, "rwx--x--x");
    Path dir = root.resolve(name);
    delete(dir); // a restarted instance starts clean, as a container would
    Files.createDirectory(dir);
    setMode(dir, "rwx------");
    if (user != null) {
      Files.setAttribute(dir, "unix:gid", user.gid(), LinkOption.NOFOLLOW_LINKS);
      Files.setAttribute(dir, "unix:uid", user.uid(), LinkOption.NOFOLLOW_LINKS);
    }
    return dir;
  }

  private static boolean ownedByUs(Path p) throws IOException {
    try {
      Object mine = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      return mine.equals(Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS));
    } catch (UnsupportedOperationException | IllegalArgumentException
        | java.nio.file.NoSuchFileException e) {
      return true; // no unix attributes or no /proc here: nothing to compare
    }
  }

  /** Deletes {@code dir} and everything in it; quietly (a leftover is only disk space). */
  static void delete(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
          Files.deleteIfExists(f);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
          Files.deleteIfExists(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      System.getLogger(Scratch.class.getName()).log(System.Logger.Level.DEBUG,
          "cannot delete " + dir + ": " + e.getMessage());
    }
  }

  /** Sets {@code p}'s permissions (e.g. {@code rw-------}) where the file system has them. */
  static void restrict(Path p, String mode) throws IOException {
    setMode(p, mode);
  }

  private static void setMode(Path p, String mode) throws IOException {
    try {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: nothing more to do.
    }
  }
}
