package eu.mlsysops.northbound.api;

/** Who is calling: the token's name and role. */
record Principal(String name, Role role) {
  /** The caller when authentication is off. */
  static final Principal UNAUTHENTICATED = new Principal("anonymous", Role.ADMIN);

  /** Whether this caller may see and remove an app with this owner. */
  boolean mayAccessAppOf(String owner) {
    return role != Role.DEVELOPER || name.equals(owner);
  }
}
