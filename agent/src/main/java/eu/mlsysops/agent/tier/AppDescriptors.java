package eu.mlsysops.agent.tier;

import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Cuts app descriptors down to the components a lower tier is responsible for. */
final class AppDescriptors {
  private AppDescriptors() {}

  /** The app with only {@code components}; interactions between dropped components go too. */
  static AppDescriptor withComponents(AppDescriptor app, List<Component> components) {
    Set<String> names = components.stream().map(Component::name).collect(Collectors.toSet());
    return new AppDescriptor(app.name(), app.clusterPlacement(), app.singleNode(), components,
        app.componentInteractions().stream()
            .filter(i -> names.contains(i.componentName1()) || names.contains(i.componentName2()))
            .toList(),
        app.permittedActions(), app.globalSatisfaction(), app.disconnect(), app.qosWarmup());
  }

  /** An app of just these components, for node agents that know only what they run. */
  static AppDescriptor withComponents(String app, List<Component> components) {
    return new AppDescriptor(app, null, List.of(), components, List.of(), List.of(), null);
  }
}
