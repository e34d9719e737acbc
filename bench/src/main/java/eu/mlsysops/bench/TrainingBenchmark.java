package eu.mlsysops.bench;

import eu.mlsysops.mlconnector.Algorithm;
import eu.mlsysops.mlconnector.Feature;
import eu.mlsysops.mlconnector.MlService;
import eu.mlsysops.mlconnector.ModelId;
import eu.mlsysops.mlconnector.ModelKind;
import eu.mlsysops.mlconnector.ModelSpec;
import eu.mlsysops.mlconnector.ModelVersion;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Training throughput of the ML Connector: a CSV data upload of ROWS rows × 8 inputs trained by
 * each algorithm and kind (parse, 80/20 split, Tribuo training, holdout scoring, serialising), three
 * times; prints the median rows per second. Usage: {@code java -cp benchmarks.jar
 * eu.mlsysops.bench.TrainingBenchmark [ROWS]} (default 100,000).
 */
public final class TrainingBenchmark {
  private TrainingBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int inputs = 8;
    List<String> names = new ArrayList<>();
    for (int i = 0; i < inputs; i++) {
      names.add("f" + i);
    }
    StringBuilder csv = new StringBuilder(String.join(",", names)).append(",y,label\n");
    Random r = new Random(1);
    for (int row = 0; row < rows; row++) {
      double y = 0;
      for (int i = 0; i < inputs; i++) {
        double x = r.nextDouble();
        y += (i % 3 == 0 ? 2 : -1) * x;
        csv.append(x).append(',');
      }
      csv.append(y).append(',').append(y > 0 ? "high" : "low").append('\n');
    }
    byte[] data = csv.toString().getBytes(StandardCharsets.UTF_8);
    Path dir = Files.createTempDirectory("mls-bench-train");
    System.out.printf("%d rows × %d inputs (%.1f MB of CSV); median of 3%n", rows, inputs,
        data.length / 1e6);
    System.out.printf("%-15s %-6s %10s %12s  %s%n", "kind", "algo", "seconds", "rows/s",
        "holdout");
    try (MlService ml = new MlService(dir, Clock.systemUTC())) {
      for (ModelKind kind : ModelKind.values()) {
        for (Algorithm algorithm : Algorithm.values()) {
          List<Feature> fs = new ArrayList<>();
          names.forEach(n -> fs.add(Feature.input(n)));
          fs.add(new Feature(kind == ModelKind.REGRESSION ? "y" : "label",
              kind == ModelKind.REGRESSION ? Feature.Type.CONT : Feature.Type.CAT,
              Feature.Kind.TARGET, null));
          ModelSpec spec = ml.register(new ModelSpec(ModelId.random(), "bench", kind, algorithm,
              fs, Map.of(), null, List.of(), "bench", null, 0, Map.of()));
          ml.upload(spec.id(), "data", "bench.csv", new ByteArrayInputStream(data));
          double[] seconds = new double[3];
          ModelVersion last = null;
          for (int i = 0; i < seconds.length; i++) {
            long t0 = System.nanoTime();
            last = ml.train(spec.id(), null);
            seconds[i] = (System.nanoTime() - t0) / 1e9;
          }
          Arrays.sort(seconds);
          System.out.printf("%-15s %-6s %10.2f %12.0f  %s%n", kind.wireName(),
              algorithm.wireName(), seconds[1], rows / seconds[1],
              kind == ModelKind.REGRESSION ? "rmse " + String.format("%.4f",
                  last.metrics().get("rmse")) : "accuracy " + String.format("%.4f",
                  last.metrics().get("accuracy")));
        }
      }
    }
  }
}
