package eu.mlsysops.model;

import java.util.List;

/**
 * A node's {@code power}.
 *
 * @param target targets set by the node owner, or null
 * @param maxConsumption the node's maximum consumption, or null
 * @param grid whether the node is grid powered, or null
 * @param renewable renewable sources
 * @param battery the battery, or null
 */
public record Power(
    PowerTarget target,
    PowerValue maxConsumption,
    Boolean grid,
    List<RenewableSource> renewable,
    Battery battery) {

  /**
   * Copies the list; null becomes an empty list.
   *
   * @param target see the record description
   * @param maxConsumption see the record description
   * @param grid see the record description
   * @param renewable see the record description
   * @param battery see the record description
   */
  public Power {
    renewable = Immutable.list(renewable);
  }
}
