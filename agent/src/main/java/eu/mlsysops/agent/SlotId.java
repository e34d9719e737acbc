package eu.mlsysops.agent;

/**
 * One instance slot of a component: a component of {@code instances: 3} has slots 0, 1 and 2.
 * Instances come and go (a move starts a new one before the old one stops); the slot stays.
 *
 * @param component the component
 * @param slot the slot, from 0
 */
public record SlotId(ComponentId component, int slot) {
  public SlotId {
    if (component == null) {
      throw new IllegalArgumentException("component: missing");
    }
    if (slot < 0) {
      throw new IllegalArgumentException("slot: must be at least 0, got " + slot);
    }
  }

  @Override
  public String toString() {
    return component + "#" + slot;
  }
}
