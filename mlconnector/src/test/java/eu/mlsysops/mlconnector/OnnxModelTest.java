package eu.mlsysops.mlconnector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX models built by {@code src/test/resources/onnx/make_models.py} (python3-onnx) answer what
 * the script computed for them ({@code expected.json}).
 */
class OnnxModelTest {
  @TempDir Path dir;
  private MlService ml;

  @AfterEach
  void close() {
    if (ml != null) {
      ml.close();
    }
  }

  private static InputStream resource(String name) {
    return OnnxModelTest.class.getResourceAsStream("/onnx/" + name);
  }

  private static JsonNode expected(String model) throws Exception {
    try (InputStream in = resource("expected.json")) {
      return new ObjectMapper().readTree(in).get(model);
    }
  }

  private ModelSpec register(String... inputs) {
    ml = ml == null ? new MlService(dir, Clock.systemUTC()) : ml;
    List<Feature> fs = new ArrayList<>();
    for (String i : inputs) {
      fs.add(Feature.input(i));
    }
    fs.add(Feature.target("y"));
    return ml.register(new ModelSpec(ModelId.random(), "onnx", ModelKind.REGRESSION,
        Algorithm.LINEAR, fs, Map.of(), null, List.of(), "admin", null, 0, Map.of()));
  }

  @Test
  void aModelWithOneMatrixInputTakesTheFeaturesInOrder() throws Exception {
    ModelSpec spec = register("a", "b", "c");
    try (InputStream in = resource("linear3.onnx")) {
      ml.upload(spec.id(), "model", "linear3.onnx", in);
    }
    JsonNode e = expected("linear3");

    for (int row = 0; row < e.get("inputs").size(); row++) {
      JsonNode x = e.get("inputs").get(row);
      Map<String, Object> f = Map.of("a", x.get(0).asDouble(), "b", x.get(1).asDouble(),
          "c", x.get(2).asDouble());
      assertThat(ml.predict(spec.id(), f).output().value())
          .isCloseTo(e.get("outputs").get(row).asDouble(), within(1e-6));
    }
    MlService.Explained ex = ml.explain(spec.id(), Map.of("a", 0.5, "b", 0.25, "c", 2.0));
    assertThat(ex.method()).as("an ONNX file is not taken to be linear").isEqualTo("exact");
    assertThat(ex.baseValue() + ex.contributions().values().stream()
        .mapToDouble(Double::doubleValue).sum()).isCloseTo(ex.value(), within(1e-6));
    // From the zero baseline of an uploaded model, a linear model's Shapley values are w x.
    assertThat(ex.contributions().get("b")).isCloseTo(-3 * 0.25, within(1e-6));
  }

  @Test
  void aModelWithOneInputPerFeatureIsMatchedByName() throws Exception {
    ModelSpec spec = register("fps", "cpu"); // not the file's order
    try (InputStream in = resource("named2.onnx")) {
      ml.upload(spec.id(), "model", "named2.onnx", in);
    }
    JsonNode e = expected("named2");

    for (int row = 0; row < e.get("inputs").size(); row++) {
      JsonNode x = e.get("inputs").get(row);
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("cpu", x.get(0).asDouble());
      f.put("fps", x.get(1).asDouble());
      assertThat(ml.predict(spec.id(), f).output().value())
          .isCloseTo(e.get("outputs").get(row).asDouble(), within(1e-4));
    }
  }

  @Test
  void aModelWhoseInputsFitNeitherWayIsRefusedNamingThem() throws Exception {
    ModelSpec spec = register("a", "b");
    try (InputStream in = resource("linear3.onnx")) {
      assertThatThrownBy(() -> ml.upload(spec.id(), "model", "linear3.onnx", in))
          .hasMessage("file: the ONNX model's inputs [X[-1, 3]] match neither one [N, 2] float"
              + " tensor nor the features [a, b] by name");
    }
    assertThat(ml.versions(spec.id())).isEmpty();
  }

  @Test
  void aClassifierGivesTheMostProbableClassByItsNameWithEachProbability() throws Exception {
    ml = new MlService(dir, Clock.systemUTC());
    ModelSpec spec = ml.register(new ModelSpec(ModelId.random(), "onnx-classes",
        ModelKind.CLASSIFICATION, Algorithm.LINEAR, List.of(Feature.input("a"),
            Feature.input("b"), new Feature("level", Feature.Type.CAT, Feature.Kind.TARGET, null)),
        Map.of(), null, List.of(), "admin", null, 0, Map.of()));
    try (InputStream in = resource("classifier3.onnx")) {
      ml.upload(spec.id(), "model", "classifier3.onnx", in);
    }
    JsonNode e = expected("classifier3");

    for (int row = 0; row < e.get("inputs").size(); row++) {
      JsonNode x = e.get("inputs").get(row);
      LoadedModel.Output o = ml.predict(spec.id(), Map.of("a", x.get(0).asDouble(),
          "b", x.get(1).asDouble())).output();
      assertThat(o.label()).isEqualTo(e.get("predicted").get(row).asText());
      assertThat(o.probabilities().keySet()).containsExactly("low", "mid", "high");
      for (int c = 0; c < 3; c++) {
        assertThat(o.probabilities().get(e.get("labels").get(c).asText()))
            .isCloseTo(e.get("probabilities").get(row).get(c).asDouble(), within(1e-6));
      }
      // Not a number: its index among the sorted labels (high, low, mid).
      assertThat(o.value()).isEqualTo(List.of("high", "low", "mid").indexOf(o.label()));
    }
    MlService.Explained ex = ml.explain(spec.id(), Map.of("a", 1.0, "b", 0.0));
    assertThat(ex.label()).isEqualTo("low");
    assertThat(ex.value()).as("the probability of the predicted class")
        .isCloseTo(e.get("probabilities").get(0).get(0).asDouble(), within(1e-6));
    assertThat(ex.baseValue() + ex.contributions().values().stream()
        .mapToDouble(Double::doubleValue).sum()).isCloseTo(ex.value(), within(1e-9));
  }

  @Test
  void aModelWithoutClassProbabilitiesIsRefusedAsAClassifier() throws Exception {
    ml = new MlService(dir, Clock.systemUTC());
    ModelSpec spec = ml.register(new ModelSpec(ModelId.random(), "not-classes",
        ModelKind.CLASSIFICATION, Algorithm.LINEAR, List.of(Feature.input("a"),
            Feature.input("b"), Feature.input("c"),
            new Feature("level", Feature.Type.CAT, Feature.Kind.TARGET, null)),
        Map.of(), null, List.of(), "admin", null, 0, Map.of()));
    try (InputStream in = resource("linear3.onnx")) { // a regression: Y [N, 1]
      assertThatThrownBy(() -> ml.upload(spec.id(), "model", "linear3.onnx", in))
          .hasMessage("file: the ONNX classifier has no output of class probabilities (a float"
              + " tensor [N, C], C > 1; its outputs: [Y[-1, 1]])");
    }
    assertThat(ml.versions(spec.id())).isEmpty();
  }

}
