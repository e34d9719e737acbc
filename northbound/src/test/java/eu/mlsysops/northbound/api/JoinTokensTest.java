package eu.mlsysops.northbound.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JoinTokensTest {
  @TempDir Path dir;

  /** A clock the test moves. */
  static final class Moving extends Clock {
    Instant now = Instant.parse("2026-12-06T06:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void aTokenWorksOnceUntilItExpiresAndSurvivesARestartAsAHashOnly() throws Exception {
    Moving clock = new Moving();
    JoinTokens tokens = new JoinTokens(dir, clock);
    String t = tokens.create("edge", "n9", "127.0.0.1:7401", Duration.ofMinutes(15), null);
    assertThat(t).startsWith("mlsjoin_");
    String file = Files.readString(dir.resolve("join-tokens.json"));
    assertThat(file).doesNotContain(t.substring("mlsjoin_".length()));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
        dir.resolve("join-tokens.json")))).isEqualTo("rw-------");

    JoinTokens reopened = new JoinTokens(dir, clock);
    JoinTokens.Pending p = reopened.find(t).orElseThrow();
    assertThat(p.cluster()).isEqualTo("edge");
    assertThat(p.node()).isEqualTo("n9");
    assertThat(reopened.find(t + "x")).isEmpty();
    assertThat(reopened.find("not-a-token")).isEmpty();
    assertThat(reopened.consume(p)).isTrue();
    assertThat(reopened.consume(p)).as("used once").isFalse();
    assertThat(new JoinTokens(dir, clock).find(t)).as("used, also after a restart").isEmpty();

    String later = tokens.create("edge", null, "127.0.0.1:7401", Duration.ofMinutes(15), null);
    clock.now = clock.now.plus(Duration.ofMinutes(15));
    assertThat(tokens.find(later)).as("expired").isEmpty();
    assertThat(tokens.list()).isEmpty();
  }

  @Test
  void pendingTokensAreBounded() {
    JoinTokens tokens = new JoinTokens(dir, new Moving());
    for (int i = 0; i < JoinTokens.MAX_PENDING; i++) {
      tokens.create("edge", null, "h:1", Duration.ofMinutes(1), null);
    }
    assertThatThrownBy(() -> tokens.create("edge", null, "h:1", Duration.ofMinutes(1), null))
        .isInstanceOf(ApiProblem.class).hasMessageContaining("1000 are pending");
  }
}
