package eu.mlsysops.mlconnector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactStoreTest {
  @TempDir Path dir;

  @Test
  void contentIsKeptOnceByItsHashOwnerOnlyAndCheckedWhenRead() throws Exception {
    ArtifactStore s = new ArtifactStore(dir.resolve("a"));

    ArtifactStore.Stored one = s.put(new ByteArrayInputStream("abc".getBytes()), 10, "file");
    ArtifactStore.Stored again = s.put(new ByteArrayInputStream("abc".getBytes()), 10, "file");

    assertThat(one).isEqualTo(again);
    assertThat(one.sha256())
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(s.get(one.sha256())).isEqualTo("abc".getBytes());
    Path file = dir.resolve("a").resolve(one.sha256());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    try (var left = Files.list(dir.resolve("a"))) {
      assertThat(left).hasSize(1);
    }

    Files.writeString(file, "abd");
    assertThatThrownBy(() -> s.get(one.sha256())).hasMessageContaining("is corrupt");
  }

  @Test
  void contentPastTheLimitIsRefusedAndNothingKept() throws Exception {
    ArtifactStore s = new ArtifactStore(dir.resolve("a"));

    assertThatThrownBy(() -> s.put(new ByteArrayInputStream(new byte[11]), 10, "file"))
        .isInstanceOf(ArtifactStore.TooLarge.class)
        .hasMessage("file: larger than the limit of 10 bytes");
    try (var left = Files.list(dir.resolve("a"))) {
      assertThat(left).isEmpty();
    }
  }
}
