package eu.mlsysops.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * No input may throw, hang or produce a stack trace; each of these yields an error problem. The
 * timeout is a hang guard, not a performance assertion.
 */
class HostileInputTest {
  private static final Duration HANG_GUARD = Duration.ofSeconds(10);

  private static Arguments input(String label, Supplier<String> text, String messageFragment) {
    return Arguments.of(label, text, messageFragment);
  }

  static Stream<Arguments> inputs() {
    return Stream.of(
        input("empty text", () -> "", "no descriptor found"),
        input("only whitespace and comments", () -> "  \n# nothing\n\n", "no descriptor found"),
        input("only document markers", () -> "---\n---\n...\n", "no descriptor found"),
        input("binary garbage", HostileInputTest::garbage, ""),
        input(
            "NUL characters",
            () -> "MLSysOpsApp:\u0000\u0001\u0002",
            "special characters are not allowed"),
        input(
            "truncated YAML",
            () -> "MLSysOpsApp:\n  components:\n    - metadata: {name: a",
            "syntax error at"),
        input("unterminated quote", () -> "MLSysOpsApp: {name: \"abc", "syntax error at"),
        input("tab indentation", () -> "MLSysOpsApp:\n\tname: x\n", "syntax error at"),
        input("billion laughs", HostileInputTest::billionLaughs, "values (alias expansion?)"),
        input("unknown alias", () -> "MLSysOpsApp: *nothing", "unknown alias *nothing at 1:14"),
        input(
            "10,000-deep flow sequence",
            () -> "[".repeat(10_000) + "]".repeat(10_000),
            "nesting deeper than 64 levels"),
        input(
            "10,000-deep flow mapping",
            () -> "{a: ".repeat(10_000) + "1" + "}".repeat(10_000),
            "nesting deeper than 64 levels"),
        input(
            "10,000-deep block sequence",
            () -> "- ".repeat(10_000) + "x\n",
            "nesting deeper than 64 levels"),
        input(
            "10,000-deep JSON",
            () -> "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000),
            "nesting deeper than 64 levels"),
        input(
            "aliases nesting past the depth limit",
            HostileInputTest::deepAliases,
            "nesting deeper than 64 levels"),
        input("20 MB document", HostileInputTest::twentyMegabytes, "input is too large"),
        input("scalar at the top", () -> "hello", "got string \"hello\""),
        input("number at the top", () -> "42", "got number 42"),
        input("list at the top", () -> "- MLSysOpsApp: {}\n", "got array"),
        input("empty mapping", () -> "{}", "got an empty mapping"),
        input("null document", () -> "~", "no descriptor found"),
        input(
            "wrong top-level key", () -> "Deployment: {replicas: 3}", "is not one of MLSysOpsApp"),
        input(
            "kind of the wrong type",
            () -> "apiVersion: mlsysops.eu/v1\nkind: [a]\nspec: {}",
            "expected string, got array"),
        input(
            "descriptor body that is a list",
            () -> "MLSysOpsApp: [1, 2]",
            "MLSysOpsApp: expected object, got array"),
        input(
            "duplicate keys",
            () -> "MLSysOpsApp:\n  name: a\n  name: b\n",
            "duplicate key \"name\" at 3:3"),
        input(
            "duplicate JSON keys",
            () -> "{\"MLSysOpsCluster\": {\"nodes\": [], \"nodes\": []}}",
            "duplicate key \"nodes\""),
        input("broken JSON named .json", () -> "{\"MLSysOpsApp\": {", "syntax error at"),
        input(
            "huge exponent quantity",
            () ->
                "MLSysOpsApp: {name: x, components: [{metadata: "
                    + "{name: a}, containers: [{image: i, platform_requirements: {cpu: {requests: "
                    + "1e999999999}}}]}]}",
            "is not a CPU quantity"),
        input(
            "huge exponent number",
            () ->
                "MLSysOpsApp: {name: x, components: [{metadata: {name: a}, qos_metrics: [{target:"
                    + " 1e999999999}], containers: [{image: i}]}]}",
            "expected a finite number"),
        input(
            "huge exponent integer",
            () ->
                "MLSysOpsCluster: {cluster_id: c, nodes: [], name: x}\n"
                    + "---\n"
                    + "MLSysOpsApp: {name: x, components: [{metadata: {name: a}, node_placement:"
                    + " {scaling: {instances: 1e999999999}}, containers: [{image: i}]}]}",
            "(out of range)"),
        input(
            "infinity",
            () ->
                "MLSysOpsApp: {name: x, global_satisfaction: {threshold: .inf}, "
                    + "components: [{metadata: {name: a}, containers: [{image: i}]}]}",
            "expected number, got string \".inf\""),
        input("YAML binary tag", () -> "MLSysOpsApp: !!binary aGVsbG8=", ""),
        input(
            "long dependency chain with a cycle (refused by its size first)",
            HostileInputTest::longCycle,
            "at most 100 components per app (app limit components), got 20000"),
        input(
            "1,200 instances in two components",
            () -> "MLSysOpsApp: {name: x, components: ["
                + "{metadata: {name: a}, node_placement: {scaling: {instances: 600}},"
                + " containers: [{image: i}]},"
                + "{metadata: {name: b}, node_placement: {scaling: {instances: 600}},"
                + " containers: [{image: i}]}]}",
            "at most 1000 instances per app, in all its components (app limit instances), got 1200"),
        input(
            "many unknown fields", HostileInputTest::manyUnknownFields, "more problems not shown"),
        input(
            "megabyte key",
            () -> "MLSysOpsApp: {" + "k".repeat(1_000_000) + ": 1}",
            "syntax error at 1:"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inputs")
  void returnsAnErrorProblemWithoutThrowingOrHanging(
      String label, Supplier<String> text, String messageFragment) {
    String input = text.get();
    String source = label.contains(".json") ? "broken.json" : "hostile.yaml";

    ParseResult result =
        assertTimeoutPreemptively(
            HANG_GUARD, () -> Descriptors.parse(input, source, ParseOptions.DEFAULT));

    assertThat(result.hasErrors()).isTrue();
    assertThat(result.errors())
        .allSatisfy(
            p -> {
              assertThat(p.message()).doesNotContain("internal error").doesNotContain("Exception");
              assertThat(p.message().length()).isLessThan(400);
            });
    assertThat(result.problems())
        .anySatisfy(p -> assertThat(p.message()).contains(messageFragment));
  }

  @Test
  void neverThrowsOnRandomBytes() {
    Random random = new Random(42);
    assertTimeoutPreemptively(
        HANG_GUARD,
        () -> {
          for (int i = 0; i < 300; i++) {
            byte[] bytes = new byte[random.nextInt(200)];
            random.nextBytes(bytes);
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            ParseResult result = Descriptors.parse(text, "random", ParseOptions.DEFAULT);
            assertThat(result.errors())
                .noneSatisfy(p -> assertThat(p.message()).contains("internal error"));
          }
        });
  }

  @Test
  void neverThrowsOnTruncationsOfAValidDescriptor() {
    String app = TestFiles.exampleText("app.yaml");
    assertTimeoutPreemptively(
        HANG_GUARD,
        () -> {
          for (int end = 0; end < app.length(); end += 7) {
            ParseResult result =
                Descriptors.parse(app.substring(0, end), "cut.yaml", ParseOptions.DEFAULT);
            assertThat(result.problems())
                .noneSatisfy(p -> assertThat(p.message()).contains("internal error"));
          }
        });
  }

  @Test
  void reportsAMissingFileAsAProblem(@TempDir Path dir) {
    Path missing = dir.resolve("missing.yaml");

    ParseResult result = Descriptors.parse(missing, ParseOptions.DEFAULT);

    assertThat(result.problems())
        .containsExactly(
            new Problem(Severity.ERROR, missing.toString(), "", "cannot read file: no such file"));
  }

  @Test
  void reportsADirectoryAsAProblem(@TempDir Path dir) {
    ParseResult result = Descriptors.parse(dir, ParseOptions.DEFAULT);

    assertThat(result.hasErrors()).isTrue();
    assertThat(result.errors().get(0).message()).startsWith("cannot read file");
  }

  @Test
  void refusesDevicesAndPipesInsteadOfReadingForever(@TempDir Path dir) throws Exception {
    ParseResult zero = Descriptors.parse(Path.of("/dev/zero"), ParseOptions.DEFAULT);
    assertThat(zero.errors().get(0).message())
        .isEqualTo("cannot read file: not a regular file (a device or pipe)");

    Path fifo = dir.resolve("fifo");
    Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
    if (mk.waitFor() == 0) {
      ParseResult pipe = Descriptors.parse(fifo, ParseOptions.DEFAULT);
      assertThat(pipe.errors().get(0).message())
          .isEqualTo("cannot read file: not a regular file (a device or pipe)");
    }
  }

  @Test
  void reportsNonUtf8FilesAsAProblem(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("latin1.yaml");
    Files.write(file, new byte[] {'a', ':', ' ', (byte) 0xff, (byte) 0xfe, '\n'});

    ParseResult result = Descriptors.parse(file, ParseOptions.DEFAULT);

    assertThat(result.problems())
        .containsExactly(new Problem(Severity.ERROR, file.toString(), "", "not UTF-8 text"));
  }

  @Test
  void refusesOversizedFilesBeforeReadingThem(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("big.yaml");
    Files.write(file, new byte[DocumentReader.MAX_CHARS + 1]);

    ParseResult result =
        assertTimeoutPreemptively(HANG_GUARD, () -> Descriptors.parse(file, ParseOptions.DEFAULT));

    assertThat(result.errors())
        .singleElement()
        .satisfies(p -> assertThat(p.message()).startsWith("file is too large"));
  }

  @Test
  void readsFilesWithAByteOrderMark(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("bom.yaml");
    Files.writeString(file, "\uFEFF" + TestFiles.exampleText("cluster.yaml"));

    assertThat(Descriptors.parse(file, ParseOptions.DEFAULT).descriptors()).hasSize(1);
  }

  @Test
  void treatsNullTextAsAProblem() {
    assertThat(Descriptors.parse((String) null, null, null).errors())
        .singleElement()
        .satisfies(p -> assertThat(p).hasToString("<input>: no text given"));
  }

  private static String garbage() {
    byte[] bytes = new byte[4096];
    new Random(7).nextBytes(bytes);
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  private static String billionLaughs() {
    StringBuilder sb = new StringBuilder("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (int i = 1; i < 10; i++) {
      sb.append("a").append(i).append(": &a").append(i).append(" [");
      for (int j = 0; j < 9; j++) {
        sb.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
      }
      sb.append("]\n");
    }
    return sb.toString();
  }

  private static String deepAliases() {
    StringBuilder sb = new StringBuilder("a0: &a0 [x]\n");
    for (int i = 1; i < 200; i++) {
      sb.append("a").append(i).append(": &a").append(i).append(" [*a").append(i - 1).append("]\n");
    }
    return sb.toString();
  }

  private static String twentyMegabytes() {
    return "MLSysOpsCluster: {cluster_id: c, nodes: [" + "node, ".repeat(3_500_000) + "n]}";
  }

  private static String longCycle() {
    StringBuilder sb = new StringBuilder("MLSysOpsApp: {name: x, components: [");
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ", ")
          .append("{metadata: {name: c")
          .append(i)
          .append("}, depends_on: [c")
          .append((i + 1) % n)
          .append("], containers: [{image: i}]}");
    }
    return sb.append("]}").toString();
  }

  private static String manyUnknownFields() {
    StringBuilder sb = new StringBuilder("MLSysOpsCluster: {cluster_id: c, nodes: [], name: ''");
    for (int i = 0; i < 50_000; i++) {
      sb.append(", f").append(i).append(": 1");
    }
    return sb.append("}").toString();
  }

  @org.junit.jupiter.api.Test
  void theAppLimitsAreTheParsersToSetAndNameThemselvesWhenHit() {
    String twoByFive = "MLSysOpsApp: {name: x, components: ["
        + "{metadata: {name: a}, node_placement: {scaling: {instances: 5}}, containers: [{image: i}]},"
        + "{metadata: {name: b}, node_placement: {scaling: {instances: 5}}, containers: [{image: i}]}]}";
    org.assertj.core.api.Assertions.assertThat(Descriptors.parse(twoByFive, "a.yaml",
        ParseOptions.DEFAULT).hasErrors()).isFalse();

    ParseResult tight = Descriptors.parse(twoByFive, "a.yaml",
        ParseOptions.DEFAULT.withLimits(AppLimits.parse("components=1")));
    org.assertj.core.api.Assertions.assertThat(tight.errors()).singleElement().satisfies(p ->
        org.assertj.core.api.Assertions.assertThat(p.message())
            .isEqualTo("at most 1 components per app (app limit components), got 2"));
    ParseResult few = Descriptors.parse(twoByFive, "a.yaml",
        ParseOptions.DEFAULT.withLimits(AppLimits.parse("instances=8")));
    org.assertj.core.api.Assertions.assertThat(few.errors()).singleElement().satisfies(p ->
        org.assertj.core.api.Assertions.assertThat(p.message()).contains("(app limit instances)"));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> AppLimits.parse("pods=3"))
        .hasMessage("\"pods\" is not an app limit (components, instances)");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> AppLimits.parse("instances=0"))
        .hasMessage("instances: must be 1 to 100000, got 0");
  }
}
