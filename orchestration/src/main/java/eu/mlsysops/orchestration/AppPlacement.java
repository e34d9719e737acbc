package eu.mlsysops.orchestration;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of {@link PlacementSnapshot#placeApp}: one entry per instance it tried to place.
 *
 * @param app the app's name
 * @param instances every instance placed or found unschedulable, in placement order ({@code
 *     depends_on} first); the members of a {@code single_node} replica share one {@link Placement}
 */
public record AppPlacement(String app, List<InstancePlacement> instances) {
  /**
   * Copies the list.
   *
   * @param app see the record description
   * @param instances see the record description
   */
  public AppPlacement {
    Objects.requireNonNull(app, "app");
    instances = List.copyOf(instances);
  }

  /** True when every instance found a node. */
  public boolean isComplete() {
    for (InstancePlacement i : instances) {
      if (!i.placement().isPlaced()) {
        return false;
      }
    }
    return true;
  }

  /** The instances that found no node. */
  public List<InstancePlacement> unschedulable() {
    List<InstancePlacement> out = new ArrayList<>();
    for (InstancePlacement i : instances) {
      if (!i.placement().isPlaced()) {
        out.add(i);
      }
    }
    return out;
  }

  /** The node instance {@code slot} of {@code component} was placed on, if it was. */
  public Optional<String> nodeOf(String component, int slot) {
    for (InstancePlacement i : instances) {
      if (i.component().equals(component) && i.slot() == slot) {
        return i.placement().node();
      }
    }
    return Optional.empty();
  }

  /**
   * One instance's placement.
   *
   * @param component the component's name
   * @param slot the instance's index, 0-based, counting instances that already ran
   * @param placement where it goes, or why nowhere
   */
  public record InstancePlacement(String component, int slot, Placement placement) {
    /**
     * Validates the fields.
     *
     * @param component see the record description
     * @param slot see the record description
     * @param placement see the record description
     */
    public InstancePlacement {
      Objects.requireNonNull(component, "component");
      Objects.requireNonNull(placement, "placement");
    }

    /** {@code component#slot: } and the placement's explanation. */
    @Override
    public String toString() {
      return component + "#" + slot + ": " + placement.explanation();
    }
  }
}
