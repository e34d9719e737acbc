package eu.mlsysops.protocol.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JoinRequestTest {
  @TempDir Path dir;

  @Test
  void aJoiningNodesKeyStaysWithItAndItsCertificateNamesTheClusterItJoins() throws Exception {
    CertificateAuthority ca = CertificateAuthority.init(dir.resolve("ca"));
    JoinRequest request = JoinRequest.create("edge-9");

    X509Certificate cert = ca.signJoin("edge-9", request.csrPem(), "edge");
    cert.verify(ca.certificate().getPublicKey());
    assertThat(AgentCredentials.commonName(cert)).isEqualTo("edge-9");
    assertThat(AgentCredentials.joinedCluster(cert)).isEqualTo("edge");
    assertThat(Files.exists(dir.resolve("ca/edge-9.pem"))).isTrue();
    assertThat(cert.getExtendedKeyUsage()).as("a client only").containsExactly("1.3.6.1.5.5.7.3.2");
    assertThat(cert.getSubjectAlternativeNames()).containsExactly(java.util.List.of(2, "edge-9"));

    Path node = dir.resolve("node");
    AgentCredentials creds = request.save(node, Pem.toPem(cert), ca.certificatePem(),
        JoinRequest.caHash(ca.certificate()));
    assertThat(creds.name()).isEqualTo("edge-9");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
        node.resolve("edge-9-key.pem")))).isEqualTo("rw-------");
    assertThat(AgentCredentials.joinedCluster(ca.issue("cloud-1").certificate()))
        .as("certificates from mls certs init carry no cluster").isNull();
  }

  @Test
  void aNameIsCertifiedOnceAndBadRequestsAreRefusedNamingTheField() throws Exception {
    CertificateAuthority ca = CertificateAuthority.init(dir.resolve("ca"));
    JoinRequest request = JoinRequest.create("edge-9");
    ca.signJoin("edge-9", request.csrPem(), "edge");
    assertThatThrownBy(() -> ca.signJoin("edge-9", JoinRequest.create("edge-9").csrPem(), "edge"))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining("node \"edge-9\" already has a certificate");
    assertThatThrownBy(() -> ca.signJoin("Edge_9", request.csrPem(), "edge"))
        .hasMessageStartingWith("node: agent name must be a DNS name");
    assertThatThrownBy(() -> ca.signJoin("edge-10", "not pem", "edge"))
        .hasMessage("csr: not a PEM certificate request (PKCS#10)");
    assertThatThrownBy(() -> ca.signJoin("edge-10", ca.certificatePem(), "edge"))
        .hasMessage("csr: not a PEM certificate request (PKCS#10)");
    // A request whose signature was made with another key: the sender does not hold this key.
    String forged = swapSignature(request.csrPem(), JoinRequest.create("edge-10").csrPem());
    assertThatThrownBy(() -> ca.signJoin("edge-10", forged, "edge"))
        .hasMessageStartingWith("csr: ");
  }

  @Test
  void aNodeTrustsOnlyTheCaItsJoinTokenNamed() throws Exception {
    CertificateAuthority ca = CertificateAuthority.init(dir.resolve("ca"));
    CertificateAuthority other = CertificateAuthority.init(dir.resolve("other"));
    JoinRequest request = JoinRequest.create("edge-9");
    X509Certificate cert = other.signJoin("edge-9", request.csrPem(), "edge");
    assertThatThrownBy(() -> request.save(dir.resolve("node"), Pem.toPem(cert),
        other.certificatePem(), JoinRequest.caHash(ca.certificate())))
        .hasMessageContaining("not the " + JoinRequest.caHash(ca.certificate()))
        .hasMessageContaining("not trusting it");
    X509Certificate notMine = ca.signJoin("edge-9", JoinRequest.create("edge-9").csrPem(), "edge");
    assertThatThrownBy(() -> request.save(dir.resolve("node"), Pem.toPem(notMine),
        ca.certificatePem(), JoinRequest.caHash(ca.certificate())))
        .hasMessage("certificate: not for this node's key");
  }

  /** {@code csr}'s request body with the signature of {@code other}. */
  private static String swapSignature(String csr, String other) throws Exception {
    var a = (org.bouncycastle.pkcs.PKCS10CertificationRequest) Pem.parse(csr);
    var b = (org.bouncycastle.pkcs.PKCS10CertificationRequest) Pem.parse(other);
    var forged = new org.bouncycastle.asn1.pkcs.CertificationRequest(
        a.toASN1Structure().getCertificationRequestInfo(),
        b.toASN1Structure().getSignatureAlgorithm(),
        b.toASN1Structure().getSignature());
    return Pem.toPem(new org.bouncycastle.pkcs.PKCS10CertificationRequest(forged));
  }
}
