package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.kernel.AgentLoop;
import eu.mlsysops.protocol.Link;
import eu.mlsysops.protocol.Message;
import java.util.Collection;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A cluster agent's part in control going down and visibility coming up: keeps the latest control
 * set from the continuum, hands it to every node now and to each node as it (re)registers, and
 * passes its nodes' control reports and plan records on to the continuum under its own name (a
 * child may send only as itself), their origin unchanged.
 *
 * <p>The latest set and the listener are owned by the cluster agent's loop, as registrations are:
 * a node never gets an older set after a newer one, and one registering meanwhile is either
 * listed or sent it. Passing reports on touches no state and runs on the link's thread.
 */
final class ControlRelay {
  private final String self;
  private final Link uplink;
  private final AgentLoop loop;
  // Owned by the loop.
  private Message.Control latest;
  private Consumer<Message.Control> local = c -> {};

  ControlRelay(String self, Link uplink, AgentLoop loop) {
    this.self = Objects.requireNonNull(self);
    this.uplink = Objects.requireNonNull(uplink);
    this.loop = Objects.requireNonNull(loop);
  }

  /** Sets who applies the sets here; handed the latest at once if one came before. */
  void onControl(Consumer<Message.Control> listener) {
    Objects.requireNonNull(listener);
    loop.execute(() -> {
      local = listener;
      if (latest != null) {
        listener.accept(latest); // a set that came before anyone listened
      }
    });
  }

  /** A set from the continuum: applied here (if anyone listens), then sent to every node. */
  void fromParent(Message.Control c, Supplier<Collection<Link>> nodes) {
    loop.checkInLoop();
    Message.Control mine = new Message.Control(self, c.digest(), c.mode(), c.tiers());
    latest = mine;
    nodes.get().forEach(l -> l.send(mine));
    local.accept(c);
  }

  /** A node (re)registered: it gets the current set, whatever it missed. */
  void nodeRegistered(Link node) {
    loop.checkInLoop();
    if (latest != null) {
      node.send(latest);
    }
  }

  /**
   * Passes a node's report or records on; only its own (a node may not speak for another agent:
   * those are dropped and logged).
   *
   * @return whether the message was one of those
   */
  boolean fromNode(Message m) {
    if (m instanceof Message.ControlReport r) {
      if (r.agent().equals(r.from())) {
        uplink.send(new Message.ControlReport(self, r.agent(), r.tier(), r.digest(), r.errors()));
      } else {
        refused(r.from(), "a control report for " + r.agent());
      }
      return true;
    }
    if (m instanceof Message.AgentStatus a) {
      if (a.agent().equals(a.from())) {
        uplink.send(new Message.AgentStatus(self, a.agent(), a.tier(), a.policies(),
            a.mechanisms()));
      } else {
        refused(a.from(), "the status of " + a.agent());
      }
      return true;
    }
    if (m instanceof Message.Records r) {
      if (r.origin().equals(r.from())) {
        uplink.send(new Message.Records(self, r.origin(), r.incarnation(), r.seq(), r.plans(),
            r.events(), r.dropped()));
      } else {
        refused(r.from(), "records of " + r.origin());
      }
      return true;
    }
    return false;
  }

  private static void refused(String node, String what) {
    System.getLogger(ControlRelay.class.getName()).log(System.Logger.Level.WARNING,
        "node " + node + " sent " + what + ": dropped (a node speaks only for itself)");
  }
}
