package eu.mlsysops.agent.tier;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a data directory ({@code <dir>/lock}, holding the owner's pid): two
 * continuums on the same SQLite files would each overwrite what the other decided. The operating
 * system releases it when the process dies, so a crash leaves nothing to clean up. Nothing else
 * in the process may open the lock file: closing any descriptor of it releases a POSIX lock.
 */
public final class DataDirLock implements AutoCloseable {
  /**
   * Directories this process holds. File locks belong to the process, and opening (then closing)
   * a second channel on a held lock file would release the lock: a second attempt from this
   * process is refused here, before the file is touched.
   */
  private static final java.util.Set<Path> HELD =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private final Path key;
  private final FileChannel channel;
  private final FileLock lock;
  private final java.util.concurrent.atomic.AtomicBoolean closed =
      new java.util.concurrent.atomic.AtomicBoolean();

  private DataDirLock(Path key, FileChannel channel, FileLock lock) {
    this.key = key;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock.
   *
   * @throws IllegalStateException naming the process that holds it
   */
  public static DataDirLock acquire(Path dir) {
    return acquire(dir, "lock", "a continuum");
  }

  /**
   * Takes the lock in {@code dir/fileName}.
   *
   * @param what what holds it, for the error when this process already does
   * @throws IllegalStateException naming the process that holds it
   */
  public static DataDirLock acquire(Path dir, String fileName, String what) {
    Path file = dir.resolve(fileName);
    Path key;
    try {
      // The real path: the same directory through a symlink is the same lock.
      key = dir.toRealPath().resolve(fileName);
    } catch (IOException e) {
      throw new IllegalStateException("cannot lock " + dir + ": " + e.getMessage(), e);
    }
    if (!HELD.add(key)) {
      throw new IllegalStateException("this process already runs " + what + " on " + dir);
    }
    FileChannel channel = null;
    try {
      eu.mlsysops.agent.kernel.PrivateFiles.prepare(file);
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        throw new IllegalStateException("this process already runs " + what + " on " + dir);
      }
      if (lock == null) {
        String holder = Files.readString(file, StandardCharsets.UTF_8).trim();
        throw new IllegalStateException("another MLSysOps process"
            + (holder.isEmpty() ? "" : " (pid " + holder + ")") + " is using " + dir
            + "; stop it, or give this one another --data-dir");
      }
      channel.truncate(0);
      channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n")
          .getBytes(StandardCharsets.UTF_8)), 0);
      channel.force(false);
      return new DataDirLock(key, channel, lock);
    } catch (IOException e) {
      closeQuietly(channel);
      HELD.remove(key);
      throw new IllegalStateException("cannot lock the data directory " + dir + ": "
          + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      HELD.remove(key);
      throw e;
    }
  }

  private static void closeQuietly(FileChannel c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException ignored) {
        // Nothing to add to the error being reported.
      }
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return; // the entry in HELD may belong to a newer lock on the same directory by now
    }
    try {
      lock.release();
    } catch (IOException ignored) {
      // Closing the channel releases it anyway.
    }
    closeQuietly(channel);
    HELD.remove(key);
  }
}
