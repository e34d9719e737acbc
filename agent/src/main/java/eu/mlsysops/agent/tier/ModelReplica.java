package eu.mlsysops.agent.tier;

import com.google.protobuf.ByteString;
import eu.mlsysops.mlconnector.MlService;
import eu.mlsysops.mlconnector.ServedModels;
import eu.mlsysops.protocol.Link;
import eu.mlsysops.protocol.Message;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The ML Connector's serving versions in a cluster or node agent of another process: takes the
 * continuum's {@link Message.ModelSet} (relayed by clusters), serves it ({@link ServedModels},
 * which {@code view.ml()} reads), asks the parent for the files it lacks ({@link
 * Message.ModelWant}) and keeps them as their chunks arrive; a cluster hands the set on to its
 * nodes and answers their wants from what it keeps, asking its parent for what it does not have
 * yet. An agent that was offline gets the set when it registers again, and asks for what it lacks.
 *
 * <p>Thread-safe (its state under its own lock): sets and chunks arrive on the parent link's
 * side, wants on the children's.
 */
public final class ModelReplica {
  private static final System.Logger LOG = System.getLogger(ModelReplica.class.getName());
  /** Bytes per chunk: well under the agent link's message limit. */
  static final int CHUNK_BYTES = 1 << 20;
  /** Files arriving at once; more wait for the next want. */
  static final int MAX_ARRIVING = 8;

  private final String self;
  private final ServedModels served;
  private final Consumer<Message> toParent;
  private Message.ModelSet latest;
  private final Map<String, Arrival> arriving = new HashMap<>();
  /** Files asked of the parent since the last set (a set starts over: the link may have broken). */
  private final Set<String> asked = new LinkedHashSet<>();
  /** Files children asked for that have not arrived here yet, with who asked. */
  private final Map<String, Set<Link>> waiting = new HashMap<>();

  /**
   * @param self this agent's name
   * @param served where the files are kept and what {@code view.ml()} reads
   * @param toParent sends a message to this agent's parent
   */
  public ModelReplica(String self, ServedModels served, Consumer<Message> toParent) {
    this.self = Objects.requireNonNull(self);
    this.served = Objects.requireNonNull(served);
    this.toParent = Objects.requireNonNull(toParent);
  }

  /** A file being put together from its chunks. */
  private static final class Arrival {
    final long total;
    final ByteArrayOutputStream bytes;

    Arrival(long total) {
      this.total = total;
      this.bytes = new ByteArrayOutputStream((int) Math.min(total, CHUNK_BYTES));
    }
  }

  /** A set or a chunk from the parent; a set goes on to {@code children} (none on a node). */
  public void fromParent(Message m, Supplier<? extends Collection<Link>> children) {
    if (m instanceof Message.ModelSet s) {
      Message.ModelSet mine;
      List<String> want;
      synchronized (this) {
        mine = new Message.ModelSet(self, s.digest(), s.models());
        latest = mine;
        List<String> problems = served.serve(s.models().stream()
            .map(e -> new ServedModels.Entry(e.modelId(), e.version(), e.sha256(), e.size(),
                e.descriptor()))
            .toList());
        problems.forEach(p -> LOG.log(System.Logger.Level.WARNING, self + ": " + p));
        waiting.keySet().retainAll(files(mine));
        arriving.keySet().retainAll(files(mine));
        asked.clear();
        want = wanted();
        asked.addAll(want);
      }
      if (!want.isEmpty()) {
        toParent.accept(new Message.ModelWant(self, want));
      }
      children.get().forEach(l -> l.send(mine));
    } else if (m instanceof Message.ModelChunk c) {
      chunk(c);
    }
  }

