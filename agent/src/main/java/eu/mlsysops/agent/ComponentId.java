package eu.mlsysops.agent;

/**
 * A component of an app: what placement acts on, and the conflict key of its commands.
 *
 * @param app the app's name
 * @param component the component's name within the app
 */
public record ComponentId(String app, String component) {
  public ComponentId {
    app = Ids.required("app", app);
    component = Ids.required("component", component);
  }

  /** Instance {@code slot} of this component. */
  public SlotId slot(int slot) {
    return new SlotId(this, slot);
  }

  @Override
  public String toString() {
    return app + "/" + component;
  }
}
