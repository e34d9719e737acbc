package eu.mlsysops.protocol.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.HexFormat;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * The joining node's side of {@code mls agent node --join}: a fresh EC P-256 key that never leaves
 * the node, and a certificate request signed with it. Once the continuum has signed the request,
 * {@link #save} writes the node's credentials in the layout {@link AgentCredentials#load(Path,
 * String)} reads, after checking the CA against the hash the join token came with.
 */
public final class JoinRequest {
  private final String name;
  private final KeyPair keys;
  private final String csrPem;

  private JoinRequest(String name, KeyPair keys, String csrPem) {
    this.name = name;
    this.keys = keys;
    this.csrPem = csrPem;
  }

  /** A new key and request for the node {@code name}. */
  public static JoinRequest create(String name) {
    CertificateAuthority.checkAgentName(Objects.requireNonNull(name, "name"));
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair keys = g.generateKeyPair();
      var csr = new JcaPKCS10CertificationRequestBuilder(
              new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, name).build(),
              keys.getPublic())
          .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
      return new JoinRequest(name, keys, Pem.toPem(csr));
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot make a certificate request: " + e.getMessage(), e);
    }
  }

  /** The request, PEM (PKCS#10): what the node sends. */
  public String csrPem() {
    return csrPem;
  }

  /**
   * The SHA-256 of a CA certificate's DER encoding, as {@code sha256:<hex>}: what a join token is
   * printed with, so that the node trusts the CA it is sent only if it is the one meant.
   */
  public static String caHash(X509Certificate ca) {
    try {
      return "sha256:" + HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(ca.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Checks and writes the node's credentials to {@code dir}: {@code ca.pem}, {@code NAME.pem} and
   * {@code NAME-key.pem} (owner-only).
   *
   * @param certificatePem the node's certificate, signed by the continuum's CA
   * @param caPem the CA certificate
   * @param expectedCaHash {@link #caHash} of the CA the node must trust (from the join token)
   * @return the credentials, ready for the agent link
   * @throws IOException naming what is wrong: the CA is not the expected one, the certificate is
   *     not for this key or name, or the files exist already
   */
  public AgentCredentials save(Path dir, String certificatePem, String caPem,
      String expectedCaHash) throws IOException {
    X509Certificate ca = Pem.certificate(caPem, "ca");
    if (!caHash(ca).equalsIgnoreCase(expectedCaHash == null ? "" : expectedCaHash.trim())) {
      throw new IOException("ca: the continuum sent a CA whose hash is " + caHash(ca)
          + ", not the " + expectedCaHash + " the join token came with; not trusting it");
    }
    X509Certificate cert = Pem.certificate(certificatePem, "certificate");
    try {
      cert.verify(ca.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new IOException("certificate: not signed by the CA", e);
    }
    if (!cert.getPublicKey().equals(keys.getPublic())) {
      throw new IOException("certificate: not for this node's key");
    }
    if (!name.equals(AgentCredentials.commonName(cert))) {
      throw new IOException("certificate: issued to " + AgentCredentials.commonName(cert)
          + ", not " + name);
    }
    Files.createDirectories(dir);
    Path caFile = dir.resolve(CertificateAuthority.CA_CERTIFICATE);
    if (Files.exists(caFile)) {
      if (!caHash(Pem.readCertificate(caFile)).equals(caHash(ca))) {
        throw new IOException(caFile + ": holds another CA; use an empty directory");
      }
    } else {
      Pem.writeText(caFile, caPem, false);
    }
    Pem.writePrivateKey(dir.resolve(name + "-key.pem"), keys.getPrivate());
    Pem.writeText(dir.resolve(name + ".pem"), certificatePem, false);
    return AgentCredentials.load(dir, name);
  }
}
