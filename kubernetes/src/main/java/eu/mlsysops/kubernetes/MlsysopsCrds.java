package eu.mlsysops.kubernetes;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceSubresourcesBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code mlsysops.eu/v1} CustomResourceDefinitions: the reference's five CRDs (shipped in the
 * model jar) with the corrections the parser also applies (a top-level {@code name} in every
 * schema; the node CRD's {@code production} moved from inside {@code renewable[].name}, where no
 * API server accepts it, to beside it), and one addition to {@code MLSysOpsApp}: a {@code status}
 * subresource whose content is kept as written (the reference CRD declares no status, so an API
 * server would prune it).
 */
public final class MlsysopsCrds {
  /** API group and version of the custom resources. */
  public static final String API_VERSION = "mlsysops.eu/v1";

  private static final String DIR = "/eu/mlsysops/model/crds/";
  private static final List<String> FILES =
      List.of(
          "MLSysOpsApplication.yaml",
          "MLSysOpsNode.yaml",
          "MLSysOpsCluster.yaml",
          "MLSysOpsContinuum.yaml",
          "MLSysOpsDatacenter.yaml");

  private MlsysopsCrds() {}

  /** The five CRDs as installed (the app's with its status subresource). */
  public static List<CustomResourceDefinition> definitions(KubernetesSerialization serialization) {
    List<CustomResourceDefinition> out = new ArrayList<>();
    for (String file : FILES) {
      CustomResourceDefinition crd;
      try (InputStream in = MlsysopsCrds.class.getResourceAsStream(DIR + file)) {
        if (in == null) {
          throw new IllegalStateException("missing resource " + DIR + file);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> raw = serialization.unmarshal(in, Map.class);
        correct(raw);
        crd = serialization.convertValue(raw, CustomResourceDefinition.class);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if ("MLSysOpsApp".equals(crd.getSpec().getNames().getKind())) {
        withStatus(crd);
      }
      out.add(crd);
    }
    return out;
  }

  /**
   * Creates the CRDs the cluster does not have; leaves existing ones alone (an operator may have
   * installed a newer version).
   *
   * @return the names of the CRDs created
   */
  public static List<String> installMissing(KubernetesClient client) {
    List<String> created = new ArrayList<>();
    var crds = client.apiextensions().v1().customResourceDefinitions();
    for (CustomResourceDefinition crd : definitions(client.getKubernetesSerialization())) {
      String name = crd.getMetadata().getName();
      if (crds.withName(name).get() == null) {
        crds.resource(crd).create();
        created.add(name);
      }
    }
    return created;
  }

  /** The CRDs as one multi-document YAML, for {@code deploy/kubernetes/}. */
  public static String manifest(KubernetesSerialization serialization) {
    StringBuilder b = new StringBuilder();
    for (CustomResourceDefinition crd : definitions(serialization)) {
      b.append(serialization.asYaml(crd));
    }
    return b.toString();
  }

  /** The corrections of {@code eu.mlsysops.model.Variants#correctSchema}, on the raw CRD. */
  @SuppressWarnings("unchecked")
  private static void correct(Map<String, Object> crd) {
    Map<String, Object> spec = (Map<String, Object>) crd.get("spec");
    for (Object v : (List<Object>) spec.get("versions")) {
      Map<String, Object> schema =
          (Map<String, Object>)
              ((Map<String, Object>) ((Map<String, Object>) v).get("schema"))
                  .get("openAPIV3Schema");
      Map<String, Object> props = (Map<String, Object>) schema.get("properties");
      if (props == null) {
        continue;
      }
      props.putIfAbsent("name", new LinkedHashMap<>(Map.of("type", "string")));
      Map<String, Object> renewable =
          path(props, "power", "properties", "renewable", "items", "properties");
      Map<String, Object> name =
          renewable == null ? null : (Map<String, Object>) renewable.get("name");
      if (name != null && name.containsKey("production")) {
        renewable.put("production", name.remove("production"));
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> path(Map<String, Object> m, String... keys) {
    Object at = m;
    for (String k : keys) {
      if (!(at instanceof Map<?, ?> map)) {
        return null;
      }
      at = map.get(k);
    }
    return at instanceof Map<?, ?> ? (Map<String, Object>) at : null;
  }

  private static void withStatus(CustomResourceDefinition crd) {
    for (CustomResourceDefinitionVersion v : crd.getSpec().getVersions()) {
      v.setSubresources(
          new CustomResourceSubresourcesBuilder().withNewStatus().endStatus().build());
      JSONSchemaProps root = v.getSchema().getOpenAPIV3Schema();
      Map<String, JSONSchemaProps> props =
          root.getProperties() == null
              ? new LinkedHashMap<>()
              : new LinkedHashMap<>(root.getProperties());
      props.put(
          "status",
          new JSONSchemaPropsBuilder()
              .withType("object")
              .withXKubernetesPreserveUnknownFields(true)
              .withDescription(
                  "Set by MLSysOps: phase, and per component its cluster and instances.")
              .build());
      root.setProperties(props);
    }
  }

  /** Prints the CRD manifest: {@code java -cp ... eu.mlsysops.kubernetes.MlsysopsCrds}. */
  public static void main(String[] args) {
    System.out.print(manifest(new KubernetesSerialization()));
  }
}
