package eu.mlsysops.protocol.tls;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/** Reads and writes the PEM files of a certificate directory. */
final class Pem {
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  private Pem() {}

  static X509Certificate readCertificate(Path file) throws IOException {
    Object o = readObject(file);
    if (!(o instanceof X509CertificateHolder holder)) {
      throw new IOException(file + ": not a PEM certificate");
    }
    try {
      return new JcaX509CertificateConverter().getCertificate(holder);
    } catch (CertificateException e) {
      throw new IOException(file + ": unreadable certificate: " + e.getMessage(), e);
    }
  }

  /** Reads a PKCS#8 ({@code PRIVATE KEY}) or SEC1 ({@code EC PRIVATE KEY}) key. */
  static PrivateKey readPrivateKey(Path file) throws IOException {
    Object o = readObject(file);
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    if (o instanceof PrivateKeyInfo info) {
      return converter.getPrivateKey(info);
    }
    if (o instanceof PEMKeyPair pair) {
      return converter.getKeyPair(pair).getPrivate();
    }
    throw new IOException(file + ": not an unencrypted PEM private key");
  }

  static void writeCertificate(Path file, X509Certificate certificate) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(text)) {
      w.writeObject(certificate);
    }
    write(file, text.toString(), false);
  }

  /** Writes a key as PKCS#8 PEM, readable by its owner only (0600 where the file system can). */
  static void writePrivateKey(Path file, PrivateKey key) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(text)) {
      w.writeObject(new JcaPKCS8Generator(key, null));
    }
    write(file, text.toString(), true);
  }

  /** A certificate as PEM text. */
  static String toPem(Object object) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(text)) {
      w.writeObject(object instanceof PrivateKey k ? new JcaPKCS8Generator(k, null) : object);
    }
    return text.toString();
  }

  /** The first PEM object of a text, or null when there is none or it is not PEM. */
  static Object parse(String pem) {
    try (PEMParser parser = new PEMParser(new java.io.StringReader(pem))) {
      return parser.readObject();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** A certificate from PEM text. */
  static X509Certificate certificate(String pem, String what) throws IOException {
    if (!(parse(pem) instanceof X509CertificateHolder holder)) {
      throw new IOException(what + ": not a PEM certificate");
    }
    try {
      return new JcaX509CertificateConverter().getCertificate(holder);
    } catch (CertificateException e) {
      throw new IOException(what + ": unreadable certificate: " + e.getMessage(), e);
    }
  }

  /** Writes PEM text to a new file; a secret one readable by its owner only. */
  static void writeText(Path file, String text, boolean secret) throws IOException {
    write(file, text, secret);
  }

  private static Object readObject(Path file) throws IOException {
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(r)) {
      Object o = parser.readObject();
      if (o == null) {
        throw new IOException(file + ": no PEM object in the file");
      }
      return o;
    }
  }

  /** Creates the file (never overwrites) with its final permissions before any byte is written. */
  private static void write(Path file, String text, boolean secret) throws IOException {
    if (Files.exists(file)) {
      throw new FileAlreadyExistsException(file.toString(), null, "refusing to overwrite");
    }
    boolean posix = file.toAbsolutePath().getParent().getFileSystem().supportedFileAttributeViews().contains("posix");
    if (secret && posix) {
      FileAttribute<Set<PosixFilePermission>> attr = PosixFilePermissions.asFileAttribute(OWNER_ONLY);
      Files.createFile(file, attr);
    } else {
      Files.createFile(file);
    }
    Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
  }
}
