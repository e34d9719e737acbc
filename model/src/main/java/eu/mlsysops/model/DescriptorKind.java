package eu.mlsysops.model;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The five {@code mlsysops.eu/v1} descriptor kinds, with their wire names. */
public enum DescriptorKind {
  /** An application: components, placement and QoS targets. */
  APP("MLSysOpsApp"),
  /** A node: hardware, environment, sensors. */
  NODE("MLSysOpsNode"),
  /** A cluster: its nodes. */
  CLUSTER("MLSysOpsCluster"),
  /** A continuum: its clusters. */
  CONTINUUM("MLSysOpsContinuum"),
  /** A datacenter: its nodes and location. */
  DATACENTER("MLSysOpsDatacenter");

  /** The API version of every kind. */
  public static final String API_VERSION = "mlsysops.eu/v1";

  private final String wireName;

  DescriptorKind(String wireName) {
    this.wireName = wireName;
  }

  /**
   * Returns the name used as {@code kind} and as the top-level key, e.g. {@code MLSysOpsApp}.
   *
   * @return the wire name
   */
  public String wireName() {
    return wireName;
  }

  /**
   * Looks a kind up by wire name (exact match).
   *
   * @param wireName e.g. {@code MLSysOpsNode}
   * @return the kind
   * @throws IllegalArgumentException if no kind has that name; the message lists the kinds
   */
  public static DescriptorKind fromWire(String wireName) {
    for (DescriptorKind k : values()) {
      if (k.wireName.equals(wireName)) {
        return k;
      }
    }
    throw new IllegalArgumentException(ValueText.quote(wireName) + " is not one of " + wireNames());
  }

  /** The wire names, comma separated, for messages. */
  static String wireNames() {
    return Arrays.stream(values()).map(DescriptorKind::wireName).collect(Collectors.joining(", "));
  }
}
