package eu.mlsysops.protocol.grpc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP forwarder that plays the network between child and parent: {@link #cut()} resets
 * every connection and refuses new ones (a partition the peers see at once), {@link #freeze()}
 * silently swallows all bytes (a peer that died without closing), {@link #restore()} goes back to
 * forwarding.
 */
final class TcpProxy implements AutoCloseable {
  private enum Mode {
    OPEN,
    CUT,
    FROZEN
  }

  private final int targetPort;
  private final ServerSocket listener;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile Mode mode = Mode.OPEN;
  private volatile boolean closed;

  TcpProxy(int targetPort) {
    this.targetPort = targetPort;
    try {
      listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    daemon(this::acceptLoop, "proxy-accept");
  }

  int port() {
    return listener.getLocalPort();
  }

  void cut() {
    mode = Mode.CUT;
    closeAll();
  }

  void freeze() {
    mode = Mode.FROZEN;
  }

  void restore() {
    if (mode == Mode.FROZEN) {
      closeAll();
    }
    mode = Mode.OPEN;
  }

  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing
    }
    closeAll();
  }

  private void closeAll() {
    for (Socket s : sockets) {
      try {
        s.setSoLinger(true, 0); // reset, like a partition that the kernel reports
        s.close();
      } catch (IOException ignored) {
        // already closed
      }
    }
    sockets.clear();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket in = listener.accept();
        if (mode == Mode.CUT) {
          in.setSoLinger(true, 0);
          in.close();
          continue;
        }
        Socket out = new Socket();
        out.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2000);
        sockets.add(in);
        sockets.add(out);
        daemon(() -> pump(in, out), "proxy-up");
        daemon(() -> pump(out, in), "proxy-down");
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  private void pump(Socket from, Socket to) {
    byte[] buf = new byte[16384];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buf)) >= 0) {
        if (mode == Mode.FROZEN) {
          continue; // swallowed: the other side hears nothing
        }
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // one side went away
    } finally {
      try {
        from.close();
        to.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }

  private static void daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
  }
}
