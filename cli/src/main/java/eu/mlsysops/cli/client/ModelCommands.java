package eu.mlsysops.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.mlsysops.cli.TextTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mls ml models|add|upload|train|versions|promote|rollback|predict|explain|delete}: the ML
 * Connector's registry ({@code /api/v1/models}).
 */
final class ModelCommands {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ModelCommands() {}

  static String path(String id) {
    return "/api/v1/models/" + ApiClient.segment(id);
  }

  /** {@code NAME=NUMBER} pairs as a features object; a usage error names a pair without one. */
  static ObjectNode features(List<String> pairs, picocli.CommandLine cmd) {
    ObjectNode f = JSON.createObjectNode();
    for (String pair : pairs) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new picocli.CommandLine.ParameterException(cmd,
            "feature \"" + pair + "\": expected NAME=NUMBER");
      }
      String v = pair.substring(eq + 1);
      try {
        f.put(pair.substring(0, eq), Double.parseDouble(v));
      } catch (NumberFormatException e) {
        f.put(pair.substring(0, eq), v); // the server names the feature that is not a number
      }
    }
    return f;
  }

  /** A number as people read it (at most 6 significant digits). */
  static String num(JsonNode v) {
    return QueryCommand.readable(v.asText());
  }

  static String metrics(JsonNode m) {
    List<String> out = new ArrayList<>();
    m.properties().forEach(e -> out.add(e.getKey() + "=" + num(e.getValue())));
    return out.isEmpty() ? "-" : String.join(" ", out);
  }

  /** {@code ml models}. */
  @Command(name = "models", mixinStandardHelpOptions = true,
      description = "Lists the models of the ML Connector's registry (GET /api/v1/models).")
  static final class Models extends ClientCommand {
    @Override
    int run(ApiClient api, Printer p) {
      JsonNode r = api.getAll("/api/v1/models");
      if (p.structured(r)) {
        return ExitCode.OK;
      }
      if (r.path("items").isEmpty()) {
        p.println("no models");
        return ExitCode.OK;
      }
      TextTable t = new TextTable("ID", "NAME", "KIND", "ALGORITHM", "APP", "SERVING", "TAGS");
      for (JsonNode m : r.path("items")) {
        List<String> tags = new ArrayList<>();
        m.path("tags").forEach(x -> tags.add(x.asText()));
        t.row(Fields.text(m, "id"), Fields.text(m, "name"), Fields.text(m, "kind"),
            Fields.text(m, "algorithm"), Fields.orDash(m.path("app").asText("")),
            m.path("serving_version").isNull() ? "-" : "v" + m.path("serving_version").asInt(),
            tags.isEmpty() ? "-" : String.join(",", tags));
      }
      p.print(t);
      return ExitCode.OK;
    }
  }

  /** {@code ml add}. */
  @Command(name = "add", mixinStandardHelpOptions = true,
      description = "Registers a model (POST /api/v1/models), or with --file a reference"
          + " /model/add body.")
  static final class Add extends ClientCommand {
    @Option(names = "--name", description = "the model's name") String name;
    @Option(names = "--kind", description = "regression or classification") String kind;
    @Option(names = "--algorithm", description = "linear (default) or tree") String algorithm;
    @Option(names = "--input", paramLabel = "FEATURE", description = "an input feature, in order")
    List<String> inputs = new ArrayList<>();
    @Option(names = "--target", paramLabel = "FEATURE", description = "what it predicts")
    String target;
    @Option(names = "--app", description = "the app it belongs to (none: a framework model)")
    String app;
    @Option(names = "--tag", description = "a tag to search by")
    List<String> tags = new ArrayList<>();
    @Option(names = "--param", paramLabel = "NAME=NUMBER",
        description = "a hyperparameter (epochs, learning_rate, max_depth, alpha, l1_ratio, seed)")
    Map<String, Double> params = new LinkedHashMap<>();
    @Option(names = "--file", paramLabel = "FILE",
        description = "a reference /model/add body (JSON) instead of the options")
    Path file;

    @Override
    int run(ApiClient api, Printer p) throws Exception {
      JsonNode r;
      if (file != null) {
        r = api.post("/model/add", Files.readString(file), "application/json").json();
        if (p.structured(r)) {
          return ExitCode.OK;
        }
        p.println("model " + Fields.text(r, "modelid") + " registered");
        return ExitCode.OK;
      }
      ObjectNode b = JSON.createObjectNode();
      b.put("name", name);
      b.put("kind", kind);
      if (algorithm != null) {
        b.put("algorithm", algorithm);
      }
      ArrayNode fs = b.putArray("features");
      inputs.forEach(i -> fs.addObject().put("name", i).put("kind", "input"));
      if (target != null) {
        fs.addObject().put("name", target).put("kind", "target");
      }
      if (app != null) {
        b.put("app", app);
      }
      ArrayNode ts = b.putArray("tags");
      tags.forEach(ts::add);
      ObjectNode ps = b.putObject("hyperparameters");
      params.forEach(ps::put);
      r = api.post("/api/v1/models", JSON.writeValueAsString(b), "application/json").json();
      if (p.structured(r)) {
        return ExitCode.OK;
      }
      p.println("model " + Fields.text(r, "id") + " registered");
      return ExitCode.OK;
    }
  }

  /** {@code ml upload ID FILE}. */
  @Command(name = "upload", mixinStandardHelpOptions = true,
      description = "Uploads a file for a model: training data (CSV with a header), a model"
          + " file, code or env (POST /api/v1/models/{id}/upload).")
  static final class Upload extends ClientCommand {
    @Parameters(index = "0", paramLabel = "ID") String id;
    @Parameters(index = "1", paramLabel = "FILE") Path file;
    @Option(names = "--kind", defaultValue = "data",
        description = "data, model, code or env (default: ${DEFAULT-VALUE})")
    String kind;

    @Override
    int run(ApiClient api, Printer p) throws Exception {
      if (!Files.isRegularFile(file)) {
        return fail(file + ": no such file");
      }
      JsonNode r = api.postFile(path(id) + "/upload?file_kind=" + ApiClient.segment(kind)
          + "&filename=" + ApiClient.segment(file.getFileName().toString()), file,
          "application/octet-stream").json();
      if (p.structured(r)) {
        return ExitCode.OK;
      }
      p.println(kind + " " + Fields.text(r, "sha256") + " (" + r.path("size").asLong()
          + " bytes) kept for model " + id
          + (r.has("version") ? ": version " + r.path("version").asInt() : ""));
      return ExitCode.OK;
    }
  }

  /** {@code ml train ID}. */
  @Command(name = "train", mixinStandardHelpOptions = true,
      description = "Trains a new version on the latest data upload, --data SHA256, or telemetry"
          + " (--feature INPUT=PROMQL… --target PROMQL) (POST /api/v1/models/{id}/train).")
  static final class Train extends ClientCommand {
    @Parameters(paramLabel = "ID") String id;
    @Option(names = "--data", paramLabel = "SHA256", description = "which data upload")
    String data;
    @Option(names = "--feature", paramLabel = "INPUT=PROMQL",
        description = "train on telemetry: each input's PromQL expression (one series each)")
    Map<String, String> features = new LinkedHashMap<>();
    @Option(names = "--target", paramLabel = "PROMQL", description = "the target's expression")
    String target;
    @Option(names = "--level", defaultValue = "node",
        description = "whose telemetry: continuum, cluster or node (default: ${DEFAULT-VALUE})")
    String level;
    @Option(names = "--window", defaultValue = "30m",
        description = "how far back (default: ${DEFAULT-VALUE})")
    String window;
    @Option(names = "--step", defaultValue = "15s",
        description = "time between rows (default: ${DEFAULT-VALUE})")
    String step;

    @Override
    int run(ApiClient api, Printer p) throws Exception {
      ObjectNode b = JSON.createObjectNode();
      if (data != null) {
        b.put("data", data);
      }
      if (!features.isEmpty() || target != null) {
        if (data != null) {
          throw new picocli.CommandLine.ParameterException(spec.commandLine(),
              "--data and --feature/--target are two sources: give one");
        }
        ObjectNode t = b.putObject("telemetry");
        t.put("level", level).put("window", window).put("step", step);
        ObjectNode fs = t.putObject("features");
        features.forEach(fs::put);
        t.put("target", target);
      }
      // A job: its progress is shown while it runs (on a terminal), and Ctrl-C cancels it.
      JsonNode job = api.post(path(id) + "/train?async=true", JSON.writeValueAsString(b),
          "application/json").json();
      String jobPath = path(id) + "/jobs/" + ApiClient.segment(Fields.text(job, "job"));
      Thread cancel = new Thread(() -> api.delete(jobPath));
      Runtime.getRuntime().addShutdownHook(cancel);
      try {
        java.io.Console tty = System.console();
        while (Fields.text(job, "state").equals("running")) {
          if (tty != null) {
            spec.commandLine().getErr().printf("\r%3.0f%% %-60s",
                100 * job.path("done").asDouble(), Fields.text(job, "phase"));
            spec.commandLine().getErr().flush();
          }
          Thread.sleep(200);
          job = api.get(jobPath).json();
        }
        if (tty != null) {
          spec.commandLine().getErr().printf("\r%-66s\r", "");
        }
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(cancel);
        } catch (IllegalStateException exiting) {
          // Ctrl-C: the hook is cancelling the job.
        }
      }
      if (!Fields.text(job, "state").equals("done")) {
        p.println("training " + Fields.text(job, "state") + (job.has("error")
            ? ": " + Fields.text(job, "error") : ""));
        return 1;
      }
      int made = job.path("version").asInt();
      JsonNode v = null;
      for (JsonNode x : api.getAll(path(id) + "/versions").path("items")) {
        if (x.path("version").asInt() == made) {
          v = x;
        }
      }
      if (v == null) {
        throw new IllegalStateException("version " + made + " is not listed");
      }
      if (p.structured(v)) {
        return ExitCode.OK;
      }
      p.println("version " + made + " (" + Fields.text(v, "stage") + "): "
          + metrics(v.path("metrics")));
      return ExitCode.OK;
    }
  }

  /** {@code ml versions ID}. */
  @Command(name = "versions", mixinStandardHelpOptions = true,
      description = "Lists a model's versions (GET /api/v1/models/{id}/versions).")
  static final class Versions extends ClientCommand {
    @Parameters(paramLabel = "ID") String id;

    @Override
    int run(ApiClient api, Printer p) {
      JsonNode r = api.getAll(path(id) + "/versions");
      if (p.structured(r)) {
        return ExitCode.OK;
      }
      TextTable t = new TextTable("VERSION", "STAGE", "METRICS", "PARENT", "CREATED");
      for (JsonNode v : r.path("items")) {
        t.row("v" + v.path("version").asInt(), Fields.text(v, "stage"), metrics(v.path("metrics")),
            v.path("parent").isNull() ? "-" : "v" + v.path("parent").asInt(),
            Fields.text(v, "created"));
      }
      p.print(t);
      return ExitCode.OK;
    }
  }

  /** {@code ml promote ID VERSION}. */
  @Command(name = "promote", mixinStandardHelpOptions = true,
      description = "Makes a version the serving one (POST /api/v1/models/{id}/promote).")
  static final class Promote extends ClientCommand {
    @Parameters(index = "0", paramLabel = "ID") String id;
    @Parameters(index = "1", paramLabel = "VERSION") int version;

    @Override
    int run(ApiClient api, Printer p) {
      JsonNode r = api.post(path(id) + "/promote", "{\"version\": " + version + "}",
          "application/json").json();
      if (p.structured(r)) {
        return ExitCode.OK;
      }
      p.println("model " + id + " serves v" + r.path("version").asInt());
      return ExitCode.OK;
    }
  }

  /** {@code ml rollback ID}. */
  @Command(name = "rollback", mixinStandardHelpOptions = true,
      description = "Serves the version that served before again (POST"
          + " /api/v1/models/{id}/rollback).")
  static final class Rollback extends ClientCommand {
    @Parameters(paramLabel = "ID") String id;

    @Override
    int run(ApiClient api, Printer p) {
      JsonNode r = api.post(path(id) + "/rollback", "", "application/json").json();
      if (p.structured(r)) {
        return ExitCode.OK;
      }
      p.println("model " + id + " serves v" + r.path("version").asInt() + " again");
      return ExitCode.OK;
    }
  }

  /** A command that asks a model with {@code ID NAME=NUMBER…}. */
  abstract static class Asking extends ClientCommand {
    @Parameters(index = "0", paramLabel = "ID") String id;
    @Parameters(index = "1..*", paramLabel = "NAME=NUMBER", description = "the features")
    List<String> features = new ArrayList<>();

    /** POSTs the features to {@code /api/v1/models/{id}/<route>}. */
    JsonNode ask(ApiClient api, String route) throws Exception {
      ObjectNode b = JSON.createObjectNode();
      b.set("features", features(features, spec.commandLine()));
      return api.post(path(id) + "/" + route, JSON.writeValueAsString(b), "application/json")
          .json();
    }
  }

  /** {@code ml predict ID NAME=NUMBER…}. */
  @Command(name = "predict", mixinStandardHelpOptions = true,
      description = "Asks the serving version (POST /api/v1/models/{id}/predict).")
  static final class Predict extends Asking {
    @Override
    int run(ApiClient api, Printer p) throws Exception {
      JsonNode r = ask(api, "predict");
      if (p.structured(r)) {
        return ExitCode.OK;
      }
      if (r.has("label")) {
        p.println(Fields.text(r, "label") + " (v" + r.path("version").asInt() + ")");
        TextTable t = new TextTable("LABEL", "PROBABILITY");
        r.path("probabilities").properties().forEach(e ->
            t.row(e.getKey(), num(e.getValue())));
        p.print(t);
      } else {
        p.println(num(r.path("value")) + " (v" + r.path("version").asInt() + ")");
      }
      return ExitCode.OK;
    }
  }

  /** {@code ml explain ID NAME=NUMBER…}. */
  @Command(name = "explain", mixinStandardHelpOptions = true,
      description = "Asks the serving version and explains its answer: the base value plus each"
          + " feature's contribution (POST /api/v1/models/{id}/explain).")
  static final class Explain extends Asking {
    @Override
    int run(ApiClient api, Printer p) throws Exception {
      JsonNode r = ask(api, "explain");
      if (p.structured(r)) {
        return ExitCode.OK;
      }
      String what = r.has("label") ? "P(" + Fields.text(r, "label") + ")" : "value";
      p.println(what + " " + num(r.path("value")) + " = base "
          + num(r.path("base_value")) + " + contributions (" + Fields.text(r, "method")
          + (r.path("samples").asInt() > 0 ? ", " + r.path("samples").asInt() + " samples" : "")
          + ", v" + r.path("version").asInt() + ")");
      List<Map.Entry<String, JsonNode>> cs = new ArrayList<>();
      r.path("contributions").properties().forEach(cs::add);
      cs.sort((x, y) -> Double.compare(Math.abs(y.getValue().asDouble()),
          Math.abs(x.getValue().asDouble())));
      TextTable t = new TextTable("FEATURE", "CONTRIBUTION");
      cs.forEach(e -> t.row(e.getKey(), (e.getValue().asDouble() >= 0 ? "+" : "")
          + num(e.getValue())));
      p.print(t);
      return ExitCode.OK;
    }
  }

  /** {@code ml delete ID}. */
  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Forgets a model and its versions (DELETE /api/v1/models/{id}).")
  static final class Delete extends ClientCommand {
    @Parameters(paramLabel = "ID") String id;

    @Override
    int run(ApiClient api, Printer p) {
      api.delete(path(id));
      p.println("model " + id + " deleted");
      return ExitCode.OK;
    }
  }
}
