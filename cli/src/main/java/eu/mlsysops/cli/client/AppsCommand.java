package eu.mlsysops.cli.client;

import eu.mlsysops.cli.TextTable;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.mlsysops.model.DescriptorKind;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.model.ParseResult;
import eu.mlsysops.model.Problem;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mls apps}: application lifecycle (the reference CLI's {@code apps} group). */
@Command(
    name = "apps",
    mixinStandardHelpOptions = true,
    description = "Application lifecycle: deploy, list, inspect and remove MLSysOpsApps.",
    subcommands = {
      AppsCommand.DeployApp.class,
      AppsCommand.UpdateApp.class,
      AppsCommand.ListAll.class,
      AppsCommand.GetAppStatus.class,
      AppsCommand.GetAppDetails.class,
      AppsCommand.GetAppPerformance.class,
      AppsCommand.RemoveApp.class
    })
public final class AppsCommand {
  /** {@code apps deploy-app}: POST /api/v1/apps with the descriptor as YAML or JSON. */
  @Command(name = "deploy-app", aliases = "deploy", mixinStandardHelpOptions = true,
      description = {
        "Deploys an application from an MLSysOpsApp descriptor (POST /api/v1/apps).",
        "With --dry-run, validates it locally, then shows where each component would go with the"
            + " scores of the best candidate nodes (POST /api/v1/apps?dryRun=true); nothing is"
            + " deployed.",
        "With --validate-only, validates it locally and prints the problems; nothing is sent."
      })
  static final class DeployApp extends ClientCommand {
    @ArgGroup(exclusive = true, multiplicity = "1")
    DescriptorSource source;

    @Option(names = "--dry-run",
        description = "show where each component would go and the best candidates' scores; deploy"
            + " nothing")
    boolean dryRun;

    @Option(names = "--validate-only", description = "validate locally, send nothing")
    boolean validateOnly;

    @Override
    int run(ApiClient api, Printer p) throws Exception {
      DescriptorSource.Document doc = source.read(api);
      if (validateOnly) {
        return validate(doc, p, "--validate-only");
      }
      if (dryRun) {
        ParseResult local = Descriptors.parse(doc.text(), doc.name(), ParseOptions.ACCEPTED);
        if (local.hasErrors() || local.descriptors().stream()
            .noneMatch(d -> d.kind() == DescriptorKind.APP)) {
          return validate(doc, p, "--dry-run");
        }
        JsonNode d = api.post("/api/v1/apps?dryRun=true", doc.text(), doc.contentType()).json();
        if (p.structured(d)) {
          return ExitCode.OK;
        }
        PlacementText.dryRun(d, p);
        return ExitCode.OK;
      }
      JsonNode app = api.post("/api/v1/apps", doc.text(), doc.contentType()).json();
      if (p.structured(app)) {
        return ExitCode.OK;
      }
      String name = or(app, "name", "?");
      p.println("deployed " + name + ": phase " + or(app, "phase", "?") + ", "
          + app.path("components").size() + " component(s)");
      for (JsonNode w : app.path("warnings")) {
        String path = Fields.text(w, "path");
        p.println("warning: " + (path.isEmpty() ? "(document)" : path) + ": "
            + Fields.text(w, "message"));
      }
      p.println("follow it with: mls apps get-app-status " + name);
      return ExitCode.OK;
    }

    private int validate(DescriptorSource.Document doc, Printer p, String flag) {
      // The default app limits: a server started with other --app-limits decides for itself.
      ParseResult r = Descriptors.parse(doc.text(), doc.name(), ParseOptions.DEFAULT);
      boolean noApp = !r.hasErrors() && r.descriptors().stream()
          .noneMatch(d -> d.kind() == DescriptorKind.APP);
      boolean failed = r.hasErrors() || noApp;
      if (p.format() != OutputFormat.TABLE) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("source", doc.name());
        o.put("valid", !failed);
        o.put("sent", false);
        ArrayNode problems = o.putArray("problems");
        for (Problem pr : r.problems()) {
          problems.addObject().put("severity", pr.isError() ? "error" : "warning")
              .put("path", pr.path()).put("message", pr.message());
        }
        if (noApp) {
          problems.addObject().put("severity", "error").put("path", "")
              .put("message", "holds no MLSysOpsApp");
        }
        p.structured(o);
        return failed ? ExitCode.REFUSED : ExitCode.OK;
      }
      if (noApp) {
        return fail(doc.name() + " holds no MLSysOpsApp descriptor; nothing sent (" + flag + ")");
      }
      List<Problem> problems = r.problems();
      long errors = problems.stream().filter(Problem::isError).count();
      if (problems.isEmpty()) {
        p.println(doc.name() + ": ok (" + summary(r) + "); nothing sent (" + flag + ")");
        return ExitCode.OK;
      }
      p.println(doc.name() + ": " + errors + " error(s), " + (problems.size() - errors)
          + " warning(s); nothing sent (" + flag + ")");
      TextTable t = new TextTable("SEVERITY", "PATH", "MESSAGE");
      for (Problem pr : problems) {
        t.row(pr.isError() ? "error" : "warning", pr.path().isEmpty() ? "(document)" : pr.path(),
            pr.message());
      }
      p.print(t);
      return errors > 0 ? ExitCode.REFUSED : ExitCode.OK;
    }

    private static String summary(ParseResult r) {
      return String.join(", ", r.descriptors().stream()
          .map(d -> d.kind().wireName() + " " + d.name()).toList());
    }
  }

  /** {@code apps update-app}: PUT /api/v1/apps/{name} with the changed descriptor. */
  @Command(name = "update-app", aliases = "update", mixinStandardHelpOptions = true,
      description = {
        "Updates a deployed application with a changed descriptor of the same name"
            + " (PUT /api/v1/apps/{name}).",
        "Instances of components whose containers or runtime settings changed are replaced one at"
            + " a time, each new one running before the old one stops; new components are placed,"
            + " components left out stop, instance counts follow the descriptor."
      })
  static final class UpdateApp extends ClientCommand {
    @ArgGroup(exclusive = true, multiplicity = "1")
    DescriptorSource source;

    @Override
    int run(ApiClient api, Printer p) throws Exception {
      DescriptorSource.Document doc = source.read(api);
      ParseResult local = Descriptors.parse(doc.text(), doc.name(), ParseOptions.ACCEPTED);
      String name = local.descriptors().stream().filter(d -> d.kind() == DescriptorKind.APP)
          .map(d -> d.name()).findFirst().orElse(null);
      if (name == null) {
        // Nothing to name in the path: say what is wrong here, as the server would.
        StringBuilder why = new StringBuilder(doc.name() + " holds no valid MLSysOpsApp"
            + " descriptor; nothing sent");
        for (Problem pr : local.problems()) {
          if (pr.isError()) {
            why.append("\n  ").append(pr.path().isEmpty() ? "(document)" : pr.path())
                .append(": ").append(pr.message());
          }
        }
        return fail(why.toString());
      }
      JsonNode app = api.put("/api/v1/apps/" + ApiClient.segment(name), doc.text(),
          doc.contentType()).json();
      if (p.structured(app)) {
        return ExitCode.OK;
      }
      boolean updated = app.path("updated").asBoolean(false);
      p.println((updated ? "updated " : "unchanged (the descriptor is the one in force): ") + name
          + ": phase " + or(app, "phase", "?") + ", " + app.path("components").size()
          + " component(s)");
      for (JsonNode w : app.path("warnings")) {
        String path = Fields.text(w, "path");
        p.println("warning: " + (path.isEmpty() ? "(document)" : path) + ": "
            + Fields.text(w, "message"));
      }
      if (updated) {
        p.println("follow the rollout with: mls apps get-app-status " + name);
      }
      return ExitCode.OK;
    }
  }

  /** {@code apps list-all}: GET /api/v1/apps. */
  @Command(name = "list-all", mixinStandardHelpOptions = true,
      description = "Lists the applications with their phase (GET /api/v1/apps).")
  static final class ListAll extends ClientCommand {
    @Override
    int run(ApiClient api, Printer p) {
      JsonNode page = api.getAll("/api/v1/apps");
      if (p.structured(page)) {
        return ExitCode.OK;
      }
      List<JsonNode> apps = Fields.items(page);
      if (apps.isEmpty()) {
        p.println("no applications");
        return ExitCode.OK;
      }
      TextTable t = new TextTable("NAME", "PHASE", "RUNNING", "COMPONENTS", "OWNER", "SUBMITTED");
      for (JsonNode a : apps) {
        t.row(Fields.text(a, "name"), Fields.text(a, "phase"),
            Fields.text(a, "running") + "/" + Fields.text(a, "desired"),
            Fields.text(a, "components"), Fields.orDash(Fields.text(a, "owner")),
            Fields.time(Fields.text(a, "submitted")));
      }
      p.print(t);
      return ExitCode.OK;
    }
  }

  /** {@code apps get-app-status ID}: GET /api/v1/apps/{name}, phase and per-component counts. */
  @Command(name = "get-app-status", aliases = "get-status", mixinStandardHelpOptions = true,
      description = "Shows an application's phase and how many instances of each component run"
          + " (GET /api/v1/apps/{name}).")
  static final class GetAppStatus extends ClientCommand {
    @Parameters(paramLabel = "APP_ID", description = "the application name")
    String app;

    @Override
    int run(ApiClient api, Printer p) {
      JsonNode d = api.get("/api/v1/apps/" + ApiClient.segment(app)).json();
      if (p.structured(d)) {
        return ExitCode.OK;
      }
      int running = 0;
      int desired = 0;
      TextTable t = new TextTable("COMPONENT", "CLUSTER", "RUNNING");
      for (JsonNode c : d.path("components")) {
        running += c.path("running").asInt();
        desired += c.path("desired").asInt();
        t.row(Fields.text(c, "name"), Fields.orDash(Fields.text(c, "cluster")),
            Fields.text(c, "running") + "/" + Fields.text(c, "desired"));
      }
      p.println(or(d, "name", app) + ": " + or(d, "phase", "?") + " (" + running + "/" + desired
          + " instances running)");
      if (!t.isEmpty()) {
        p.print(t);
      }
      for (JsonNode c : d.path("components")) {
        String why = Fields.text(c, "unschedulable");
        if (!why.isEmpty()) {
          p.println(Fields.text(c, "name") + " cannot be placed: " + why);
        }
      }
      return ExitCode.OK;
    }
  }

  /** {@code apps get-app-details ID}: GET /api/v1/apps/{name}, every instance, QoS and history. */
  @Command(name = "get-app-details", aliases = "get-details",
      mixinStandardHelpOptions = true,
      description = "Shows an application's components, instances, QoS targets and history"
          + " (GET /api/v1/apps/{name}).")
  static final class GetAppDetails extends ClientCommand {
    @Parameters(paramLabel = "APP_ID", description = "the application name")
    String app;

    @Override
    int run(ApiClient api, Printer p) {
      JsonNode d = api.get("/api/v1/apps/" + ApiClient.segment(app)).json();
      if (p.structured(d)) {
        return ExitCode.OK;
      }
      p.println("name:       " + or(d, "name", app));
      p.println("phase:      " + or(d, "phase", "?"));
      p.println("owner:      " + Fields.orDash(Fields.text(d, "owner")));
      p.println("submitted:  " + Fields.time(Fields.text(d, "submitted")));
      if (d.hasNonNull("qos_warmup")) { // QoS is judged only after it (docs/policies.md)
        p.println("qos warm-up: " + Fields.text(d, "qos_warmup"));
      }
      TextTable inst = new TextTable("COMPONENT", "CLUSTER", "INSTANCE", "NODE", "STATE", "SINCE", "REASON");
      TextTable qos = new TextTable("COMPONENT", "METRIC", "TARGET", "CURRENT", "MET");
      for (JsonNode c : d.path("components")) {
        String comp = Fields.text(c, "name");
        if (c.path("instances").isEmpty()) {
          inst.row(comp, Fields.orDash(Fields.text(c, "cluster")), "-", "-", "none", "", "");
        }
        for (JsonNode i : c.path("instances")) {
          inst.row(comp, Fields.orDash(Fields.text(c, "cluster")), Fields.text(i, "id"),
              Fields.orDash(Fields.text(i, "node")), Fields.text(i, "state"),
              Fields.time(Fields.text(i, "since")), Fields.text(i, "reason"));
        }
        for (JsonNode q : c.path("qos")) {
          qos.row(comp, Fields.text(q, "metric"), Fields.target(q),
              Fields.compact(q.path("current")), Fields.bool(q.path("met")));
        }
      }
      p.println("");
      p.print(inst);
      if (!qos.isEmpty()) {
        p.println("");
        p.print(qos);
      }
      JsonNode history = d.path("history");
      if (!history.isEmpty()) {
        p.println("");
        TextTable h = new TextTable("TIME", "EVENT");
        for (JsonNode e : history) {
          h.row(Fields.time(Fields.text(e, "time")), Fields.text(e, "message"));
        }
        p.print(h);
      }
      return ExitCode.OK;
    }
  }

  /** {@code apps get-app-performance ID}: GET /apps/performance/{id}. */
  @Command(name = "get-app-performance", aliases = "get-performance",
      mixinStandardHelpOptions = true,
      description = "Shows an application's QoS metrics against their targets"
          + " (GET /apps/performance/{id}).")
  static final class GetAppPerformance extends ClientCommand {
    @Parameters(paramLabel = "APP_ID", description = "the application name")
    String app;

    @Override
    int run(ApiClient api, Printer p) {
      JsonNode d = api.get("/apps/performance/" + ApiClient.segment(app)).json();
      if (p.structured(d)) {
        return ExitCode.OK;
      }
      if (d.path("metrics").isEmpty()) {
        p.println(or(d, "app_id", app) + ": no QoS metrics");
        return ExitCode.OK;
      }
      TextTable t = new TextTable("COMPONENT", "METRIC", "TARGET", "CURRENT", "MET");
      for (JsonNode m : d.path("metrics")) {
        t.row(Fields.text(m, "component"), Fields.text(m, "metric"), Fields.target(m),
            Fields.compact(m.path("current")), Fields.bool(m.path("met")));
      }
      p.print(t);
      return ExitCode.OK;
    }
  }

  /** {@code apps remove-app ID}: DELETE /apps/remove/{id}. */
  @Command(name = "remove-app", aliases = "remove", mixinStandardHelpOptions = true,
      description = "Removes an application (DELETE /apps/remove/{id}).")
  static final class RemoveApp extends ClientCommand {
    @Parameters(paramLabel = "APP_ID", description = "the application name")
    String app;

    @Override
    int run(ApiClient api, Printer p) {
      JsonNode d = api.delete("/apps/remove/" + ApiClient.segment(app)).json();
      if (p.structured(d)) {
        return ExitCode.OK;
      }
      p.println(or(d, "app_id", app) + ": " + or(d, "message", "removal requested"));
      return ExitCode.OK;
    }
  }
}
