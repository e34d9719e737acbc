package eu.mlsysops.mlconnector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MlServiceTest {
  @TempDir Path dir;
  private MlService ml;

  private MlService ml() {
    if (ml == null) {
      ml = new MlService(dir, Clock.systemUTC());
    }
    return ml;
  }

  @AfterEach
  void close() {
    if (ml != null) {
      ml.close();
    }
  }

  static ModelSpec spec(ModelKind kind, Algorithm algorithm, List<String> inputs, String target,
      Map<String, Double> params) {
    List<Feature> features = new ArrayList<>();
    inputs.forEach(i -> features.add(Feature.input(i)));
    features.add(new Feature(target, kind == ModelKind.REGRESSION ? Feature.Type.CONT
        : Feature.Type.CAT, Feature.Kind.TARGET, null));
    return new ModelSpec(ModelId.random(), "m", kind, algorithm, features, params, null,
        List.of("test"), "admin", null, 0, Map.of());
  }

  /** A CSV of {@code rows} rows of random inputs in [0, 1) and {@code target} of them. */
  static byte[] csv(List<String> inputs, String targetName, int rows, long seed,
      ToDoubleFunction<double[]> target) {
    StringBuilder b = new StringBuilder(String.join(",", inputs)).append(',').append(targetName)
        .append('\n');
    Random r = new Random(seed);
    for (int i = 0; i < rows; i++) {
      double[] x = new double[inputs.size()];
      for (int j = 0; j < x.length; j++) {
        x[j] = r.nextDouble();
        b.append(x[j]).append(',');
      }
      double y = target.applyAsDouble(x);
      b.append(y == Math.rint(y) && Math.abs(y) < 1e6 ? Long.toString((long) y) : y).append('\n');
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private ModelSpec trained(ModelSpec spec, byte[] data) throws Exception {
    ml().register(spec);
    ml().upload(spec.id(), "data", "train.csv", new ByteArrayInputStream(data));
    ml().train(spec.id(), null);
    return spec;
  }

  private static Map<String, Object> features(List<String> names, double... v) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (int i = 0; i < v.length; i++) {
      out.put(names.get(i), v[i]);
    }
    return out;
  }

  private static void assertAddsUp(MlService.Explained e) {
    double sum = e.contributions().values().stream().mapToDouble(Double::doubleValue).sum();
    assertThat(e.baseValue() + sum).isCloseTo(e.value(), within(1e-9));
  }

  @Test
  void aLinearRegressionLearnsItsDataAndExplainsEachInputExactly() throws Exception {
    List<String> in = List.of("a", "b");
    ModelSpec spec = trained(spec(ModelKind.REGRESSION, Algorithm.LINEAR, in, "y",
        Map.of("epochs", 100.0)), csv(in, "y", 400, 1, x -> 3 * x[0] - 2 * x[1] + 1));

    ModelVersion v = ml().versions(spec.id()).get(0);
    assertThat(v.stage()).as("the first version serves at once").isEqualTo(Stage.SERVING);
    assertThat(v.metrics().get("rmse")).isLessThan(0.05);
    assertThat(v.metrics()).containsEntry("rows", 320.0).containsEntry("holdout_rows", 80.0);
    assertThat(ml().predict(spec.id(), features(in, 0.5, 0.25)).output().value())
        .isCloseTo(3 * 0.5 - 2 * 0.25 + 1, within(0.05));

    MlService.Explained e = ml().explain(spec.id(), features(in, 0.9, 0.1));
    assertThat(e.method()).isEqualTo("linear");
    assertAddsUp(e);
    double a0 = v.baseline().get("a");
    double b0 = v.baseline().get("b");
    assertThat(e.contributions().get("a")).isCloseTo(3 * (0.9 - a0), within(0.05));
    assertThat(e.contributions().get("b")).isCloseTo(-2 * (0.1 - b0), within(0.05));
  }

  @Test
  void treesAreExplainedByExactShapleyValuesAndWideModelsBySampledOnes() throws Exception {
    List<String> three = List.of("a", "b", "c");
    ModelSpec tree = trained(spec(ModelKind.REGRESSION, Algorithm.TREE, three, "y", Map.of()),
        csv(three, "y", 300, 2, x -> x[0] > 0.5 ? 10 * x[1] : x[2]));
    MlService.Explained exact = ml().explain(tree.id(), features(three, 0.8, 0.9, 0.1));
    assertThat(exact.method()).isEqualTo("exact");
    assertThat(exact.samples()).isZero();
    assertAddsUp(exact);

    List<String> twelve = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      twelve.add("f" + i);
    }
    ModelSpec wide = trained(spec(ModelKind.REGRESSION, Algorithm.TREE, twelve, "y", Map.of()),
        csv(twelve, "y", 300, 3, x -> x[0] + x[11]));
    double[] x = new double[12];
    java.util.Arrays.fill(x, 0.7);
    MlService.Explained sampled = ml().explain(wide.id(), features(twelve, x));
    assertThat(sampled.method()).isEqualTo("sampled");
    assertThat(sampled.samples()).isEqualTo(Explainer.SAMPLES);
    assertAddsUp(sampled);
  }

  @Test
  void exactShapleyValuesOfAKnownFunctionAreItsTextbookValues() {
    // f = a * b: from baseline (0, 0) to (1, 1) each input gets half of the interaction.
    Explainer.Score f = z -> z[0] * z[1] + 2 * z[2];
    double[] phi = Explainer.exact(f, new double[] {1, 1, 1}, new double[] {0, 0, 0});
    assertThat(phi).containsExactly(new double[] {0.5, 0.5, 2}, within(1e-12));
    double[] sampled = Explainer.sampled(f, new double[] {1, 1, 1}, new double[] {0, 0, 0}, 2000,
        new Random(1));
    assertThat(sampled).containsExactly(new double[] {0.5, 0.5, 2}, within(0.05));
  }

  @Test
  void aClassifierGivesItsLabelWithProbabilitiesAndExplainsThatLabel() throws Exception {
    List<String> in = List.of("load", "noise");
    byte[] data = csv(in, "qos", 400, 4, x -> x[0] > 0.5 ? 1 : 0);
    ModelSpec spec = trained(spec(ModelKind.CLASSIFICATION, Algorithm.LINEAR, in, "qos",
        Map.of("epochs", 100.0)), data);

    assertThat(ml().versions(spec.id()).get(0).metrics().get("accuracy")).isGreaterThan(0.9);
    LoadedModel.Output high = ml().predict(spec.id(), features(in, 0.95, 0.5)).output();
    assertThat(high.label()).isEqualTo("1");
    assertThat(high.value()).isEqualTo(1.0);
    assertThat(high.probabilities().values().stream().mapToDouble(Double::doubleValue).sum())
        .isCloseTo(1.0, within(1e-9));
    MlService.Explained e = ml().explain(spec.id(), features(in, 0.95, 0.5));
    assertThat(e.label()).isEqualTo("1");
    assertAddsUp(e);
    assertThat(e.contributions().get("load")).isGreaterThan(Math.abs(e.contributions()
        .get("noise")));
  }

  @Test
  void badFeaturesAreRefusedNamingTheFeatureAndPoliciesGetNothingInstead() throws Exception {
    List<String> in = List.of("a", "b");
    ModelSpec spec = trained(spec(ModelKind.REGRESSION, Algorithm.TREE, in, "y", Map.of()),
        csv(in, "y", 100, 5, x -> x[0]));

    assertThatThrownBy(() -> ml().predict(spec.id(), Map.of("a", 1.0)))
        .hasMessageStartingWith("features: \"b\" is missing");
    assertThatThrownBy(() -> ml().predict(spec.id(), Map.of("a", 1.0, "b", 2.0, "c", 3.0)))
        .hasMessageStartingWith("features: \"c\" is not an input");
    assertThatThrownBy(() -> ml().predict(spec.id(), Map.of("a", 1.0, "b", "two")))
        .hasMessageStartingWith("features: \"b\" is not a number");
    assertThatThrownBy(() -> ml().predict(spec.id(), Map.of("a", 1.0, "b", Double.NaN)))
        .hasMessageStartingWith("features: \"b\" is not a finite number");

    assertThat(ml().forPolicy(spec.id(), Map.of("a", 1.0), true)).isEmpty();
    assertThat(ml().forPolicy(ModelId.random(), Map.of("a", 1.0), false)).isEmpty();
    assertThat(ml().failedPredictions()).isEqualTo(2);
    assertThat(ml().forPolicy(spec.id(), Map.of("a", 1.0, "b", 0.0), false)).isPresent();
  }

  @Test
  void dataThatCannotTrainIsRefusedWithTheReason() throws Exception {
    List<String> in = List.of("a");
    ModelSpec spec = ml().register(spec(ModelKind.REGRESSION, Algorithm.LINEAR, in, "y",
        Map.of()));
    assertThatThrownBy(() -> ml().train(spec.id(), null))
        .hasMessageContaining("has no data upload");

    ml().upload(spec.id(), "data", "c.csv", new ByteArrayInputStream(
        csv(in, "y", 50, 6, x -> 7)));
    assertThatThrownBy(() -> ml().train(spec.id(), null))
        .hasMessage("data: the target \"y\" is constant (7): there is nothing to learn");

    ml().upload(spec.id(), "data", "bad.csv", new ByteArrayInputStream(
        "a,y\n1,2\nx,3\n".getBytes(StandardCharsets.UTF_8)));
    assertThatThrownBy(() -> ml().train(spec.id(), null))
        .hasMessage("data: line 3, column \"a\": \"x\" is not a number");

    ml().upload(spec.id(), "data", "short.csv", new ByteArrayInputStream(
        "a,y\n1,2\n2,3\n".getBytes(StandardCharsets.UTF_8)));
    assertThatThrownBy(() -> ml().train(spec.id(), null))
        .hasMessageStartingWith("data: 2 rows; at least 10");

    ml().upload(spec.id(), "data", "other.csv", new ByteArrayInputStream(
        "b,y\n1,2\n".getBytes(StandardCharsets.UTF_8)));
    assertThatThrownBy(() -> ml().train(spec.id(), null))
        .hasMessageStartingWith("data: no column \"a\"");
  }

  @Test
  void aCorruptModelFileOrAnUnknownFileKindIsRefusedAtUpload() {
    ModelSpec spec = ml().register(spec(ModelKind.REGRESSION, Algorithm.LINEAR, List.of("a"),
        "y", Map.of()));

    assertThatThrownBy(() -> ml().upload(spec.id(), "model", "m.bin",
        new ByteArrayInputStream(new byte[] {1, 2, 3, 4})))
        .hasMessageStartingWith("file: not a Tribuo model");
    assertThatThrownBy(() -> ml().upload(spec.id(), "weights", "m.bin",
        new ByteArrayInputStream(new byte[0])))
        .hasMessageStartingWith("file_kind: \"weights\" is not one of");
    assertThat(ml().versions(spec.id())).isEmpty();
  }

  @Test
  void aTrainedModelFileUploadedElsewhereServesTheSamePredictions() throws Exception {
    List<String> in = List.of("a", "b");
    ModelSpec source = trained(spec(ModelKind.REGRESSION, Algorithm.LINEAR, in, "y", Map.of()),
        csv(in, "y", 200, 7, x -> x[0] - x[1]));
    byte[] file = ml().serving(source.id()).bytes();
    ModelSpec copy = ml().register(spec(ModelKind.REGRESSION, Algorithm.LINEAR, in, "y",
        Map.of()));

    ml().upload(copy.id(), "model", "m.tribuo", new ByteArrayInputStream(file));

    assertThat(ml().predict(copy.id(), features(in, 0.3, 0.6)).output().value())
        .isEqualTo(ml().predict(source.id(), features(in, 0.3, 0.6)).output().value());
  }

  @Test
  void versionsArePromotedAndRolledBackAndSurviveARestart() throws Exception {
    List<String> in = List.of("a");
    ModelSpec spec = trained(spec(ModelKind.REGRESSION, Algorithm.TREE, in, "y", Map.of()),
        csv(in, "y", 100, 8, x -> x[0]));
    ml().upload(spec.id(), "data", "v2.csv", new ByteArrayInputStream(
        csv(in, "y", 100, 9, x -> 2 * x[0])));
    ModelVersion v2 = ml().train(spec.id(), null);
    assertThat(v2.stage()).as("a later version waits to be promoted").isEqualTo(Stage.CANDIDATE);
    assertThat(v2.parent()).isEqualTo(1);

    assertThat(ml().promote(spec.id(), 2).version()).isEqualTo(2);
    assertThat(ml().predict(spec.id(), Map.of("a", 0.9)).version()).isEqualTo(2);
    assertThat(ml().rollback(spec.id()).version()).isEqualTo(1);

    ml.close();
    ml = null;
    assertThat(ml().versions(spec.id())).extracting(ModelVersion::stage)
        .containsExactly(Stage.SERVING, Stage.RETIRED);
    assertThat(ml().predict(spec.id(), Map.of("a", 0.9)).version()).isEqualTo(1);
    assertThatThrownBy(() -> ml().promote(spec.id(), 7)).isInstanceOf(MlService.NotFound.class);
  }

  @Test
  void aModelTrainsOnlyOnItsOwnUploadsEvenByHash() throws Exception {
    List<String> in = List.of("a");
    ModelSpec theirs = trained(spec(ModelKind.REGRESSION, Algorithm.TREE, in, "y", Map.of()),
        csv(in, "y", 100, 10, x -> x[0]));
    String sha = ml().uploads(theirs.id()).get(0).sha256();
    ModelSpec mine = ml().register(spec(ModelKind.REGRESSION, Algorithm.TREE, in, "y",
        Map.of()));

    assertThatThrownBy(() -> ml().train(mine.id(), sha))
        .hasMessage("data: " + sha + " is not a data upload of model m");
    assertThat(ml().versions(mine.id())).isEmpty();
  }

  @Test
  void aModelFileWithOtherInputsOrAnotherKindIsRefused() throws Exception {
    List<String> two = List.of("cpu", "fps");
    ModelSpec source = trained(spec(ModelKind.REGRESSION, Algorithm.TREE, two, "y", Map.of()),
        csv(two, "y", 100, 11, x -> x[0] + x[1]));
    byte[] file = ml().serving(source.id()).bytes();
    ModelSpec one = ml().register(spec(ModelKind.REGRESSION, Algorithm.TREE, List.of("cpu"), "y",
        Map.of()));
    ModelSpec classifier = ml().register(spec(ModelKind.CLASSIFICATION, Algorithm.TREE, two, "y",
        Map.of()));

    assertThatThrownBy(() -> ml().upload(one.id(), "model", "m", new ByteArrayInputStream(file)))
        .hasMessage("file: the Tribuo model's inputs [cpu, fps] are not the inputs of model m"
            + " [cpu]");
    assertThatThrownBy(() -> ml().upload(classifier.id(), "model", "m",
        new ByteArrayInputStream(file)))
        .hasMessage("file: the Tribuo model predicts a regression, model m a classification");
    assertThat(ml().versions(one.id())).isEmpty();
  }
}
