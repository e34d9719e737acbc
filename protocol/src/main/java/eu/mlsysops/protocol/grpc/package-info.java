/**
 * The {@link eu.mlsysops.protocol.Link} between agents in separate processes: gRPC over mutual TLS.
 *
 * <p>A parent agent runs a {@link eu.mlsysops.protocol.grpc.GrpcLinkServer} and receives one link
 * per child through its {@code onChild} callback; a child agent opens a {@link
 * eu.mlsysops.protocol.grpc.GrpcLink} to its parent and keeps it up across outages. Both pass the
 * same {@code LinkContract} tests as the in-process link. {@link
 * eu.mlsysops.protocol.grpc.MessageCodec} maps messages to the wire frames of {@code
 * mlsysops/tier.proto}, whose generated classes live in {@code eu.mlsysops.protocol.grpc.proto}.
 *
 * <p>Those three classes are the API; everything else in this package is package-private. See
 * {@code docs/grpc-link.md} in this module for the wire protocol, identity rules, reconnection and
 * buffering.
 */
package eu.mlsysops.protocol.grpc;
