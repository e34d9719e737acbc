package eu.mlsysops.kubernetes;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import eu.mlsysops.agent.tier.AppStatus;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.protocol.Message;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Mirrors apps as {@code MLSysOpsApp} custom resources, so that {@code kubectl get mlsapp} shows
 * what MLSysOps runs: the descriptor as the resource's body (the reference's top-level fields), and
 * the continuum's view in {@code status}. The agents' own store stays the source of truth; the
 * mirror is rewritten from it.
 */
public final class AppMirror {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String KIND = "MLSysOpsApp";
  private static final ResourceDefinitionContext CONTEXT =
      new ResourceDefinitionContext.Builder()
          .withGroup("mlsysops.eu")
          .withVersion("v1")
          .withKind(KIND)
          .withPlural("mlsysopsapps")
          .withNamespaced(true)
          .build();

  private final KubernetesClient client;
  private final String namespace;

  /**
   * @param client the client
   * @param namespace where the custom resources live
   */
  public AppMirror(KubernetesClient client, String namespace) {
    this.client = Objects.requireNonNull(client, "client");
    this.namespace = Objects.requireNonNull(namespace, "namespace");
  }

  /** The Kubernetes name of an app's custom resource. */
  public static String resourceName(String app) {
    return Names.dnsLabel(app);
  }

  /** Creates or updates the app's resource from its descriptor (the status is left alone). */
  public GenericKubernetesResource apply(AppDescriptor app) {
    Map<String, Object> body;
    try {
      Map<String, Object> doc =
          JSON.readValue(Descriptors.toJson(app), new TypeReference<Map<String, Object>>() {});
      @SuppressWarnings("unchecked")
      Map<String, Object> inner = (Map<String, Object>) doc.get(KIND);
      body = inner;
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot read back the descriptor of " + app.name(), e);
    }
    GenericKubernetesResource r =
        new GenericKubernetesResourceBuilder()
            .withApiVersion(MlsysopsCrds.API_VERSION)
            .withKind(KIND)
            .withNewMetadata()
            .withName(resourceName(app.name()))
            .withNamespace(namespace)
            .addToLabels(Names.MANAGED_BY, Names.MANAGER)
            .addToAnnotations(Names.APP_NAME, app.name())
            .endMetadata()
            .build();
    r.setAdditionalProperties(new LinkedHashMap<>(body));
    GenericKubernetesResource existing = resources().withName(resourceName(app.name())).get();
    if (existing != null && Objects.equals(body, withoutStatus(existing))) {
      return existing;
    }
    return resources().resource(r).createOr(NonDeletingOperation::update);
  }

  /** Writes the continuum's view of the app into the resource's {@code status}. */
  public void updateStatus(AppStatus status, Instant observedAt) {
    Resource<GenericKubernetesResource> res = resources().withName(resourceName(status.name()));
    GenericKubernetesResource current = res.get();
    if (current == null) {
      throw new IllegalStateException(
          "no "
              + KIND
              + " "
              + resourceName(status.name())
              + " in "
              + namespace
              + "; apply it first");
    }
    Map<String, Object> s = statusOf(status);
    @SuppressWarnings("unchecked")
    Map<String, Object> old = (Map<String, Object>) current.getAdditionalProperties().get("status");
    if (old != null && Objects.equals(withoutTime(old), s)) {
      return;
    }
    s.put("observedAt", observedAt.toString());
    current.getAdditionalProperties().put("status", s);
    resources().resource(current).updateStatus();
  }

  /** Deletes the app's resource; false when there was none. */
  public boolean remove(String app) {
    return !resources().withName(resourceName(app)).delete().isEmpty();
  }

  /** The resource of an app, if mirrored. */
  public Optional<GenericKubernetesResource> get(String app) {
    return Optional.ofNullable(resources().withName(resourceName(app)).get());
  }

  /** The names (descriptor names) of every mirrored app. */
  public List<String> mirrored() {
    List<String> out = new ArrayList<>();
    for (GenericKubernetesResource r :
        resources().withLabel(Names.MANAGED_BY, Names.MANAGER).list().getItems()) {
      Map<String, String> a = r.getMetadata().getAnnotations();
      out.add(
          a != null && a.containsKey(Names.APP_NAME)
              ? a.get(Names.APP_NAME)
              : r.getMetadata().getName());
    }
    return out;
  }

  private NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      resources() {
    return client.genericKubernetesResources(CONTEXT).inNamespace(namespace);
  }

  private static Map<String, Object> withoutStatus(GenericKubernetesResource r) {
    Map<String, Object> m = new LinkedHashMap<>(r.getAdditionalProperties());
    m.remove("status");
    return m;
  }

  private static Map<String, Object> withoutTime(Map<String, Object> status) {
    Map<String, Object> m = new LinkedHashMap<>(status);
    m.remove("observedAt");
    return m;
  }

  static Map<String, Object> statusOf(AppStatus status) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("phase", status.phase());
    List<Object> components = new ArrayList<>();
    for (AppStatus.ComponentStatus c : status.components()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", c.name());
      m.put("cluster", c.cluster());
      m.put("desired", c.desired());
      m.put("running", c.running());
      List<Object> instances = new ArrayList<>();
      for (Message.InstanceReport i : c.instances()) {
        Map<String, Object> im = new LinkedHashMap<>();
        im.put("id", i.instanceId());
        im.put("node", i.node());
        im.put("state", i.state());
        im.put("reason", i.reason());
        instances.add(im);
      }
      m.put("instances", instances);
      components.add(m);
    }
    s.put("components", components);
    return s;
  }
}
