package eu.mlsysops.agent;

/**
 * Instance ids are {@code app/component/slot} for a slot's first instance and {@code
 * app/component/slot.generation} after it moved: stable across agent restarts, unique across moves,
 * and they say which replica (slot) an instance serves.
 */
public final class InstanceIds {
  private InstanceIds() {}

  /** The id of generation {@code gen} of a slot. */
  public static String of(String app, String component, int slot, int gen) {
    return app + "/" + component + "/" + slot + (gen == 0 ? "" : "." + gen);
  }

  /** The slot index of an instance id, or -1 when the id is not of this form. */
  public static int slotOf(String instanceId) {
    int slash = instanceId.lastIndexOf('/');
    if (slash < 0) {
      return -1;
    }
    String tail = instanceId.substring(slash + 1);
    int dot = tail.indexOf('.');
    try {
      return Integer.parseInt(dot < 0 ? tail : tail.substring(0, dot));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
