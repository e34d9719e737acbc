package eu.mlsysops.protocol.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A private certificate authority for the agents of one continuum, kept as PEM files in one
 * directory:
 *
 * <pre>
 * ca.pem            the CA certificate (give it to every agent)
 * ca-key.pem        the CA private key (0600; keep it on the machine that issues certificates)
 * NAME.pem          the certificate of agent NAME
 * NAME-key.pem      its private key (0600)
 * </pre>
 *
 * <p>Keys are EC P-256, signatures ECDSA with SHA-256, private keys PKCS#8. The CA certificate is
 * valid for 10 years. An agent certificate names the agent in its subject common name (the
 * identity the parent enforces), has the subject alternative names {@code DNS:NAME}, {@code
 * DNS:localhost} and {@code IP:127.0.0.1}, and may serve as both TLS client and server, since a
 * cluster agent is a client of its parent and a server to its nodes. Nothing is ever overwritten:
 * issuing a name that already has files fails.
 *
 * <p>Agent names are DNS names (lower-case letters, digits, {@code -} and {@code .}); {@code ca}
 * and names ending in {@code -key} are refused because their files would collide.
 */
public final class CertificateAuthority {
  /** File name of the CA certificate. */
  public static final String CA_CERTIFICATE = "ca.pem";

  /** File name of the CA private key. */
  public static final String CA_KEY = "ca-key.pem";

  /** Validity of the CA certificate. */
  public static final Duration CA_VALIDITY = Duration.ofDays(3653);

  /** Default validity of an agent certificate. */
  public static final Duration AGENT_VALIDITY = Duration.ofDays(825);

  /** Certificates start to be valid this much before they were made, for clocks that lag. */
  private static final Duration BACKDATE = Duration.ofHours(1);

  private static final Pattern NAME =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final String SIGNATURE = "SHA256withECDSA";

  private final Path directory;
  private final X509Certificate certificate;
  private final PrivateKey key;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  private CertificateAuthority(
      Path directory, X509Certificate certificate, PrivateKey key, Clock clock) {
    this.directory = directory;
    this.certificate = certificate;
    this.key = key;
    this.clock = clock;
  }

  /**
   * Creates a new CA named {@code mlsysops-ca} in {@code directory}, using the system clock.
   *
   * @see #init(Path, String, Clock)
   */
  public static CertificateAuthority init(Path directory) throws IOException {
    return init(directory, "mlsysops-ca", Clock.systemUTC());
  }

