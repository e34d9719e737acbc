package eu.mlsysops.kubernetes;

import eu.mlsysops.agent.InstanceIds;
import eu.mlsysops.model.Component;
import eu.mlsysops.model.Container;
import eu.mlsysops.model.EnvVar;
import eu.mlsysops.model.PlatformRequirements;
import eu.mlsysops.model.Port;
import eu.mlsysops.orchestration.InstanceSpec;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NodeAffinityBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns an {@link InstanceSpec} into the pod that runs it and its component's Service. One bare pod
 * per instance, not a Deployment: the agents are the controller (they decide where and how many), a
 * Deployment would fight them, and only bare pods accept every {@code restart_policy}.
 */
final class PodSpecs {
  /** Defined first in every pod so that later values can say {@code $(MLSYSOPS_HOST_IP)}. */
  static final String HOST_IP_VAR = "MLSYSOPS_HOST_IP";

  private static final Pattern PORT_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?");
  private static final Pattern LOOPBACK = Pattern.compile("127\\.0\\.0\\.1|localhost");

  private final String namespace;
  private final Pinning pinning;
  private final String hostnameLabel;

  PodSpecs(String namespace, Pinning pinning, String hostnameLabel) {
    this.namespace = namespace;
    this.pinning = pinning;
    this.hostnameLabel = hostnameLabel;
  }

  static String podName(String instanceId) {
    return Names.dnsLabel(instanceId);
  }

  static String serviceName(String app, String component) {
    return Names.dnsLabel(app + "-" + component);
  }

