package eu.mlsysops.model;

/**
 * One {@code network_resources.redirection_interface} entry.
 *
 * @param connectionType the technology, e.g. {@code 5g}
 * @param range the range of a wireless interface, or null
 * @param interfaceName the OS interface name, or null
 * @param mode {@code infrastructure} or {@code adhoc}, or null
 * @param hardwareAddress the MAC address, or null
 * @param pairingInfo how to join the network, or null
 */
public record RedirectionInterface(
    String connectionType,
    Double range,
    String interfaceName,
    String mode,
    String hardwareAddress,
    PairingInfo pairingInfo) {}
