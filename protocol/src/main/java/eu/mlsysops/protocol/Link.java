package eu.mlsysops.protocol;

import java.util.function.Consumer;

/**
 * One side of a bidirectional, ordered channel between a child agent and its parent. Sending never
 * blocks and never throws: while the link is down a message is either refused or, where the
 * implementation says so, kept in a bounded buffer and sent in order when the link is back (the
 * gRPC link's child side buffers everything but heartbeats and registrations). Delivery happens on
 * the link's own executor, in order.
 *
 * <p>Implementations: {@link InProcessLink} (both sides in one JVM), and {@code
 * eu.mlsysops.protocol.grpc.GrpcLink} (child side) with {@code GrpcLinkServer} (parent side)
 * between processes.
 */
public interface Link {

  /**
   * Sends a message to the other side.
   *
   * @return true when the message was sent or queued to be sent; false when the link is down and
   *     the message was refused
   */
  boolean send(Message message);

  /** Sets the handler for messages from the other side (one handler per side). */
  void onReceive(Consumer<Message> handler);

  /** Sets a listener told when the link goes down (false) or comes back up (true). */
  void onConnectionChange(Consumer<Boolean> listener);

  /** Whether messages can currently flow. */
  boolean isConnected();

  /**
   * Whether the other side runs in another process (a gRPC link). A cluster agent relays
   * telemetry queries only over such links: the stores of agents in its own process are read
   * directly.
   */
  default boolean crossesProcess() {
    return false;
  }

  /**
   * On a parent's link to a child: the cluster the child's certificate confines it to, when the
   * child is a node that joined with a join token ({@code mls agent node --join}); empty for
   * certificates that carry none and for links without certificates.
   */
  default java.util.Optional<String> certifiedCluster() {
    return java.util.Optional.empty();
  }
}
