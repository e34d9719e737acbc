package eu.mlsysops.security;

/**
 * A node's trust moved to another {@link TrustLevel}.
 *
 * @param node the node
 * @param from the previous level
 * @param to the new level
 * @param trust the trust that crossed, with its reasons
 */
public record TrustChange(String node, TrustLevel from, TrustLevel to, NodeTrust trust) {}
