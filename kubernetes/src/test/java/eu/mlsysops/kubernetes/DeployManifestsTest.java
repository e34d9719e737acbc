package eu.mlsysops.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every manifest under {@code deploy/kubernetes/} parses, is consistent, and applies. */
@EnableKubernetesMockClient(crud = true)
class DeployManifestsTest {
  static final Path DIR = Path.of("..", "deploy", "kubernetes");

  // One server and one parse for the class: only allManifestsApplyToAnApiServer writes to it.
  static KubernetesMockServer server;
  static KubernetesClient client;
  static List<HasMetadata> all;

  @BeforeAll
  static void load() throws IOException {
    all = new ArrayList<>();
    for (Path f : manifests()) {
      all.addAll(client.load(new ByteArrayInputStream(Files.readAllBytes(f))).items());
    }
  }

  static List<Path> manifests() throws IOException {
    try (Stream<Path> s = Files.list(DIR)) {
      return s.filter(p -> p.toString().endsWith(".yaml"))
          .filter(p -> !p.getFileName().toString().equals("kustomization.yaml"))
          .sorted()
          .toList();
    }
  }

  @Test
  void everyManifestParsesToTypedObjectsWithoutUnknownFields() throws Exception {
    assertThat(all).hasSizeGreaterThan(15);
    for (HasMetadata o : all) {
      assertThat(o)
          .as(o.getKind() + " " + o.getMetadata().getName())
          .isNotInstanceOf(GenericKubernetesResource.class);
      List<String> unknown = new ArrayList<>();
      unknownFields(o, o.getKind() + "/" + o.getMetadata().getName(), unknown);
      assertThat(unknown).as("fields fabric8 does not know (typos?)").isEmpty();
    }
  }

  @Test
  void kustomizationListsEveryManifest() throws IOException {
    String k = Files.readString(DIR.resolve("kustomization.yaml"));
    for (Path f : manifests()) {
      assertThat(k).contains("- " + f.getFileName());
    }
  }

  @Test
  void allManifestsApplyToAnApiServer() {
    for (HasMetadata o : all) {
      client.resource(o).create();
    }

    assertThat(
            client
                .apps()
                .daemonSets()
                .inNamespace("mlsysops")
                .withName("mlsysops-node-agent")
                .get())
        .isNotNull();
    assertThat(client.apps().deployments().inNamespace("mlsysops").list().getItems())
        .extracting(d -> d.getMetadata().getName())
        .containsExactlyInAnyOrder("mlsysops-continuum", "mlsysops-cluster-agent");
    assertThat(client.apiextensions().v1().customResourceDefinitions().list().getItems())
        .hasSize(5);
    // With the manifests' CRDs in place the runtime has nothing left to install.
    assertThat(MlsysopsCrds.installMissing(client)).isEmpty();
  }

  @Test
  void crdManifestIsWhatTheRuntimeInstalls() {
    List<CustomResourceDefinition> inFile = of(CustomResourceDefinition.class);
    assertThat(inFile)
        .containsExactlyInAnyOrderElementsOf(
            MlsysopsCrds.definitions(client.getKubernetesSerialization()));
  }

