package eu.mlsysops.model;

/** Where on the continuum something runs or may be placed. */
public enum ContinuumLayer {
  /** Cloud datacenters. */
  CLOUD("cloud"),
  /** Edge infrastructure (e.g. base stations, micro datacenters). */
  EDGE_INFRASTRUCTURE("edge_infrastructure"),
  /** Edge devices. */
  EDGE("edge"),
  /** Far-edge devices (e.g. microcontrollers). */
  FAR_EDGE("far_edge"),
  /** Anywhere on the continuum; only valid in placement requests. */
  ANY("*");

  private final String wireName;

  ContinuumLayer(String wireName) {
    this.wireName = wireName;
  }

  /**
   * Returns the descriptor spelling, e.g. {@code edge_infrastructure} or {@code *}.
   *
   * @return the wire name
   */
  public String wireName() {
    return wireName;
  }

  /**
   * Looks a layer up by its descriptor spelling.
   *
   * @param wireName e.g. {@code far_edge}
   * @return the layer
   * @throws IllegalArgumentException if no layer has that spelling
   */
  public static ContinuumLayer fromWire(String wireName) {
    for (ContinuumLayer l : values()) {
      if (l.wireName.equals(wireName)) {
        return l;
      }
    }
    throw new IllegalArgumentException(
        ValueText.quote(wireName) + " is not one of cloud, edge_infrastructure, edge, far_edge, *");
  }
}
