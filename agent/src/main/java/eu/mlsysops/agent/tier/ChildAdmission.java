package eu.mlsysops.agent.tier;

import eu.mlsysops.protocol.Link;
import eu.mlsysops.protocol.Message;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Stands between a parent agent and the links of children in other processes. The gRPC link already
 * holds every message's {@code from} to the name in the child's certificate; this checks what the
 * messages say beyond {@code from}:
 *
 * <ul>
 *   <li>a registration must be of the expected tier and describe the sender itself (a node
 *       certified as {@code n1} cannot register a descriptor named {@code n2}; a node cannot
 *       register as a cluster);
 *   <li>nothing but a registration is taken from a link before one was admitted;
 *   <li>a node may only report instances on itself;
 *   <li>a node that joined with a join token carries its cluster in its certificate: it may
 *       register with that cluster only (whether or not the cluster's {@code children} list it),
 *       and never as a cluster.
 * </ul>
 *
 * <p>What fails is dropped, logged once per connection and counted ({@link #refused()}); the link
 * stays open, since a refusal is the peer's problem and must not cost the parent anything.
 */
public final class ChildAdmission {
  private static final System.Logger LOG = System.getLogger(ChildAdmission.class.getName());
  private final Message.Tier tier;
  private final java.util.Set<String> allowed;
  private final String self;
  private final AtomicLong refused = new AtomicLong();

  /**
   * @param tier the tier children must have: {@code NODE} under a cluster agent, {@code CLUSTER}
   *     under the continuum agent
   */
  public ChildAdmission(Message.Tier tier) {
    this(tier, java.util.Set.of());
  }

  /**
   * @param tier as above
   * @param allowed the only names that may register (e.g. the nodes a cluster's descriptor lists);
   *     empty for any name the CA certified. Certificates carry a name, not a tier, so this is what
   *     keeps, say, a node's certificate from registering a cluster at the continuum.
   */
  public ChildAdmission(Message.Tier tier, java.util.Set<String> allowed) {
    this(tier, allowed, null);
  }

  /**
   * @param tier as above
   * @param allowed as above
   * @param self this agent's id: a cluster agent admits the nodes that joined it ({@link
   *     Link#certifiedCluster()} equal to it) besides {@code allowed}; null admits no joined node
   */
  public ChildAdmission(Message.Tier tier, java.util.Set<String> allowed, String self) {
    this.tier = Objects.requireNonNull(tier, "tier");
    this.allowed = java.util.Set.copyOf(allowed);
    this.self = self;
  }

  /** Wraps each child's link in the checks, then hands it to {@code attach}. */
  public Consumer<Link> admitting(Consumer<Link> attach) {
    Objects.requireNonNull(attach, "attach");
    return link -> attach.accept(new Checked(link));
  }

  /** Messages refused so far. */
  public long refused() {
    return refused.get();
  }

  /** Why {@code m} is refused on a link, or null when it is accepted. */
  String problem(Message m, boolean admitted) {
    return problem(m, admitted, java.util.Optional.empty());
  }

  /** As above, on a link whose certificate confines the child to {@code joined}, if present. */
  String problem(Message m, boolean admitted, java.util.Optional<String> joined) {
    if (m instanceof Message.Register r && joined.isPresent()) {
      if (tier != Message.Tier.NODE) {
        return r.from() + " holds a node's join certificate (for cluster " + joined.get()
            + ") and cannot register here as a " + r.tier() + " agent";
      }
      if (!joined.get().equals(self)) {
        return r.from() + " joined cluster " + joined.get() + ", not " + self;
      }
    }
    if (m instanceof Message.Register r) {
      if (r.tier() != tier) {
        return r.from()
            + " registered as a "
            + r.tier()
            + " agent where "
            + tier
            + " agents register";
      }
      String described =
          tier == Message.Tier.NODE
              ? (r.node() == null ? null : r.node().name())
              : tier == Message.Tier.CLUSTER
                  ? (r.cluster() == null ? null : r.cluster().clusterId())
                  : r.from();
      if (!r.from().equals(described)) {
        return r.from() + " registered a descriptor named " + described;
      }
      if (!allowed.isEmpty() && !allowed.contains(r.from()) && joined.isEmpty()) {
        return r.from() + " is not one of the children this agent admits " + allowed;
      }
      return null;
    }
    if (!admitted) {
      return r(m) + " before registering";
    }
    if (tier == Message.Tier.NODE && m instanceof Message.StatusReport sr) {
      for (Message.InstanceReport ir : sr.instances()) {
        if (!m.from().equals(ir.node())) {
          return m.from() + " reported instance " + ir.instanceId() + " on node " + ir.node();
        }
      }
    }
    return null;
  }

  private static String r(Message m) {
    return m.from() + " sent " + m.getClass().getSimpleName();
  }

  private final class Checked implements Link {
    private final Link link;
    private volatile boolean admitted;
    private volatile boolean logged;

    private volatile Consumer<Boolean> listener = up -> {};

    Checked(Link link) {
      this.link = link;
      // A gRPC parent keeps one link per identity across reconnects: log once per connection.
      link.onConnectionChange(
          up -> {
            if (up) {
              logged = false;
            }
            listener.accept(up);
          });
    }

    @Override
    public boolean send(Message message) {
      return link.send(message);
    }

    @Override
    public void onReceive(Consumer<Message> handler) {
      Objects.requireNonNull(handler, "handler");
      link.onReceive(
          m -> {
            String problem = problem(m, admitted, link.certifiedCluster());
            if (problem != null) {
              refused.incrementAndGet();
              if (!admitted && !(m instanceof Message.Register)) {
                // A child's periodic reports (heartbeats, status, records) race its
                // registration when it connects: dropped and counted, not worth a warning.
                LOG.log(System.Logger.Level.DEBUG, () -> "dropped from child link " + link
                    + ": " + problem);
                return;
              }
              if (!logged) {
                logged = true; // once per connection: a misbehaving peer must not flood the log
                LOG.log(
                    System.Logger.Level.WARNING,
                    "refused from child link "
                        + link
                        + ": "
                        + problem
                        + " (further refusals on this connection are counted, not logged)");
              }
              return;
            }
            if (m instanceof Message.Register) {
              admitted = true;
            }
            handler.accept(m);
          });
    }

    @Override
    public void onConnectionChange(Consumer<Boolean> listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    public boolean isConnected() {
      return link.isConnected();
    }

    @Override
    public java.util.Optional<String> certifiedCluster() {
      return link.certifiedCluster();
    }

    @Override
    public boolean crossesProcess() {
      return link.crossesProcess();
    }

    @Override
    public String toString() {
      return link.toString();
    }
  }
}
