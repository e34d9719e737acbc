package eu.mlsysops.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Multi-cluster: writes a Karmada {@code PropagationPolicy} per app that sends the app's {@code
 * MLSysOpsApp} resource to the member clusters the continuum chose, where each cluster's agent
 * takes it from there (its components' pods are made in the member cluster, not propagated). The
 * client talks to the Karmada API server; Karmada's types are written as generic resources, so no
 * Karmada client library is needed.
 */
public final class KarmadaPropagation {
  /** API version of Karmada's policies. */
  public static final String API_VERSION = "policy.karmada.io/v1alpha1";

  static final String KIND = "PropagationPolicy";
  // Explicit, so that writing a policy needs no API discovery.
  private static final ResourceDefinitionContext CONTEXT =
      new ResourceDefinitionContext.Builder()
          .withGroup("policy.karmada.io")
          .withVersion("v1alpha1")
          .withKind(KIND)
          .withPlural("propagationpolicies")
          .withNamespaced(true)
          .build();

  private final KubernetesClient client;
  private final String namespace;

  /**
   * @param client a client of the Karmada API server
   * @param namespace the namespace of the apps' resources (policies are namespaced with them)
   */
  public KarmadaPropagation(KubernetesClient client, String namespace) {
    this.client = Objects.requireNonNull(client, "client");
    this.namespace = Objects.requireNonNull(namespace, "namespace");
  }

  /** The name of an app's policy. */
  public static String policyName(String app) {
    return Names.dnsLabel("mlsysops-" + app);
  }

  /**
   * Creates or updates the app's policy so that it propagates to exactly {@code clusters}; an
   * unchanged policy is not written again.
   *
   * @throws IllegalArgumentException when {@code clusters} is empty (remove the policy instead)
   */
  public GenericKubernetesResource propagate(String app, List<String> clusters) {
    if (clusters.isEmpty()) {
      throw new IllegalArgumentException("clusters: at least one cluster is needed for " + app);
    }
    List<String> sorted = new ArrayList<>(new TreeSet<>(clusters));
    Map<String, Object> spec = new LinkedHashMap<>();
    List<Object> selectors = new ArrayList<>();
    selectors.add(
        Map.of(
            "apiVersion", MlsysopsCrds.API_VERSION,
            "kind", AppMirror.KIND,
            "name", AppMirror.resourceName(app)));
    spec.put("resourceSelectors", selectors);
    spec.put("placement", Map.of("clusterAffinity", Map.of("clusterNames", sorted)));
    GenericKubernetesResource existing = resources().withName(policyName(app)).get();
    if (existing != null && spec.equals(existing.getAdditionalProperties().get("spec"))) {
      return existing;
    }
    GenericKubernetesResource policy =
        new GenericKubernetesResourceBuilder()
            .withApiVersion(API_VERSION)
            .withKind(KIND)
            .withNewMetadata()
            .withName(policyName(app))
            .withNamespace(namespace)
            .addToLabels(Names.MANAGED_BY, Names.MANAGER)
            .addToAnnotations(Names.APP_NAME, app)
            .endMetadata()
            .build();
    policy.setAdditionalProperty("spec", spec);
    return resources().resource(policy).createOr(NonDeletingOperation::update);
  }

  /** The clusters an app's policy propagates to, if it has one. */
  public Optional<List<String>> clustersOf(String app) {
    GenericKubernetesResource p = resources().withName(policyName(app)).get();
    if (p == null) {
      return Optional.empty();
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) p.getAdditionalProperties().get("spec");
    @SuppressWarnings("unchecked")
    Map<String, Object> placement = (Map<String, Object>) spec.get("placement");
    @SuppressWarnings("unchecked")
    Map<String, Object> affinity = (Map<String, Object>) placement.get("clusterAffinity");
    @SuppressWarnings("unchecked")
    List<String> names = (List<String>) affinity.get("clusterNames");
    return Optional.of(List.copyOf(names));
  }

  /** Deletes the app's policy; false when there was none. */
  public boolean remove(String app) {
    return !resources().withName(policyName(app)).delete().isEmpty();
  }

  /** Apps (descriptor names) that have a policy written by MLSysOps. */
  public List<String> propagated() {
    List<String> out = new ArrayList<>();
    for (GenericKubernetesResource r :
        resources().withLabel(Names.MANAGED_BY, Names.MANAGER).list().getItems()) {
      Map<String, String> a = r.getMetadata().getAnnotations();
      if (a != null && a.containsKey(Names.APP_NAME)) {
        out.add(a.get(Names.APP_NAME));
      }
    }
    return out;
  }

  private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<
          GenericKubernetesResource,
          io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
          io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>>
      resources() {
    return client.genericKubernetesResources(CONTEXT).inNamespace(namespace);
  }
}
