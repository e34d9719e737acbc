package eu.mlsysops.agent.tier;

import eu.mlsysops.protocol.Link;
import eu.mlsysops.protocol.Message;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** A connected link that keeps what is sent on it, for tests that play the other side. */
final class RecordingLink implements Link {
  final List<Message> sent = new CopyOnWriteArrayList<>();

  @Override
  public boolean send(Message m) {
    sent.add(m);
    return true;
  }

  @Override
  public void onReceive(Consumer<Message> handler) {}

  @Override
  public void onConnectionChange(Consumer<Boolean> listener) {}

  @Override
  public boolean isConnected() {
    return true;
  }

  /** What was sent of one type, in order. */
  <T extends Message> List<T> sent(Class<T> type) {
    return sent.stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** Hands everything sent so far to {@code to} and forgets it. */
  void drainTo(Consumer<Message> to) {
    List<Message> all = List.copyOf(sent);
    sent.clear();
    all.forEach(to);
  }
}
