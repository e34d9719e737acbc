package eu.mlsysops.protocol.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateAuthorityTest {
  private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
  private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

  @TempDir Path dir;

  @Test
  void caIsAnEcP256AuthorityValidForTenYears() throws Exception {
    CertificateAuthority ca = CertificateAuthority.init(dir, "test-ca", clock);

    X509Certificate cert = ca.certificate();
    assertThat(cert.getPublicKey().getAlgorithm()).isEqualTo("EC");
    assertThat(cert.getPublicKey().toString()).contains("secp256r1");
    assertThat(cert.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(cert.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(3653)));
    assertThat(AgentCredentials.commonName(cert)).isEqualTo("test-ca");
    assertThat(Files.readString(dir.resolve("ca.pem"))).startsWith("-----BEGIN CERTIFICATE-----");
    assertThat(Files.readString(dir.resolve("ca-key.pem"))).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca-key.pem"))))
        .isEqualTo("rw-------");
  }

  @Test
  void agentCertificateNamesTheAgentAndServesBothEnds() throws Exception {
    CertificateAuthority ca = CertificateAuthority.init(dir, "test-ca", clock);
    AgentCredentials n1 = ca.issue("n1");

    X509Certificate cert = n1.certificate();
    assertThat(n1.name()).isEqualTo("n1");
    assertThat(cert.getBasicConstraints()).isEqualTo(-1);
    assertThat(cert.getExtendedKeyUsage())
        .containsExactlyInAnyOrder("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    assertThat(cert.getSubjectAlternativeNames())
        .containsExactlyInAnyOrder(List.of(2, "n1"), List.of(2, "localhost"), List.of(7, "127.0.0.1"));
    cert.verify(ca.certificate().getPublicKey());
    assertThat(cert.getNotBefore().toInstant()).isBefore(NOW);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("n1-key.pem"))))
        .isEqualTo("rw-------");

    AgentCredentials loaded = AgentCredentials.load(dir, "n1");
    assertThat(loaded.name()).isEqualTo("n1");
    assertThat(loaded.certificate()).isEqualTo(cert);
    assertThat(loaded.privateKey()).isEqualTo(n1.privateKey());
    assertThat(loaded.trustedCa()).isEqualTo(ca.certificate());
  }

  @Test
  void aLoadedCaIssuesCertificatesTheOldOneTrusts() throws Exception {
    CertificateAuthority first = CertificateAuthority.init(dir, "test-ca", clock);
    CertificateAuthority again = CertificateAuthority.load(dir, clock);

    AgentCredentials c1 = again.issue("c1");

    c1.certificate().verify(first.certificate().getPublicKey());
  }

  @Test
  void neverOverwrites() throws Exception {
    CertificateAuthority ca = CertificateAuthority.init(dir, "test-ca", clock);
    ca.issue("n1");

    assertThatThrownBy(() -> CertificateAuthority.init(dir, "other", clock))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThatThrownBy(() -> ca.issue("n1")).isInstanceOf(FileAlreadyExistsException.class);
  }

  @Test
  void refusesNamesThatAreNotDnsNamesOrWouldCollide() throws Exception {
    CertificateAuthority ca = CertificateAuthority.init(dir, "test-ca", clock);

    for (String bad : List.of("", "N1", "../n1", "a/b", "ca", "n1-key", "-n1", "n1 ")) {
      assertThatThrownBy(() -> ca.issue(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(ca.issue("edge-01.cluster-a").name()).isEqualTo("edge-01.cluster-a");
  }

  @Test
  void loadingCredentialsFromAnotherCaFails() throws Exception {
    Path other = dir.resolve("other");
    CertificateAuthority.init(dir, "test-ca", clock);
    CertificateAuthority.init(other, "other-ca", clock).issue("n1");
    Files.copy(other.resolve("n1.pem"), dir.resolve("n1.pem"));
    Files.copy(other.resolve("n1-key.pem"), dir.resolve("n1-key.pem"));

    assertThatThrownBy(() -> AgentCredentials.load(dir, "n1"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not issued by the CA");
  }

  @Test
  void loadingAKeyOfAnotherAgentFails() throws Exception {
    CertificateAuthority ca = CertificateAuthority.init(dir, "test-ca", clock);
    ca.issue("n1");
    ca.issue("n2");

    assertThatThrownBy(
            () ->
                AgentCredentials.load(
                    dir.resolve("ca.pem"), dir.resolve("n1.pem"), dir.resolve("n2-key.pem")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("does not belong");
    assertThatThrownBy(() -> AgentCredentials.load(dir, "n3"))
        .isInstanceOf(IOException.class);
  }
}
