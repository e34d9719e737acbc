package eu.mlsysops.orchestration.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkloadUserTest {
  @TempDir Path dir;

  private Path passwd() throws Exception {
    return Files.writeString(dir.resolve("passwd"),
        "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
  }

  private Path setpriv() throws Exception {
    Path p = Files.writeString(dir.resolve("setpriv"), "#!/bin/sh\n");
    p.toFile().setExecutable(true);
    return p;
  }

  @Test
  void asRootWithSetprivInstancesRunAsTheNamedUser() throws Exception {
    WorkloadUser.Detection d = WorkloadUser.detect("nobody", passwd(), setpriv(), 0);

    assertThat(d.user()).contains(new WorkloadUser("nobody", 65534, 65534));
    assertThat(d.user().orElseThrow().wrap(List.of("/bin/sh", "-c", "id")))
        .containsExactly("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
            "--no-new-privs", "--", "/bin/sh", "-c", "id");
  }

  @Test
  void withoutRootSetprivOrTheUserItSaysWhy() throws Exception {
    assertThat(WorkloadUser.detect("nobody", passwd(), setpriv(), 1000).detail())
        .startsWith("the agent does not run as root (uid 1000)");
    assertThat(WorkloadUser.detect("nobody", passwd(), dir.resolve("none"), 0).detail())
        .endsWith("is missing (Debian: util-linux), so instances would run as root");
    WorkloadUser.Detection unknown = WorkloadUser.detect("mls-work", passwd(), setpriv(), 0);
    assertThat(unknown.dropsPrivileges()).isFalse();
    assertThat(unknown.detail()).startsWith("no user \"mls-work\" in ");
    assertThat(WorkloadUser.detect("root", passwd(), setpriv(), 0).detail())
        .isEqualTo("\"root\" has uid 0 and gid 0: instances must not run as root");
  }

  @Test
  void eachAppRunsAsAnIdOfItsOwnTheSameEverywhere() throws Exception {
    WorkloadUser nobody = WorkloadUser.detect("nobody", passwd(), setpriv(), 0).user()
        .orElseThrow();

    WorkloadUser shop = nobody.forApp("shop");
    WorkloadUser camera = nobody.forApp("camera");

    assertThat(shop.uid()).isEqualTo(shop.gid()).isNotEqualTo(camera.uid())
        .isBetween(WorkloadUser.APP_IDS_FROM, WorkloadUser.APP_IDS_FROM + WorkloadUser.APP_IDS - 1);
    assertThat(nobody.forApp("shop")).as("no table: derived from the name").isEqualTo(shop);
    assertThat(shop.wrap(List.of("x"))).contains("--reuid=" + shop.uid(), "--clear-groups");
  }

  @Test
  void anAppWhoseIdAnotherAppHoldsIsNamedAndRefused() throws Exception {
    WorkloadUser nobody = WorkloadUser.detect("nobody", passwd(), setpriv(), 0).user()
        .orElseThrow();
    // Two names with one id: found by trying names, as someone targeting a tenant would.
    String first = "claim-" + System.nanoTime();
    java.util.Map<Integer, String> seen = new java.util.HashMap<>();
    String a = null;
    String b = null;
    for (int i = 0; a == null; i++) {
      String name = first + "-" + i;
      String other = seen.putIfAbsent(nobody.forApp(name).uid(), name);
      if (other != null) {
        a = other;
        b = name;
      }
    }

    assertThat(nobody.claim(a)).isNull();
    assertThat(nobody.claim(a)).as("its own id again").isNull();
    assertThat(nobody.claim(b)).isEqualTo(a);
  }
}
