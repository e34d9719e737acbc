package eu.mlsysops.bench;

import eu.mlsysops.agent.MlConnector;
import eu.mlsysops.mlconnector.Algorithm;
import eu.mlsysops.mlconnector.Feature;
import eu.mlsysops.mlconnector.MlService;
import eu.mlsysops.mlconnector.ModelId;
import eu.mlsysops.mlconnector.ModelKind;
import eu.mlsysops.mlconnector.ModelSpec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a policy pays to ask a model: {@code view.ml().predict(id, features)} (the features checked
 * by name, the serving version's Tribuo model asked) and {@code view.ml().explain(…)} (the
 * prediction and its contributions), for linear and tree regression models of 8 and 32 inputs
 * trained on 2,000 rows. Target: predict p99 under 50 µs up to 32 features (issue 13).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class ModelPredictionBenchmark {
  @Param({"linear", "tree"})
  public String algorithm;

  @Param({"8", "32"})
  public int features;

  private Path dir;
  private MlService service;
  private MlConnector ml;
  private String id;
  private Map<String, Double> input;

  @Setup(Level.Trial)
  public void train() throws IOException {
    dir = Files.createTempDirectory("mls-bench-ml");
    service = new MlService(dir, Clock.systemUTC());
    ml = MlConnector.of(service);
    List<Feature> fs = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < features; i++) {
      names.add("f" + i);
      fs.add(Feature.input("f" + i));
    }
    fs.add(Feature.target("y"));
    ModelSpec spec = new ModelSpec(ModelId.random(), "bench", ModelKind.REGRESSION,
        Algorithm.fromWire(algorithm), fs, Map.of(), null, List.of(), "bench", null, 0, Map.of());
    service.register(spec);
    StringBuilder csv = new StringBuilder(String.join(",", names)).append(",y\n");
    Random r = new Random(1);
    for (int row = 0; row < 2_000; row++) {
      double y = 0;
      for (int i = 0; i < features; i++) {
        double x = r.nextDouble();
        y += (i % 3 == 0 ? 2 : -1) * x + (i == 0 && x > 0.5 ? 3 : 0);
        csv.append(x).append(',');
      }
      csv.append(y).append('\n');
    }
    service.upload(spec.id(), "data", "bench.csv",
        new ByteArrayInputStream(csv.toString().getBytes(StandardCharsets.UTF_8)));
    service.train(spec.id(), null);
    id = spec.id().value();
    input = new LinkedHashMap<>();
    for (String n : names) {
      input.put(n, 0.5);
    }
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    service.close();
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** A policy's prediction. */
  @Benchmark
  public Optional<MlConnector.Prediction> predict() {
    return ml.predict(id, input);
  }

  /** A policy's explained prediction (linear: exact in one pass; tree: sampled above 10 inputs). */
  @Benchmark
  public Optional<MlConnector.Prediction> explain() {
    return ml.explain(id, input);
  }
}
