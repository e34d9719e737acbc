package eu.mlsysops.ml;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** How learners keep what they learned: whole files, replaced atomically, their owner's only. */
public final class ModelFiles {
  private ModelFiles() {}

  /**
   * Writes {@code text} to {@code file} through a fresh temporary file (0600) moved over it, so a
   * reader never sees half a model; directories made here are 0700.
   */
  public static void writeAtomically(Path file, CharSequence text) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      try { // what is learned stays its owner's
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rwx------")));
      } catch (UnsupportedOperationException e) {
        Files.createDirectories(dir);
      }
    }
    Path tmp = Files.createTempFile(dir, "." + file.getFileName() + "-", ".tmp");
    try {
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp); // gone already when the move worked
    }
  }
}
