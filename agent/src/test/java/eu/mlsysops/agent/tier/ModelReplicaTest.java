package eu.mlsysops.agent.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.ByteString;
import eu.mlsysops.agent.MlConnector;
import eu.mlsysops.mlconnector.Algorithm;
import eu.mlsysops.mlconnector.Feature;
import eu.mlsysops.mlconnector.MlService;
import eu.mlsysops.mlconnector.ModelId;
import eu.mlsysops.mlconnector.ModelKind;
import eu.mlsysops.mlconnector.ModelSpec;
import eu.mlsysops.mlconnector.ServedModels;
import eu.mlsysops.protocol.Message;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Models going down continuum → cluster → node, as they do between processes. */
class ModelReplicaTest {
  @TempDir Path dir;

  private static ModelSpec line() {
    return new ModelSpec(ModelId.random(), "line", ModelKind.REGRESSION, Algorithm.LINEAR,
        List.of(Feature.input("x"), new Feature("y", Feature.Type.CONT, Feature.Kind.TARGET,
            null)), Map.of(), null, List.of(), "admin", null, 0, Map.of());
  }

  @Test
  void aServingVersionReachesANodeThroughItsClusterAndAnswersThere() throws Exception {
    try (MlService ml = new MlService(dir.resolve("continuum"), Clock.systemUTC());
        ServedModels atCluster = new ServedModels(dir.resolve("cluster"));
        ServedModels atNode = new ServedModels(dir.resolve("node"))) {
      ModelSpec spec = ml.register(line());
      StringBuilder csv = new StringBuilder("x,y\n");
      for (int i = 0; i < 40; i++) {
        csv.append(i).append(',').append(3 * i + 1).append('\n');
      }
      ml.upload(spec.id(), "data", "line.csv",
          new ByteArrayInputStream(csv.toString().getBytes(StandardCharsets.UTF_8)));
      ml.train(spec.id(), null);

      List<Message.ModelSet> sets = new CopyOnWriteArrayList<>();
      ModelSource source = new ModelSource("k", ml, sets::add);
      source.refresh();
      source.refresh();
      assertThat(sets).as("sent once while nothing changes").hasSize(1);

      RecordingLink toCluster = new RecordingLink(); // what the continuum sends the cluster
      RecordingLink toNode = new RecordingLink(); // what the cluster sends the node
      List<Message> clusterUp = new CopyOnWriteArrayList<>();
      List<Message> nodeUp = new CopyOnWriteArrayList<>();
      ModelReplica cluster = new ModelReplica("c1", atCluster, clusterUp::add);
      ModelReplica node = new ModelReplica("n1", atNode, nodeUp::add);

      cluster.fromParent(sets.get(0), () -> List.of(toNode));
      String sha = sets.get(0).models().get(0).sha256();
      assertThat(clusterUp).containsExactly(new Message.ModelWant("c1", List.of(sha)));
      toNode.drainTo(m -> node.fromParent(m, List::of));
      assertThat(nodeUp).containsExactly(new Message.ModelWant("n1", List.of(sha)));
      MlConnector atTheNode = MlConnector.of(atNode);
      assertThat(atTheNode.predict(spec.id().value(), Map.of("x", 2.0))).as("not arrived yet")
          .isEmpty();

      // The node's want waits at the cluster (asked of the continuum once), then both arrive.
      cluster.fromChild(toNode, (Message.ModelWant) nodeUp.get(0));
      assertThat(clusterUp).hasSize(1);
      source.want(toCluster, (Message.ModelWant) clusterUp.get(0));
      assertThat(toCluster.sent(Message.ModelChunk.class)).isNotEmpty();
      toCluster.drainTo(m -> cluster.fromParent(m, () -> List.of(toNode)));
      assertThat(atCluster.has(sha)).isTrue();
      toNode.drainTo(m -> node.fromParent(m, List::of));

      MlConnector.Prediction p = atTheNode.predict(spec.id().value(), Map.of("x", 2.0))
          .orElseThrow();
      assertThat(p.version()).isEqualTo("1");
      assertThat(p.value()).isCloseTo(ml.predict(spec.id(), Map.of("x", 2.0)).output().value(),
          within(1e-12)).isCloseTo(7, within(0.05));
      assertThat(atTheNode.explain(spec.id().value(), Map.of("x", 2.0)).orElseThrow()
          .attribution()).containsOnlyKeys("x");

      // A node that registers later gets the set; one that already has the file asks nothing.
      RecordingLink late = new RecordingLink();
      cluster.registered(late);
      assertThat(late.sent(Message.ModelSet.class)).singleElement()
          .satisfies(s -> assertThat(s.from()).isEqualTo("c1"));
      nodeUp.clear();
      node.fromParent(late.sent(Message.ModelSet.class).get(0), List::of);
      assertThat(nodeUp).isEmpty();

      // What stops serving at the continuum stops at the node with the next set.
      ml.delete(spec.id());
      source.refresh();
      assertThat(sets).hasSize(2);
      node.fromParent(sets.get(1), List::of);
      assertThat(atTheNode.predict(spec.id().value(), Map.of("x", 2.0))).isEmpty();
    }
  }

  @Test
  void aFileOfManyChunksIsPutTogetherAndAStrayChunkIsDropped() throws Exception {
    byte[] big = new byte[ModelReplica.CHUNK_BYTES * 2 + 12345];
    new java.util.Random(1).nextBytes(big);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(big));
    List<Message.ModelChunk> chunks = ModelReplica.chunks("k", sha, big);
    assertThat(chunks).hasSize(3);
    assertThat(chunks).extracting(Message.ModelChunk::offset)
        .containsExactly(0L, (long) ModelReplica.CHUNK_BYTES, 2L * ModelReplica.CHUNK_BYTES);

    try (ServedModels at = new ServedModels(dir.resolve("n"))) {
      List<Message> up = new CopyOnWriteArrayList<>();
      ModelReplica r = new ModelReplica("n1", at, up::add);
      // Not a file any model loads, but one of the set all the same.
      ModelSpec spec = line();
      eu.mlsysops.mlconnector.ModelVersion v = new eu.mlsysops.mlconnector.ModelVersion(spec.id(),
          1, eu.mlsysops.mlconnector.Stage.SERVING, Map.of(), Map.of(), sha, 0, null, 0);
      r.fromParent(new Message.ModelSet("c1", "d", List.of(new Message.ServedModel(
          spec.id().value(), 1, sha, big.length, ServedModels.describe(spec, v)))), List::of);
      assertThat(up).containsExactly(new Message.ModelWant("n1", List.of(sha)));

      r.fromParent(chunks.get(1), List::of); // the rest of a start lost with a broken link
      r.fromParent(chunks.get(0), List::of);
      r.fromParent(chunks.get(2), List::of); // a gap: dropped
      assertThat(at.has(sha)).isFalse();
      chunks.forEach(c -> r.fromParent(c, List::of));
      assertThat(at.has(sha)).isTrue();
      assertThat(at.file(sha)).isEqualTo(big);

      // A chunk of a file nobody asked for is not kept.
      r.fromParent(new Message.ModelChunk("c1", "00".repeat(32), 0, 3,
          ByteString.copyFrom(new byte[] {1, 2, 3})), List::of);
      assertThat(at.has("00".repeat(32))).isFalse();
    }
  }
}