  /**
   * Creates a new CA: an EC P-256 key and a self-signed certificate valid for 10 years, written as
   * {@code ca.pem} and {@code ca-key.pem}. The directory is created (owner-only) when missing.
   *
   * @param directory where the files go
   * @param name the CA certificate's common name
   * @param clock the time the certificate's validity starts from
   * @return the new CA, ready to {@link #issue} agent certificates
   * @throws FileAlreadyExistsException when the directory already holds a CA
   * @throws IOException when the files cannot be written
   */
  public static CertificateAuthority init(Path directory, String name, Clock clock)
      throws IOException {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(clock, "clock");
    if (name.isBlank()) {
      throw new IllegalArgumentException("CA name must not be blank");
    }
    createDirectory(directory);
    for (String f : new String[] {CA_CERTIFICATE, CA_KEY}) {
      if (Files.exists(directory.resolve(f))) {
        throw new FileAlreadyExistsException(
            directory.resolve(f).toString(), null, "a CA already exists here");
      }
    }
    KeyPair pair = newKeyPair();
    X500Name subject = commonNameOnly(name);
    Instant now = clock.instant();
    SecureRandom random = new SecureRandom();
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
                  subject,
                  serial(random),
                  Date.from(now.minus(BACKDATE)),
                  Date.from(now.plus(CA_VALIDITY)),
                  subject,
                  pair.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
              .addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  ext.createSubjectKeyIdentifier(pair.getPublic()));
      X509Certificate cert = sign(b, pair.getPrivate());
      Pem.writePrivateKey(directory.resolve(CA_KEY), pair.getPrivate());
      Pem.writeCertificate(directory.resolve(CA_CERTIFICATE), cert);
      return new CertificateAuthority(directory, cert, pair.getPrivate(), clock);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot create a CA certificate: " + e.getMessage(), e);
    }
  }

  /** Loads the CA in {@code directory}, using the system clock for what it issues. */
  public static CertificateAuthority load(Path directory) throws IOException {
    return load(directory, Clock.systemUTC());
  }

  /**
   * Loads an existing CA from {@code ca.pem} and {@code ca-key.pem}.
   *
   * @param directory the CA directory
   * @param clock the time issued certificates' validity starts from
   * @return the CA
   * @throws IOException when a file is missing or unreadable, or the key does not match
   */
  public static CertificateAuthority load(Path directory, Clock clock) throws IOException {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(clock, "clock");
    X509Certificate cert = Pem.readCertificate(directory.resolve(CA_CERTIFICATE));
    PrivateKey key = Pem.readPrivateKey(directory.resolve(CA_KEY));
    AgentCredentials.checkKeyMatches(cert, key, directory.resolve(CA_KEY));
    return new CertificateAuthority(directory, cert, key, clock);
  }

  /** Issues a certificate for {@code agentName} valid for {@link #AGENT_VALIDITY}. */
  public AgentCredentials issue(String agentName) throws IOException {
    return issue(agentName, AGENT_VALIDITY);
  }

  /**
   * Issues a certificate for an agent and writes {@code NAME.pem} and {@code NAME-key.pem}.
   *
   * @param agentName the agent's name: the certificate's common name and a DNS alternative name
   * @param validity how long the certificate is valid from now
   * @return the agent's credentials (its certificate, key and this CA)
   * @throws IllegalArgumentException when the name is not a DNS name or is reserved
   * @throws FileAlreadyExistsException when the agent already has files here
   */
  public AgentCredentials issue(String agentName, Duration validity) throws IOException {
    checkAgentName(agentName);
    Objects.requireNonNull(validity, "validity");
    if (validity.isNegative() || validity.isZero()) {
      throw new IllegalArgumentException("validity must be positive: " + validity);
    }
    Path certFile = directory.resolve(agentName + ".pem");
    Path keyFile = directory.resolve(agentName + "-key.pem");
    for (Path f : new Path[] {certFile, keyFile}) {
      if (Files.exists(f)) {
        throw new FileAlreadyExistsException(f.toString(), null, "agent already has a certificate");
      }
    }
    KeyPair pair = newKeyPair();
    X509Certificate cert = agentCertificate(agentName, pair.getPublic(), validity, null);
    Pem.writePrivateKey(keyFile, pair.getPrivate());
    Pem.writeCertificate(certFile, cert);
    return new AgentCredentials(agentName, cert, pair.getPrivate(), certificate);
  }

  /**
   * Signs the certificate request of a node joining one cluster ({@code mls agent node --join}):
   * its private key never leaves the node. The certificate's common name is {@code agentName}
   * (the request's own subject is ignored) and its organisational unit is {@code cluster}: a node
   * so certified may register with that cluster only, and never as a cluster ({@link
   * AgentCredentials#joinedCluster}). It is written as {@code NAME.pem}, so a name is certified
   * once. It authenticates a client only (no {@code serverAuth}, no {@code localhost} name): a
   * joined node connects to its cluster and serves nobody.
   *
   * @param agentName the node's name
   * @param csrPem a PKCS#10 request in PEM, signed with the node's key (proof that it holds it)
   * @param cluster the cluster the node joins
   * @return the node's certificate
   * @throws IllegalArgumentException naming the field: {@code node} (not a DNS name), {@code
   *     csr} (not a request, a bad signature, not an EC P-256 key), {@code cluster}
   * @throws FileAlreadyExistsException when the name already has a certificate here
   */
  public X509Certificate signJoin(String agentName, String csrPem, String cluster)
      throws IOException {
    try {
      checkAgentName(agentName);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("node: " + e.getMessage(), e);
    }
    try {
      checkAgentName(cluster);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cluster: " + e.getMessage(), e);
    }
    if (!(Pem.parse(csrPem == null ? "" : csrPem)
        instanceof org.bouncycastle.pkcs.PKCS10CertificationRequest csr)) {
      throw new IllegalArgumentException("csr: not a PEM certificate request (PKCS#10)");
    }
    java.security.PublicKey key;
    try {
      org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest jcsr =
          new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest(csr);
      key = jcsr.getPublicKey();
      if (!jcsr.isSignatureValid(
          new org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder().build(key))) {
        throw new IllegalArgumentException("csr: its signature does not verify");
      }
    } catch (GeneralSecurityException | OperatorCreationException
        | org.bouncycastle.pkcs.PKCSException e) {
      throw new IllegalArgumentException("csr: unreadable (" + e.getMessage() + ")", e);
    }
    if (!(key instanceof java.security.interfaces.ECPublicKey ec)
        || ec.getParams().getCurve().getField().getFieldSize() != 256) {
      throw new IllegalArgumentException("csr: the key must be EC P-256, as every agent's");
    }
    Path certFile = directory.resolve(agentName + ".pem");
    if (Files.exists(certFile)) {
      throw new FileAlreadyExistsException(certFile.toString(), null,
          "node \"" + agentName + "\" already has a certificate");
    }
    X509Certificate cert = agentCertificate(agentName, key, AGENT_VALIDITY, cluster);
    Pem.writeCertificate(certFile, cert);
    return cert;
  }

  /** The CA certificate as PEM text, as joining nodes receive it. */
  public String certificatePem() throws IOException {
    return Pem.toPem(certificate);
  }

  private X509Certificate agentCertificate(String agentName, java.security.PublicKey publicKey,
      Duration validity, String cluster) {
    Instant now = clock.instant();
    X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, agentName);
    if (cluster != null) {
      subject.addRDN(BCStyle.OU, cluster);
    }
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      // A joined node only ever connects to its cluster: its certificate authenticates a client
      // and names the node alone, so it can never serve TLS as a parent (or as localhost).
      boolean joined = cluster != null;
      GeneralNames sans = joined
          ? new GeneralNames(new GeneralName(GeneralName.dNSName, agentName))
          : new GeneralNames(
              new GeneralName[] {
                new GeneralName(GeneralName.dNSName, agentName),
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1")
              });
      KeyPurposeId[] purposes = joined
          ? new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth}
          : new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth};
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
                  certificate,
                  serial(random),
                  Date.from(now.minus(BACKDATE)),
                  Date.from(now.plus(validity)),
                  subject.build(),
                  publicKey)
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(
                  Extension.keyUsage,
                  true,
                  new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
              .addExtension(
                  Extension.extendedKeyUsage,
                  false,
                  new ExtendedKeyUsage(purposes))
              .addExtension(Extension.subjectAlternativeName, false, sans)
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  ext.createSubjectKeyIdentifier(publicKey))
              .addExtension(
                  Extension.authorityKeyIdentifier,
                  false,
                  ext.createAuthorityKeyIdentifier(certificate));
      return sign(b, key);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot issue a certificate: " + e.getMessage(), e);
    }
  }

  /** The CA certificate. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** The directory holding the CA and the certificates it issued. */
  public Path directory() {
    return directory;
  }

  /** A certificate as PEM text. */
  public static String pem(X509Certificate cert) {
    try {
      return Pem.toPem(cert);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Checks an agent name: a DNS name, not one whose files would collide with the CA's.
   *
   * @throws IllegalArgumentException saying why not
   */
  public static void checkAgentName(String agentName) {
    Objects.requireNonNull(agentName, "agentName");
    if (agentName.length() > 253 || !NAME.matcher(agentName).matches()) {
      throw new IllegalArgumentException(
          "agent name must be a DNS name (lower-case letters, digits, '-' and '.'): " + agentName);
    }
    if (agentName.equals("ca") || agentName.endsWith("-key")) {
      throw new IllegalArgumentException(
          "agent name '" + agentName + "' is reserved: its files would collide with others");
    }
  }

  private static void createDirectory(Path directory) throws IOException {
    if (Files.isDirectory(directory)) {
      return;
    }
    if (directory.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.createDirectories(
          directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } else {
      Files.createDirectories(directory);
    }
  }

  private static X500Name commonNameOnly(String cn) {
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, cn).build();
  }

  private static BigInteger serial(SecureRandom random) {
    // Positive and at most 20 octets, as RFC 5280 asks; 127 random bits make collisions moot.
    return new BigInteger(127, random).setBit(127);
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK cannot make EC P-256 keys", e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(b.build(new JcaContentSignerBuilder(SIGNATURE).build(signer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e.getMessage(), e);
    }
  }
}
