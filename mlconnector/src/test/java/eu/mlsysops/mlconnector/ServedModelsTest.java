package eu.mlsysops.mlconnector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Serving versions away from the registry: what agents in other processes run. */
class ServedModelsTest {
  @TempDir Path dir;

  @Test
  void aServingVersionSentAwayPredictsAndExplainsAsTheServiceDoes() throws Exception {
    List<String> in = List.of("a", "b");
    try (MlService ml = new MlService(dir.resolve("continuum"), Clock.systemUTC());
        ServedModels away = new ServedModels(dir.resolve("node"))) {
      ModelSpec spec = ml.register(MlServiceTest.spec(ModelKind.REGRESSION, Algorithm.TREE, in,
          "y", Map.of()));
      ml.upload(spec.id(), "data", "train.csv", new ByteArrayInputStream(
          MlServiceTest.csv(in, "y", 300, 3, x -> x[0] > 0.5 ? 10 * x[1] : -4)));
      ml.train(spec.id(), null);

      List<ServedModels.Entry> entries = ml.servingEntries();
      assertThat(entries).singleElement().satisfies(e -> {
        assertThat(e.modelId()).isEqualTo(spec.id().value());
        assertThat(e.version()).isEqualTo(1);
      });
      assertThat(away.serve(entries)).isEmpty();
      Map<String, Double> x = Map.of("a", 0.8, "b", 0.5);
      assertThat(away.forPolicy(spec.id(), x, false)).as("its file has not arrived").isEmpty();
      assertThat(away.missing()).containsExactly(entries.get(0).sha256());

      byte[] file = ml.servingFile(entries.get(0).sha256()).orElseThrow();
      assertThatThrownBy(() -> away.keep(entries.get(0).sha256(), new byte[] {1, 2}))
          .hasMessageContaining("arrived with another hash");
      away.keep(entries.get(0).sha256(), file);
      assertThat(away.missing()).isEmpty();

      MlService.Explained here = ml.forPolicy(spec.id(), x, true).orElseThrow();
      MlService.Explained there = away.forPolicy(spec.id(), x, true).orElseThrow();
      assertThat(there.value()).isEqualTo(here.value());
      assertThat(there.contributions()).isEqualTo(here.contributions());
      assertThat(there.version()).isEqualTo(1);
      assertThat(away.forPolicy(spec.id(), Map.of("a", 1.0), false)).as("a feature missing")
          .isEmpty();
      assertThat(away.failedPredictions()).isEqualTo(2);

      // Data uploads do not leave the continuum; a model that stops serving stops here too.
      String data = ml.uploads(spec.id()).get(0).sha256();
      assertThat(ml.servingFile(data)).isEmpty();
      away.serve(List.of());
      assertThat(away.forPolicy(spec.id(), x, false)).isEmpty();
    }
  }

  @Test
  void anEntryWhoseDescriptorDoesNotMatchIsLeftOutAndNamed() {
    try (ServedModels away = new ServedModels(dir)) {
      assertThat(away.serve(List.of(new ServedModels.Entry("m-1", 1, "ab", 3, "{}"))))
          .singleElement().satisfies(p -> assertThat(p).startsWith("model m-1 v1: "));
      assertThat(away.missing()).isEmpty();
    }
  }
}
