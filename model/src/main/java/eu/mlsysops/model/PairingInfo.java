package eu.mlsysops.model;

/**
 * {@code pairing_info} of a redirection interface.
 *
 * @param ipAddress the address to use, or null
 * @param networkSsid the SSID or PAN id, or null
 * @param netKey the network password, or null
 */
public record PairingInfo(String ipAddress, String networkSsid, String netKey) {}
