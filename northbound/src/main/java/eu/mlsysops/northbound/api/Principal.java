package eu.mlsysops.northbound.api;

/** Who is calling: the token's name and role. */
record Principal(String name, Role role, boolean allowCommands) {
  /** The caller when authentication is off. */
  static final Principal UNAUTHENTICATED = new Principal("anonymous", Role.ADMIN, true);

  /** A caller whose token does not carry {@code allow_commands}. */
  Principal(String name, Role role) {
    this(name, role, false);
  }

  /**
   * Whether this caller may deploy apps whose containers carry a {@code command} where nodes run
   * instances as local processes: admins, and developers whose token an admin created with {@code
   * allow_commands}.
   */
  boolean mayRunCommands() {
    return role == Role.ADMIN || allowCommands;
  }

  /** Whether this caller may see and remove an app with this owner. */
  boolean mayAccessAppOf(String owner) {
    return role != Role.DEVELOPER || name.equals(owner);
  }
}
