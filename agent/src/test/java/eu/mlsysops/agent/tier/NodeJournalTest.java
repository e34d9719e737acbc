package eu.mlsysops.agent.tier;

import static org.assertj.core.api.Assertions.assertThat;

import eu.mlsysops.model.Component;
import eu.mlsysops.protocol.Message;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node's crash-safe record of its last desired state. */
class NodeJournalTest {
  @TempDir Path dir;

  private static Message.DesiredState state(long epoch, String... ids) {
    Component web = TierFixture.web("web", null).components().get(0);
    return new Message.DesiredState("cloud", epoch, Arrays.stream(ids)
        .map(id -> new Message.InstanceAssignment("web", id, web)).toList(), List.of());
  }

  @Test
  void readsBackTheLastCommittedState() {
    NodeJournal j = new NodeJournal(dir.resolve("n1/desired-state.pb"));
    assertThat(j.read()).isEmpty();

    j.write(state(5, "web/web/0"));
    j.write(state(6, "web/web/0", "web/web/1"));

    Message.DesiredState back = j.read().orElseThrow();
    assertThat(back.epoch()).isEqualTo(6);
    assertThat(back.instances()).extracting(Message.InstanceAssignment::instanceId)
        .containsExactly("web/web/0", "web/web/1");
    assertThat(back.instances().get(0).component())
        .isEqualTo(TierFixture.web("web", null).components().get(0));
    assertThat(Files.exists(dir.resolve("n1/desired-state.pb.tmp"))).isFalse();
  }

  @Test
  void aTornOrCorruptJournalIsIgnoredNotTrusted() throws Exception {
    Path file = dir.resolve("desired-state.pb");
    NodeJournal j = new NodeJournal(file);
    j.write(state(3, "web/web/0"));
    byte[] good = Files.readAllBytes(file);

    Files.write(file, Arrays.copyOf(good, good.length - 5));
    assertThat(j.read()).isEmpty();

    byte[] flipped = good.clone();
    flipped[flipped.length - 1] ^= 0x40;
    Files.write(file, flipped);
    assertThat(j.read()).isEmpty();

    Files.writeString(file, "not a journal at all");
    assertThat(j.read()).isEmpty();
  }

  @Test
  void aCrashBeforeTheRenameLeavesThePreviousState() throws Exception {
    Path file = dir.resolve("desired-state.pb");
    NodeJournal j = new NodeJournal(file);
    j.write(state(3, "web/web/0"));
    // What a crash between writing the temporary file and renaming it leaves behind.
    Files.writeString(dir.resolve("desired-state.pb.tmp"), "half-written");

    assertThat(j.read().orElseThrow().epoch()).isEqualTo(3);
    j.write(state(4));
    assertThat(j.read().orElseThrow().instances()).isEmpty();
  }
}
