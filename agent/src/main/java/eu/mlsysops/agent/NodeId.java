package eu.mlsysops.agent;

/**
 * A node, by the name it registered with.
 *
 * @param name the node's name
 */
public record NodeId(String name) {
  public NodeId {
    name = Ids.required("node", name);
  }

  @Override
  public String toString() {
    return name;
  }
}
