package eu.mlsysops.protocol.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Objects;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;

/**
 * What one agent needs for mutual TLS: its certificate and private key, and the CA certificate it
 * trusts its peers by. The agent's identity is the common name of its certificate ({@link
 * #name()}). Loading checks that the key belongs to the certificate and that the CA signed it, so a
 * mix-up fails at start-up rather than at the first handshake.
 */
public final class AgentCredentials {
  private final String name;
  private final X509Certificate certificate;
  private final PrivateKey privateKey;
  private final X509Certificate trustedCa;

  AgentCredentials(
      String name, X509Certificate certificate, PrivateKey privateKey, X509Certificate trustedCa) {
    this.name = name;
    this.certificate = certificate;
    this.privateKey = privateKey;
    this.trustedCa = trustedCa;
  }

  /**
   * Loads {@code ca.pem}, {@code NAME.pem} and {@code NAME-key.pem} from a certificate directory
   * (the layout {@link CertificateAuthority} writes; the CA key need not be there).
   *
   * @param directory the certificate directory
   * @param agentName the agent whose files to load
   * @return the credentials
   * @throws IOException when a file is missing or unreadable, the key does not match, the CA did not
   *     sign the certificate, or the certificate's common name is not {@code agentName}
   */
  public static AgentCredentials load(Path directory, String agentName) throws IOException {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(agentName, "agentName");
    AgentCredentials c =
        load(
            directory.resolve(CertificateAuthority.CA_CERTIFICATE),
            directory.resolve(agentName + ".pem"),
            directory.resolve(agentName + "-key.pem"));
    if (!agentName.equals(c.name())) {
      throw new IOException(
          directory.resolve(agentName + ".pem")
              + ": the certificate is for '"
              + c.name()
              + "', not '"
              + agentName
              + "'");
    }
    return c;
  }

  /**
   * Loads credentials from three PEM files anywhere.
   *
   * @param caCertificate the CA certificate peers are trusted by
   * @param certificate the agent's certificate
   * @param privateKey the agent's private key (PKCS#8 or SEC1, unencrypted)
   * @return the credentials, named by the certificate's common name
   * @throws IOException when a file is missing or unreadable, the key does not match, or the CA did
   *     not sign the certificate
   */
  public static AgentCredentials load(Path caCertificate, Path certificate, Path privateKey)
      throws IOException {
    X509Certificate ca = Pem.readCertificate(caCertificate);
    X509Certificate cert = Pem.readCertificate(certificate);
    PrivateKey key = Pem.readPrivateKey(privateKey);
    checkKeyMatches(cert, key, privateKey);
    try {
      cert.verify(ca.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new IOException(
          certificate + ": not issued by the CA in " + caCertificate + " (" + e.getMessage() + ")",
          e);
    }
    String name = commonName(cert);
    if (name == null) {
      throw new IOException(certificate + ": the certificate has no common name");
    }
    return new AgentCredentials(name, cert, key, ca);
  }

  /**
   * The agent name a certificate stands for: the first common name of its subject.
   *
   * @param certificate a certificate
   * @return the common name, or null when the subject has none
   */
  public static String commonName(X509Certificate certificate) {
    Objects.requireNonNull(certificate, "certificate");
    try {
      RDN[] cns = new JcaX509CertificateHolder(certificate).getSubject().getRDNs(BCStyle.CN);
      if (cns.length == 0) {
        return null;
      }
      return IETFUtils.valueToString(cns[0].getFirst().getValue());
    } catch (CertificateEncodingException e) {
      return null;
    }
  }

  /**
   * The cluster a joined node's certificate confines it to (its organisational unit), or null
   * for a certificate made by {@code mls certs init}, which carries none.
   */
  public static String joinedCluster(X509Certificate certificate) {
    Objects.requireNonNull(certificate, "certificate");
    try {
      RDN[] ous = new JcaX509CertificateHolder(certificate).getSubject().getRDNs(BCStyle.OU);
      return ous.length == 0 ? null : IETFUtils.valueToString(ous[0].getFirst().getValue());
    } catch (CertificateEncodingException e) {
      return null;
    }
  }

  /** The agent's name: its certificate's common name. */
  public String name() {
    return name;
  }

  /** The agent's certificate. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** The agent's private key. */
  public PrivateKey privateKey() {
    return privateKey;
  }

  /** The CA certificate that peers' certificates must be signed by. */
  public X509Certificate trustedCa() {
    return trustedCa;
  }

  @Override
  public String toString() {
    return "AgentCredentials[" + name + "]";
  }

  /** Proves the key belongs to the certificate by signing with one and verifying with the other. */
  static void checkKeyMatches(X509Certificate cert, PrivateKey key, Path keyFile)
      throws IOException {
    byte[] challenge = "mlsysops key check".getBytes(StandardCharsets.US_ASCII);
    String algorithm =
        switch (key.getAlgorithm()) {
          case "EC" -> "SHA256withECDSA";
          case "RSA" -> "SHA256withRSA";
          default -> key.getAlgorithm(); // Ed25519, Ed448
        };
    try {
      Signature s = Signature.getInstance(algorithm);
      s.initSign(key);
      s.update(challenge);
      byte[] signature = s.sign();
      Signature v = Signature.getInstance(algorithm);
      v.initVerify(cert.getPublicKey());
      v.update(challenge);
      if (!v.verify(signature)) {
        throw new IOException(keyFile + ": the key does not belong to the certificate");
      }
    } catch (GeneralSecurityException e) {
      throw new IOException(
          keyFile + ": cannot use the key with the certificate (" + e.getMessage() + ")", e);
    }
  }
}
