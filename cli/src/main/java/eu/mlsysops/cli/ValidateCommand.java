package eu.mlsysops.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.model.ParseResult;
import eu.mlsysops.model.Problem;
import eu.mlsysops.model.Severity;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code mls validate}: checks descriptors like a linter. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = {
      "Checks mlsysops.eu/v1 descriptors (YAML or JSON) against the CRD schemas and prints every"
          + " problem with its field path.",
      "Exit code: 0 no errors (warnings allowed), 1 errors found."
    })
final class ValidateCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "FILE", description = "descriptor files")
  List<Path> files;

  @Option(names = "--strict", description = "treat unknown fields as errors")
  boolean strict;

  @Option(names = {"-o", "--output"}, defaultValue = "text",
      description = "text or json (default: ${DEFAULT-VALUE})")
  String output;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (!output.equals("text") && !output.equals("json")) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--output: \"" + output + "\" is not one of text, json");
    }
    PrintWriter out = spec.commandLine().getOut();
    boolean errors = false;
    List<Map<String, Object>> json = new ArrayList<>();
    for (Path f : files) {
      ParseResult r = Descriptors.parse(f, new ParseOptions(strict));
      errors |= r.hasErrors();
      if (output.equals("json")) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("file", f.toString());
        entry.put("valid", !r.hasErrors());
        entry.put("descriptors", r.descriptors().stream()
            .map(d -> Map.of("kind", d.kind().wireName(), "name", String.valueOf(d.name())))
            .toList());
        entry.put("problems", r.problems().stream().map(p -> Map.of(
            "severity", p.severity() == Severity.ERROR ? "error" : "warning",
            "path", p.path(), "message", p.message())).toList());
        json.add(entry);
        continue;
      }
      if (r.problems().isEmpty()) {
        out.println(f + ": ok (" + summary(r) + ")");
        continue;
      }
      TextTable t = new TextTable("SEVERITY", "PATH", "MESSAGE");
      for (Problem p : r.problems()) {
        t.row(p.severity() == Severity.ERROR ? "error" : "warning",
            p.path().isEmpty() ? "(document)" : p.path(), p.message());
      }
      long e = r.problems().stream().filter(p -> p.severity() == Severity.ERROR).count();
      out.println(f + ": " + e + " error(s), " + (r.problems().size() - e) + " warning(s)"
          + (r.descriptors().isEmpty() ? "" : " (" + summary(r) + ")"));
      out.print(t.render());
    }
    if (output.equals("json")) {
      out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
          .writeValueAsString(json));
    }
    out.flush();
    return errors ? 1 : 0;
  }

  private static String summary(ParseResult r) {
    List<String> parts = new ArrayList<>();
    r.descriptors().forEach(d -> parts.add(d.kind().wireName() + " " + d.name()));
    return String.join(", ", parts);
  }
}
