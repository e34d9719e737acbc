package eu.mlsysops.agent.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import eu.mlsysops.agent.plan.SqlitePlanLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateFilesTest {
  @TempDir Path dir;

  @Test
  void anSqliteStoreAndItsWalAndShmAreReadableByTheOwnerOnly() throws Exception {
    Path db = dir.resolve("plans.db");
    try (SqlitePlanLog log = SqlitePlanLog.open(db)) {
      log.flush();
      for (Path p : new Path[] {db, Path.of(db + "-wal"), Path.of(db + "-shm")}) {
        if (Files.exists(p)) {
          assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
              .as(p.getFileName().toString()).isEqualTo("rw-------");
        }
      }
    }
  }

  @Test
  void anExistingFileLosesGroupAndOtherAccess() throws Exception {
    Path f = Files.writeString(dir.resolve("state.db"), "x");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));

    PrivateFiles.prepare(f);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
        .isEqualTo("rw-------");
  }
}
