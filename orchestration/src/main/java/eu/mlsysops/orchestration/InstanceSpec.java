package eu.mlsysops.orchestration;

import eu.mlsysops.model.Component;
import java.util.Map;
import java.util.Objects;

/**
 * What to run: one instance of one component of one app.
 *
 * @param app the app name
 * @param instanceId unique and stable across restarts of the agent (e.g. {@code app/component/0})
 * @param component the component's descriptor (containers, requirements, QoS metrics)
 * @param env environment the runtime adds for the instance (telemetry endpoint, node IP, …)
 */
public record InstanceSpec(String app, String instanceId, Component component, Map<String, String> env) {
  public InstanceSpec {
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(component, "component");
    env = Map.copyOf(env);
  }

  /** The component's name. */
  public String componentName() {
    return component.name();
  }
}
