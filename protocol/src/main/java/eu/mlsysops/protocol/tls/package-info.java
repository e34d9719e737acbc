/**
 * Certificates for mutual TLS between agents.
 *
 * <p>{@link eu.mlsysops.protocol.tls.CertificateAuthority} creates a private CA and issues one
 * certificate per agent into a directory of PEM files; {@link
 * eu.mlsysops.protocol.tls.AgentCredentials} loads what one agent needs. The gRPC link ({@code
 * eu.mlsysops.protocol.grpc}) takes the credentials and enforces that an agent's name is its
 * certificate's common name. See {@code docs/grpc-link.md} in this module.
 */
package eu.mlsysops.protocol.tls;