  /** Labels that select every pod of one component. */
  static Map<String, String> componentSelector(String app, String component) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(Names.MANAGED_BY, Names.MANAGER);
    m.put(Names.APP, Names.labelValue(app));
    m.put(Names.COMPONENT, Names.labelValue(component));
    return m;
  }

  /**
   * The pod of one instance on one node.
   *
   * @throws IllegalArgumentException naming the descriptor field when the component can't run as a
   *     pod (no containers, a container without an image)
   */
  Pod pod(InstanceSpec spec, String node) {
    Component c = spec.component();
    String where = "components[" + spec.componentName() + "]";
    if (c.containers().isEmpty()) {
      throw new IllegalArgumentException(where + ".containers: at least one container is needed");
    }
    Map<String, String> labels = componentSelector(spec.app(), spec.componentName());
    labels.put(Names.NODE, Names.labelValue(node));
    int slot = InstanceIds.slotOf(spec.instanceId());
    labels.put(Names.SLOT, Integer.toString(Math.max(slot, 0)));
    labels.put(Names.GENERATION, Integer.toString(generationOf(spec.instanceId())));
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(Names.INSTANCE_ID, spec.instanceId());
    annotations.put(Names.APP_NAME, spec.app());
    annotations.put(Names.COMPONENT_NAME, spec.componentName());
    annotations.put(Names.NODE_NAME, node);

    PodSpecBuilder pod = new PodSpecBuilder();
    for (int i = 0; i < c.containers().size(); i++) {
      pod.addToContainers(
          container(spec, c.containers().get(i), i, where + ".containers[" + i + "]"));
    }
    pod.withRestartPolicy(c.restartPolicy() == null ? "Always" : c.restartPolicy().wireName());
    if (c.runtimeClassName() != null
        && !c.runtimeClassName().isBlank()
        && !"default".equals(c.runtimeClassName())) {
      pod.withRuntimeClassName(c.runtimeClassName());
    }
    if (c.hostNetwork()) {
      pod.withHostNetwork(true).withDnsPolicy("ClusterFirstWithHostNet");
    }
    switch (pinning) {
      case NODE_NAME -> pod.withNodeName(node);
      case NODE_SELECTOR -> pod.withNodeSelector(Map.of(hostnameLabel, node));
      case NODE_AFFINITY ->
          pod.withNewAffinity()
              .withNodeAffinity(
                  new NodeAffinityBuilder()
                      .withNewRequiredDuringSchedulingIgnoredDuringExecution()
                      .withNodeSelectorTerms(
                          new NodeSelectorTermBuilder()
                              .withMatchExpressions(
                                  new NodeSelectorRequirementBuilder()
                                      .withKey(hostnameLabel)
                                      .withOperator("In")
                                      .withValues(node)
                                      .build())
                              .build())
                      .endRequiredDuringSchedulingIgnoredDuringExecution()
                      .build())
              .endAffinity();
    }
    return new PodBuilder()
        .withNewMetadata()
        .withName(podName(spec.instanceId()))
        .withNamespace(namespace)
        .withLabels(labels)
        .withAnnotations(annotations)
        .endMetadata()
        .withSpec(pod.build())
        .build();
  }

  /** The component's Service, or empty when no container declares a {@code container_port}. */
  Optional<Service> service(String app, Component c) {
    List<ServicePort> ports = new ArrayList<>();
    for (Container container : c.containers()) {
      for (Port p : container.ports()) {
        if (p.containerPort() == null) {
          continue;
        }
        String protocol = p.protocol() == null ? "TCP" : p.protocol();
        String name =
            p.name() != null && PORT_NAME.matcher(p.name()).matches()
                ? p.name()
                : protocol.toLowerCase(java.util.Locale.ROOT) + "-" + p.containerPort();
        ports.add(
            new ServicePortBuilder()
                .withName(name)
                .withPort(p.containerPort())
                .withTargetPort(new IntOrString(p.containerPort()))
                .withProtocol(protocol)
                .build());
      }
    }
    if (ports.isEmpty()) {
      return Optional.empty();
    }
    Map<String, String> labels = componentSelector(app, c.name());
    return Optional.of(
        new ServiceBuilder()
            .withNewMetadata()
            .withName(serviceName(app, c.name()))
            .withNamespace(namespace)
            .withLabels(labels)
            .addToAnnotations(Names.APP_NAME, app)
            .addToAnnotations(Names.COMPONENT_NAME, c.name())
            .endMetadata()
            .withNewSpec()
            .withSelector(labels)
            .withPorts(ports)
            .endSpec()
            .build());
  }

  private static io.fabric8.kubernetes.api.model.Container container(
      InstanceSpec spec, Container c, int index, String where) {
    if (c.image() == null || c.image().isBlank()) {
      throw new IllegalArgumentException(
          where + ".image: a container image is needed on Kubernetes");
    }
    String name = Names.dnsLabel(spec.componentName() + (index == 0 ? "" : "-" + index));
    ContainerBuilder b = new ContainerBuilder().withName(name).withImage(c.image());
    if (!c.command().isEmpty()) {
      b.withCommand(c.command());
    }
    if (c.workingDir() != null) {
      b.withWorkingDir(c.workingDir());
    }
    if (c.imagePullPolicy() != null) {
      b.withImagePullPolicy(c.imagePullPolicy());
    }
    b.withEnv(env(spec, c));
    List<ContainerPort> ports = new ArrayList<>();
    for (Port p : c.ports()) {
      ContainerPortBuilder pb = new ContainerPortBuilder();
      if (p.containerPort() != null) {
        pb.withContainerPort(p.containerPort());
      } else if (p.hostPort() != null) {
        pb.withContainerPort(p.hostPort());
      } else {
        continue;
      }
      if (p.hostPort() != null) {
        pb.withHostPort(p.hostPort());
      }
      if (p.hostIp() != null) {
        pb.withHostIP(p.hostIp());
      }
      if (p.name() != null && PORT_NAME.matcher(p.name()).matches()) {
        pb.withName(p.name());
      }
      pb.withProtocol(p.protocol() == null ? "TCP" : p.protocol());
      ports.add(pb.build());
    }
    b.withPorts(ports);
    PlatformRequirements pr = c.platformRequirements();
    if (pr != null) {
      ResourceRequirementsBuilder r = new ResourceRequirementsBuilder();
      boolean any = false;
      if (pr.cpu() != null && pr.cpu().requests() != null) {
        r.addToRequests("cpu", new Quantity(pr.cpu().requests().toString()));
        any = true;
      }
      if (pr.cpu() != null && pr.cpu().limits() != null) {
        r.addToLimits("cpu", new Quantity(pr.cpu().limits().toString()));
        any = true;
      }
      if (pr.memory() != null && pr.memory().requests() != null) {
        r.addToRequests("memory", new Quantity(pr.memory().requests().toString()));
        any = true;
      }
      if (pr.memory() != null && pr.memory().limits() != null) {
        r.addToLimits("memory", new Quantity(pr.memory().limits().toString()));
        any = true;
      }
      if (pr.gpu() != null) {
        Integer gpus = pr.gpu().limits() != null ? pr.gpu().limits() : pr.gpu().requests();
        if (gpus != null && gpus > 0) {
          // Extended resources are limits only; the device plugin's name is the de-facto standard.
          r.addToLimits("nvidia.com/gpu", new Quantity(gpus.toString()));
          any = true;
        }
      }
      if (any) {
        b.withResources(r.build());
      }
    }
    return b.build();
  }

  /**
   * The pod's environment: the host IP first, then what the runtime adds (loopback addresses there
   * mean "this node's agent", so they become the host IP), then the container's own variables,
   * which win over ours because Kubernetes takes the last of duplicate names.
   */
  private static List<io.fabric8.kubernetes.api.model.EnvVar> env(InstanceSpec spec, Container c) {
    List<io.fabric8.kubernetes.api.model.EnvVar> out = new ArrayList<>();
    out.add(fieldRef(HOST_IP_VAR, "status.hostIP"));
    for (Map.Entry<String, String> e : spec.env().entrySet()) {
      if ("NODE_IP".equals(e.getKey())) {
        out.add(fieldRef("NODE_IP", "status.hostIP"));
      } else {
        String value = LOOPBACK.matcher(e.getValue()).replaceAll("\\$(" + HOST_IP_VAR + ")");
        out.add(new EnvVarBuilder().withName(e.getKey()).withValue(value).build());
      }
    }
    for (EnvVar v : c.env()) {
      if (v.valueFromFieldPath() != null) {
        out.add(fieldRef(v.name(), v.valueFromFieldPath()));
      } else {
        out.add(new EnvVarBuilder().withName(v.name()).withValue(v.value()).build());
      }
    }
    return out;
  }

  private static io.fabric8.kubernetes.api.model.EnvVar fieldRef(String name, String path) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewFieldRef()
        .withFieldPath(path)
        .endFieldRef()
        .endValueFrom()
        .build();
  }

  static int generationOf(String instanceId) {
    int slash = instanceId.lastIndexOf('/');
    String tail = instanceId.substring(slash + 1);
    int dot = tail.indexOf('.');
    if (dot < 0) {
      return 0;
    }
    try {
      return Integer.parseInt(tail.substring(dot + 1));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
