package eu.mlsysops.northbound.api;

import java.util.Locale;

/**
 * What a token may do. Roles are ordered: each includes the rights of the ones below it.
 *
 * <ul>
 *   <li>{@link #VIEWER}: read everything;
 *   <li>{@link #DEVELOPER}: also deploy apps, and read and remove its own apps (other developers'
 *       apps are invisible to it);
 *   <li>{@link #ADMIN}: everything, including tokens, policies, infrastructure and the mode.
 * </ul>
 */
public enum Role {
  /** Read only. */
  VIEWER,
  /** Deploys apps; sees and removes only its own. */
  DEVELOPER,
  /** Everything. */
  ADMIN;

  /** The name used in JSON and in {@code tokens.json}: {@code admin}, {@code developer}, {@code viewer}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether this role has at least the rights of {@code required}. */
  public boolean includes(Role required) {
    return compareTo(required) >= 0;
  }

  /**
   * Looks a role up by wire name.
   *
   * @throws IllegalArgumentException naming the roles when there is no such role
   */
  public static Role fromWire(String name) {
    for (Role r : values()) {
      if (r.wireName().equals(name)) {
        return r;
      }
    }
    throw new IllegalArgumentException(
        "\"" + name + "\" is not a role (admin, developer, viewer)");
  }
}
