package eu.mlsysops.protocol;

import java.util.function.Consumer;

/**
 * One side of a bidirectional, ordered channel between a child agent and its parent. Sending never
 * blocks and never throws: while the link is down a message is refused (the sender decides whether
 * to buffer it), and delivery happens on the link's own executor, in order.
 */
public interface Link {

  /**
   * Sends a message to the other side.
   *
   * @return false when the link is down and the message was not sent
   */
  boolean send(Message message);

  /** Sets the handler for messages from the other side (one handler per side). */
  void onReceive(Consumer<Message> handler);

  /** Sets a listener told when the link goes down (false) or comes back up (true). */
  void onConnectionChange(Consumer<Boolean> listener);

  /** Whether messages can currently flow. */
  boolean isConnected();
}
