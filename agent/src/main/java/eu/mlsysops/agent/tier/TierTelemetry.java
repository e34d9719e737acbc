package eu.mlsysops.agent.tier;

import eu.mlsysops.protocol.Message;
import eu.mlsysops.telemetry.TelemetryQuery;
import eu.mlsysops.telemetry.UnionQuery;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The telemetry of each tier of an embedded continuum, read as one store: the stores of the
 * agents in this process, plus (when there are any) the agents in other processes, asked over
 * their links.
 */
final class TierTelemetry {
  private final ContinuumAgent continuum;
  private final Map<String, ClusterAgent> clusters;
  private final Map<String, NodeAgent> nodes;
  private final boolean remoteClusters;
  private final Clock clock;

  /**
   * @param clusters the cluster agents of this process (a live map)
   * @param nodes the node agents of this process (a live map)
   * @param remoteClusters whether clusters run in other processes (then so do their nodes)
   */
  TierTelemetry(ContinuumAgent continuum, Map<String, ClusterAgent> clusters,
      Map<String, NodeAgent> nodes, boolean remoteClusters, Clock clock) {
    this.continuum = Objects.requireNonNull(continuum);
    this.clusters = Objects.requireNonNull(clusters);
    this.nodes = Objects.requireNonNull(nodes);
    this.remoteClusters = remoteClusters;
    this.clock = Objects.requireNonNull(clock);
  }

  /** @see EmbeddedContinuum#telemetry(String) */
  UnionQuery of(String tier) {
    return switch (tier) {
      case "continuum" -> new UnionQuery(() -> List.of(continuum.telemetry()));
      case "cluster" -> {
        // Clusters in other processes are asked (one round trip per selector) only when there
        // are any: in one process every store is read directly.
        RemoteTelemetry remote = remoteClusters ? remote(Message.Tier.CLUSTER,
            q -> continuum.remoteSeries(q, SeriesQueries.DEFAULT_TIMEOUT)) : null;
        yield new UnionQuery(() -> withRemote(
            clusters.values().stream().map(ClusterAgent::telemetry), remote));
      }
      case "node" -> {
        // Nodes in other processes: behind clusters in other processes, or joined to ours.
        RemoteTelemetry remote = remote(Message.Tier.NODE, this::remoteNodeSeries);
        yield new UnionQuery(() -> withRemote(
            nodes.values().stream().map(NodeAgent::telemetry), remoteNodes() ? remote : null));
      }
      default -> throw new IllegalArgumentException(
          "\"" + tier + "\" is not a tier (continuum, cluster, node)");
    };
  }

  /** A tier's stores in this process only (no agent in another process is asked). */
  UnionQuery local(String tier) {
    return switch (tier) {
      case "cluster" -> new UnionQuery(
          () -> clusters.values().stream().map(ClusterAgent::telemetry).toList());
      case "node" -> new UnionQuery(
          () -> nodes.values().stream().map(NodeAgent::telemetry).toList());
      default -> of(tier);
    };
  }

  private RemoteTelemetry remote(Message.Tier tier,
      Function<Message.SeriesQuery, CompletableFuture<SeriesQueries.Gathered>> ask) {
    return new RemoteTelemetry(tier, continuum.seriesQueries(), ask, clock,
        SeriesQueries.DEFAULT_TIMEOUT);
  }

  private static List<TelemetryQuery> withRemote(
      Stream<? extends TelemetryQuery> local, RemoteTelemetry remote) {
    List<TelemetryQuery> all = new ArrayList<>(local.toList());
    if (remote != null) {
      all.add(remote);
    }
    return all;
  }

  /** Whether any node agent runs in another process (behind remote clusters, or joined). */
  private boolean remoteNodes() {
    if (remoteClusters) {
      return true;
    }
    for (ClusterAgent c : List.copyOf(clusters.values())) {
      if (c.hasRemoteNodes()) {
        return true;
      }
    }
    return false;
  }

  /** The series of every node whose agent runs in another process, each asked once. */
  private CompletableFuture<SeriesQueries.Gathered> remoteNodeSeries(Message.SeriesQuery q) {
    List<CompletableFuture<SeriesQueries.Gathered>> parts = new ArrayList<>();
    if (remoteClusters) {
      parts.add(continuum.remoteSeries(q, SeriesQueries.DEFAULT_TIMEOUT));
    }
    for (ClusterAgent c : List.copyOf(clusters.values())) {
      if (!c.hasRemoteNodes()) {
        continue;
      }
      parts.add(c.remoteNodeSeries(q)
          .thenApply(a -> new SeriesQueries.Gathered(List.of(a), List.of())));
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .thenApply(done -> {
          List<Message.SeriesAnswer> answers = new ArrayList<>();
          List<String> warnings = new ArrayList<>();
          for (var p : parts) {
            answers.addAll(p.join().answers());
            warnings.addAll(p.join().warnings());
          }
          return new SeriesQueries.Gathered(answers, warnings);
        });
  }
}
