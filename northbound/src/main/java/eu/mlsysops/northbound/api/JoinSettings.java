package eu.mlsysops.northbound.api;

import eu.mlsysops.protocol.tls.CertificateAuthority;
import java.util.Map;
import java.util.Objects;

/**
 * What lets remote nodes join a continuum's clusters ({@code mls infra join-token}, {@code mls
 * agent node --join}): the CA that signs their certificates, with its key, and where each
 * cluster's port for node agents is reachable. Only a continuum whose clusters run as processes
 * has it; without it the join routes say why they cannot serve.
 *
 * @param ca the continuum's certificate authority (loaded with its key)
 * @param clusterEndpoints cluster id → {@code host:port} its node agents connect to (a join token
 *     may name one for a cluster not listed)
 */
public record JoinSettings(CertificateAuthority ca, Map<String, String> clusterEndpoints) {
  public JoinSettings {
    Objects.requireNonNull(ca, "ca");
    clusterEndpoints = Map.copyOf(clusterEndpoints);
  }

  /** Whether {@code text} is a {@code host:port} a node can connect to ({@code [v6]:port} too). */
  public static boolean isHostPort(String text) {
    return text != null && text.matches("\\[?[A-Za-z0-9.:-]+]?:\\d{1,5}");
  }
}
