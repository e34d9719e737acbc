package eu.mlsysops.protocol.grpc;

import eu.mlsysops.protocol.tls.AgentCredentials;
import eu.mlsysops.protocol.tls.CertificateAuthority;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A CA in a temporary directory with certificates for a cluster {@code c1} and nodes. */
final class TestPki implements AutoCloseable {
  final Path dir;
  final CertificateAuthority ca;

  private TestPki(Path dir, CertificateAuthority ca) {
    this.dir = dir;
    this.ca = ca;
  }

  static TestPki create(String caName) {
    try {
      Path dir = Files.createTempDirectory("mls-pki-");
      return new TestPki(dir, CertificateAuthority.init(dir, caName, java.time.Clock.systemUTC()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The credentials of {@code name}, issued on first use. */
  AgentCredentials agent(String name) {
    try {
      if (Files.exists(dir.resolve(name + ".pem"))) {
        return AgentCredentials.load(dir, name);
      }
      return ca.issue(name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