  /** A child's want: answered from the files kept here, or once they arrive. */
  public void fromChild(Link child, Message.ModelWant w) {
    List<String> ask = new ArrayList<>();
    for (String sha : w.sha256s()) {
      if (served.has(sha)) {
        send(child, sha, served.file(sha));
        continue;
      }
      synchronized (this) {
        if (latest == null || !files(latest).contains(sha)) {
          continue; // not a file of what serves: nothing to hand on
        }
        waiting.computeIfAbsent(sha, k -> new LinkedHashSet<>()).add(child);
        if (!arriving.containsKey(sha) && asked.add(sha)) {
          ask.add(sha);
        }
      }
    }
    if (!ask.isEmpty()) {
      toParent.accept(new Message.ModelWant(self, ask));
    }
  }

  /** A child (re)registered: it gets the set now, and asks for what it lacks. */
  public void registered(Link child) {
    Message.ModelSet s;
    synchronized (this) {
      s = latest;
    }
    if (s != null) {
      child.send(s);
    }
  }

  private void chunk(Message.ModelChunk c) {
    byte[] complete;
    synchronized (this) {
      String sha = c.sha256();
      if (latest == null || !files(latest).contains(sha) || served.has(sha)) {
        return; // not wanted (any more)
      }
      Arrival a = arriving.get(sha);
      if (c.offset() == 0) {
        // A file starts (again: a want repeated after a link broke mid-file starts it afresh).
        if (a == null && arriving.size() >= MAX_ARRIVING) {
          return; // asked again with the next set
        }
        if (c.total() > MlService.MAX_UPLOAD_BYTES) {
          LOG.log(System.Logger.Level.WARNING, self + ": model file " + sha + " of " + c.total()
              + " bytes is over the limit; not kept");
          return;
        }
        a = new Arrival(c.total());
        arriving.put(sha, a);
      }
      if (a == null || a.total != c.total() || a.bytes.size() != c.offset()) {
        // Out of order: the rest of a file whose start was lost with a broken link. It is asked
        // for again with the set that comes when the link is back.
        arriving.remove(sha);
        return;
      }
      a.bytes.writeBytes(c.data().toByteArray());
      if (a.bytes.size() < a.total) {
        return;
      }
      arriving.remove(sha);
      complete = a.bytes.toByteArray();
    }
    arrived(c.sha256(), complete);
  }

  private void arrived(String sha, byte[] bytes) {
    try {
      served.keep(sha, bytes);
    } catch (IllegalArgumentException e) {
      LOG.log(System.Logger.Level.WARNING, self + ": " + e.getMessage() + "; not kept");
      return;
    }
    Set<Link> children;
    synchronized (this) {
      asked.remove(sha);
      children = waiting.remove(sha);
    }
    if (children != null) {
      children.forEach(l -> send(l, sha, bytes));
    }
  }

  /** The files of the set (or children's wants) that are neither kept here nor on their way. */
  private List<String> wanted() {
    List<String> out = new ArrayList<>();
    for (String sha : served.missing()) {
      if (!arriving.containsKey(sha)) {
        out.add(sha);
      }
    }
    for (String sha : waiting.keySet()) {
      if (!served.has(sha) && !arriving.containsKey(sha) && !out.contains(sha)) {
        out.add(sha);
      }
    }
    return out;
  }

  private static Set<String> files(Message.ModelSet s) {
    Set<String> out = new LinkedHashSet<>();
    s.models().forEach(m -> out.add(m.sha256()));
    return out;
  }

  /** Sends a file to a child as consecutive chunks. */
  private void send(Link link, String sha, byte[] bytes) {
    chunks(self, sha, bytes).forEach(link::send);
  }

  /** A file as chunks of at most {@link #CHUNK_BYTES} (one, empty, for an empty file). */
  static List<Message.ModelChunk> chunks(String from, String sha, byte[] bytes) {
    List<Message.ModelChunk> out = new ArrayList<>();
    int offset = 0;
    do {
      int n = Math.min(CHUNK_BYTES, bytes.length - offset);
      out.add(new Message.ModelChunk(from, sha, offset, bytes.length,
          ByteString.copyFrom(bytes, offset, n)));
      offset += n;
    } while (offset < bytes.length);
    return out;
  }
}
