package eu.mlsysops.cli.agents;

import static org.assertj.core.api.Assertions.assertThat;

import eu.mlsysops.cli.Mls;
import eu.mlsysops.protocol.tls.AgentCredentials;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertsCommandTest {
  @TempDir Path dir;

  private String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Mls.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new String[] {String.valueOf(code), out.toString(), err.toString()};
  }

  @Test
  void createsACaAndOneCertificatePerAgentNamedAfterIt() throws Exception {
    String[] r = run("certs", "init", "--dir", dir.toString(), "--agents", "top,cluster-1,node-1");
    assertThat(r[0]).isEqualTo("0");
    assertThat(r[1]).contains("created  CA").contains("created  node-1");
    for (String name : new String[] {"top", "cluster-1", "node-1"}) {
      AgentCredentials c = AgentCredentials.load(dir, name);
      assertThat(AgentCredentials.commonName(c.certificate())).isEqualTo(name);
    }
    assertThat(Files.getPosixFilePermissions(dir.resolve("node-1-key.pem")))
        .containsOnly(
            java.nio.file.attribute.PosixFilePermission.OWNER_READ,
            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
  }

  @Test
  void runningAgainKeepsWhatExistsAndAddsNewAgents() throws Exception {
    run("certs", "init", "--dir", dir.toString(), "--agents", "node-1");
    byte[] ca = Files.readAllBytes(dir.resolve("ca.pem"));
    byte[] n1 = Files.readAllBytes(dir.resolve("node-1.pem"));
    String[] r = run("certs", "init", "--dir", dir.toString(), "--agents", "node-1,node-2");
    assertThat(r[0]).isEqualTo("0");
    assertThat(r[1])
        .contains("kept     CA")
        .contains("kept     node-1")
        .contains("created  node-2");
    assertThat(Files.readAllBytes(dir.resolve("ca.pem"))).isEqualTo(ca);
    assertThat(Files.readAllBytes(dir.resolve("node-1.pem"))).isEqualTo(n1);
    AgentCredentials.load(dir, "node-2"); // signed by the same CA, or this throws
  }

  @Test
  void refusesUnusableNames() {
    String[] r = run("certs", "init", "--dir", dir.toString(), "--agents", "node-1,Bad_Name");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2]).contains("--agents: \"Bad_Name\" is not a usable agent name");
    assertThat(dir.resolve("ca.pem")).doesNotExist();
  }
}
