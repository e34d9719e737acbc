package eu.mlsysops.orchestration.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotatingLogTest {
  @TempDir Path dir;

  @Test
  void aFileOverItsLimitIsCopiedAsideAndTruncatedKeepingABoundedNumberOfCopies()
      throws Exception {
    Path f = dir.resolve("stdout.log");
    RotatingLog log = new RotatingLog(f, 10, 2);
    Files.writeString(f, "first-0123456789\n");
    assertThat(log.rotateIfNeeded()).isTrue();
    assertThat(Files.size(f)).isZero();
    assertThat(Files.readString(log.sibling(1))).isEqualTo("first-0123456789\n");

    Files.writeString(f, "short\n", StandardOpenOption.APPEND);
    assertThat(log.rotateIfNeeded()).as("under the limit").isFalse();
    Files.writeString(f, "second-0123456789\n", StandardOpenOption.APPEND);
    assertThat(log.rotateIfNeeded()).isTrue();
    Files.writeString(f, "third-0123456789\n", StandardOpenOption.APPEND);
    assertThat(log.rotateIfNeeded()).isTrue();

    assertThat(Files.readString(log.sibling(1))).isEqualTo("third-0123456789\n");
    assertThat(Files.readString(log.sibling(2))).isEqualTo("short\nsecond-0123456789\n");
    assertThat(log.sibling(3)).doesNotExist();
  }

  @Test
  void theLastLineIsTheLastNonBlankOneShortened() throws Exception {
    Path f = dir.resolve("stderr.log");
    Files.writeString(f, "one\nException: boom at line 3\n\n  \n");
    assertThat(new RotatingLog(f, 100, 1).lastLine(200)).isEqualTo("Exception: boom at line 3");
    assertThat(new RotatingLog(f, 100, 1).lastLine(9)).isEqualTo("Exception…");
    assertThat(new RotatingLog(dir.resolve("none"), 100, 1).lastLine(10)).isEmpty();
  }
}
