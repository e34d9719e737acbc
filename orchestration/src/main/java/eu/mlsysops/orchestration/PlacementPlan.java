package eu.mlsysops.orchestration;

import eu.mlsysops.model.AppDescriptor;
import java.util.Objects;

/**
 * Placements of an app decided against a {@link PlacementSnapshot} at one {@link
 * PlacementSnapshot#version() version}, not yet applied: {@link PlacementSnapshot#commit(
 * PlacementPlan)} applies it only while the snapshot is still at that version, so a plan computed
 * before a concurrent event is recomputed, never applied (Nomad's optimistic plan applier).
 *
 * @param version the snapshot version the plan was computed against
 * @param app the app placed
 * @param placement where each instance goes, or why nowhere
 */
public record PlacementPlan(long version, AppDescriptor app, AppPlacement placement) {
  /**
   * Validates the fields.
   *
   * @param version see the record description
   * @param app see the record description
   * @param placement see the record description
   */
  public PlacementPlan {
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(placement, "placement");
  }
}
