package eu.mlsysops.agent.tier;

import eu.mlsysops.protocol.Message;
import eu.mlsysops.protocol.grpc.MessageCodec;
import eu.mlsysops.protocol.grpc.proto.Envelope;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * A node agent's crash-safe record of its last committed desired state, so that a node that
 * restarts while its cluster is unreachable brings its instances back instead of waiting for the
 * uplink. The desired state is stored as the same protobuf envelope the gRPC link carries,
 * behind a magic number and a CRC32; a write goes to a temporary file that is forced to disk and
 * then atomically renamed over the journal (and the directory is forced), so a crash leaves
 * either the old or the new state, never a torn one.
 */
final class NodeJournal {
  private static final int MAGIC = 0x4d4c534a; // "MLSJ"
  private static final System.Logger LOG = System.getLogger(NodeJournal.class.getName());

  private final Path file;

  NodeJournal(Path file) {
    this.file = file;
  }

  Path file() {
    return file;
  }

  /** Commits a desired state; false (logged) when the disk refused it. */
  boolean write(Message.DesiredState state) {
    byte[] body = MessageCodec.encode(state).toByteArray();
    CRC32 crc = new CRC32();
    crc.update(body);
    ByteBuffer buf = ByteBuffer.allocate(16 + body.length);
    buf.putInt(MAGIC).putInt(body.length).putLong(crc.getValue()).put(body).flip();
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      eu.mlsysops.agent.kernel.PrivateFiles.directory(file.getParent());
      try (FileChannel ch = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE,
          StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING),
          eu.mlsysops.agent.kernel.PrivateFiles.ownerOnly(file.getParent()))) {
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      forceDirectory(file.getParent());
      return true;
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot write the node journal " + file + ": "
          + e.getMessage());
      return false;
    }
  }

  /** The last committed desired state, or empty when there is none or it is unreadable. */
  Optional<Message.DesiredState> read() {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file));
      if (buf.remaining() < 16 || buf.getInt() != MAGIC) {
        throw new IOException("not a node journal");
      }
      int length = buf.getInt();
      long expected = buf.getLong();
      if (length < 0 || length != buf.remaining()) {
        throw new IOException("truncated: " + buf.remaining() + " of " + length + " bytes");
      }
      byte[] body = new byte[length];
      buf.get(body);
      CRC32 crc = new CRC32();
      crc.update(body);
      if (crc.getValue() != expected) {
        throw new IOException("checksum mismatch");
      }
      if (MessageCodec.decode(Envelope.parseFrom(body)) instanceof Message.DesiredState ds) {
        return Optional.of(ds);
      }
      throw new IOException("holds no desired state");
    } catch (IOException | RuntimeException e) {
      // An unreadable journal must not keep the node down: it waits for its cluster instead.
      LOG.log(System.Logger.Level.WARNING, "ignoring the node journal " + file + ": "
          + e.getMessage());
      return Optional.empty();
    }
  }

  private static void forceDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some file systems cannot open a directory; the rename is still atomic there.
    }
  }
}