  @Test
  void agentsRunMlsAgentWithTheirTiersConfigFileAndMountWhatTheyReference() {
    Map<String, String> tierOf =
        Map.of(
            "mlsysops-continuum",
            "continuum",
            "mlsysops-cluster-agent",
            "cluster",
            "mlsysops-node-agent",
            "node");
    List<String> configMaps =
        of(ConfigMap.class).stream().map(c -> c.getMetadata().getName()).toList();
    List<String> secrets = of(Secret.class).stream().map(c -> c.getMetadata().getName()).toList();
    List<String> accounts =
        of(ServiceAccount.class).stream().map(c -> c.getMetadata().getName()).toList();
    ConfigMap config =
        of(ConfigMap.class).stream()
            .filter(c -> c.getMetadata().getName().equals("mlsysops-config"))
            .findFirst()
            .orElseThrow();
    for (var e : tierOf.entrySet()) {
      PodTemplateSpec t = template(e.getKey());
      Container c = t.getSpec().getContainers().get(0);
      assertThat(c.getCommand())
          .as(e.getKey())
          .containsExactly("mls", "agent", e.getValue(), "--config", "/etc/mlsysops/config.yaml");
      assertThat(accounts).contains(t.getSpec().getServiceAccountName());
      Volume cfg =
          t.getSpec().getVolumes().stream()
              .filter(v -> v.getName().equals("config"))
              .findFirst()
              .orElseThrow();
      assertThat(cfg.getConfigMap().getItems().get(0).getKey()).isEqualTo(e.getValue() + ".yaml");
      assertThat(config.getData()).containsKey(e.getValue() + ".yaml");
      for (Volume v : t.getSpec().getVolumes()) {
        if (v.getConfigMap() != null) {
          assertThat(configMaps).contains(v.getConfigMap().getName());
        }
        if (v.getSecret() != null) {
          assertThat(secrets).contains(v.getSecret().getSecretName());
        }
      }
      List<String> volumes = t.getSpec().getVolumes().stream().map(Volume::getName).toList();
      assertThat(c.getVolumeMounts()).allSatisfy(m -> assertThat(volumes).contains(m.getName()));
    }
    assertThat(template("mlsysops-node-agent").getSpec().getContainers().get(0).getEnv())
        .anySatisfy(
            v -> {
              assertThat(v.getName()).isEqualTo("MLS_NAME");
              assertThat(v.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("spec.nodeName");
            });
  }

  @Test
  void servicesSelectTheirAgentsAndNameTheirPorts() {
    for (Service s : of(Service.class)) {
      PodTemplateSpec t = template(s.getSpec().getSelector().get("app.kubernetes.io/name"));
      assertThat(t.getMetadata().getLabels()).containsAllEntriesOf(s.getSpec().getSelector());
      List<String> named =
          t.getSpec().getContainers().stream()
              .flatMap(c -> c.getPorts().stream())
              .map(p -> p.getName())
              .toList();
      assertThat(s.getSpec().getPorts())
          .allSatisfy(p -> assertThat(named).contains(p.getTargetPort().getStrVal()));
    }
    assertThat(ports("mlsysops-continuum")).contains(8080, 4317, 4318, 7400);
    assertThat(ports("mlsysops-cluster-agent")).contains(4317, 4318, 7401);
    assertThat(ports("mlsysops-node-agent")).contains(4317, 4318);
  }

  @Test
  void theClusterRoleAllowsWhatTheRuntimeDoes() {
    ClusterRole role = of(ClusterRole.class).get(0);
    assertThat(allows(role, "", "pods", "create")).isTrue();
    assertThat(allows(role, "", "pods", "delete")).isTrue();
    assertThat(allows(role, "", "pods", "watch")).isTrue();
    assertThat(allows(role, "", "services", "update")).isTrue();
    assertThat(allows(role, "", "nodes", "watch")).isTrue();
    assertThat(allows(role, "apiextensions.k8s.io", "customresourcedefinitions", "create"))
        .isTrue();
    assertThat(allows(role, "mlsysops.eu", "mlsysopsapps/status", "update")).isTrue();
    assertThat(allows(role, "policy.karmada.io", "propagationpolicies", "update")).isTrue();
    assertThat(allows(role, "", "secrets", "get")).isFalse();
    ClusterRoleBinding b = of(ClusterRoleBinding.class).get(0);
    assertThat(b.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
    assertThat(b.getSubjects().get(0).getName()).isEqualTo("mlsysops-agent");
  }

  static boolean allows(ClusterRole role, String group, String resource, String verb) {
    for (PolicyRule r : role.getRules()) {
      boolean g = r.getApiGroups().contains(group);
      boolean res = r.getResources().contains(resource) || r.getResources().contains("*");
      if (g && res && (r.getVerbs().contains(verb) || r.getVerbs().contains("*"))) {
        return true;
      }
    }
    return false;
  }

  static List<Integer> ports(String service) {
    return of(Service.class).stream()
        .filter(s -> s.getMetadata().getName().equals(service))
        .findFirst()
        .orElseThrow()
        .getSpec()
        .getPorts()
        .stream()
        .map(p -> p.getPort())
        .toList();
  }

  static PodTemplateSpec template(String name) {
    for (HasMetadata o : all) {
      if (o.getMetadata().getName().equals(name)) {
        if (o instanceof Deployment d) {
          return d.getSpec().getTemplate();
        }
        if (o instanceof DaemonSet d) {
          return d.getSpec().getTemplate();
        }
      }
    }
    throw new AssertionError("no workload " + name);
  }

  static <T> List<T> of(Class<T> type) {
    return all.stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** Walks fabric8 model objects: anything in additionalProperties was not a known field. */
  static void unknownFields(Object o, String path, List<String> out) throws Exception {
    if (o == null) {
      return;
    }
    if (o instanceof Collection<?> c) {
      int i = 0;
      for (Object e : c) {
        unknownFields(e, path + "[" + i++ + "]", out);
      }
      return;
    }
    if (o instanceof Map<?, ?> m) {
      for (var e : m.entrySet()) {
        unknownFields(e.getValue(), path + "." + e.getKey(), out);
      }
      return;
    }
    if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    boolean schema = o.getClass().getSimpleName().equals("JSONSchemaProps");
    for (Method m : o.getClass().getMethods()) {
      if (m.getParameterCount() != 0
          || !m.getName().startsWith("get")
          || m.getName().equals("getClass")) {
        continue;
      }
      Object v = m.invoke(o);
      if (m.getName().equals("getAdditionalProperties")) {
        if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
          out.add(path + ": " + extra.keySet());
        }
      } else if (!(schema && m.getName().equals("getDefault"))) {
        unknownFields(v, path + "." + m.getName().substring(3), out);
      }
    }
  }
}
