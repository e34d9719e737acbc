package eu.mlsysops.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import org.junit.jupiter.api.Test;

/** A container's optional {@code working_dir}: parsing, validation and round trip. */
class WorkingDirTest {
  private static ParseResult parse(String dir) {
    String extra = dir == null ? "" : ", working_dir: " + dir;
    return Descriptors.parse("MLSysOpsApp: {name: demo, components: [{metadata: {name: a},"
        + " containers: [{image: i, command: [run]" + extra + "}]}]}", "case.yaml",
        ParseOptions.DEFAULT);
  }

  private static Container container(ParseResult r) {
    return r.ofType(AppDescriptor.class).get(0).components().get(0).containers().get(0);
  }

  @Test
  void isReadAsWrittenAndAbsentByDefault() {
    assertThat(container(parse(null)).workingDir()).isNull();
    ParseResult r = parse("'examples/app'");
    assertThat(r.problems()).isEmpty();
    assertThat(container(r).workingDir()).isEqualTo("examples/app");
  }

  @Test
  void aBlankOrNonTextValueIsAnErrorOnItsField() {
    assertThat(parse("' '").errors()).extracting(Problem::path, Problem::message)
        .containsExactly(tuple("components[0].containers[0].working_dir",
            "must be a directory path (absolute, or relative to where the node agent runs)"));
    assertThat(parse("[a]").errors()).extracting(Problem::path)
        .containsExactly("components[0].containers[0].working_dir");
  }

  @Test
  void survivesAWriteAndARead() {
    AppDescriptor a = parse("/srv/app").ofType(AppDescriptor.class).get(0);
    AppDescriptor again = Descriptors.parse(Descriptors.toJson(a), "again", ParseOptions.DEFAULT)
        .ofType(AppDescriptor.class).get(0);
    assertThat(again.components().get(0).containers().get(0).workingDir()).isEqualTo("/srv/app");
  }
}
