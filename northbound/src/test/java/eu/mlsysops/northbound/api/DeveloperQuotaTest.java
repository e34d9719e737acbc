package eu.mlsysops.northbound.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.ParseOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeveloperQuotaTest {
  private static AppDescriptor app(String name, int instances, String cpu, String memory) {
    return Descriptors.parse("MLSysOpsApp:\n  name: " + name + "\n  components:\n"
        + "    - metadata: {name: c}\n"
        + "      node_placement: {scaling: {scaling_mode: manual, instances: " + instances + "}}\n"
        + "      containers:\n        - image: i\n          platform_requirements:\n"
        + "            cpu: {requests: \"" + cpu + "\"}\n"
        + "            memory: {requests: \"" + memory + "\"}\n", "t.yaml", ParseOptions.DEFAULT)
        .ofType(AppDescriptor.class).get(0);
  }

  @Test
  void parsesWhatIsGivenAndKeepsTheDefaultsOfTheRest() {
    DeveloperQuota q = DeveloperQuota.parse("apps=3, cpu=2, memory=1Gi");
    assertThat(q).isEqualTo(new DeveloperQuota(3, 1_000, 1_000, 2_000, 1L << 30));
    assertThatThrownBy(() -> DeveloperQuota.parse("disks=3"))
        .hasMessageContaining("\"disks\" is not a quota");
    assertThatThrownBy(() -> DeveloperQuota.parse("apps=many")).hasMessageStartingWith("apps:");
    assertThatThrownBy(() -> DeveloperQuota.parse("cpu=0")).hasMessageStartingWith("cpu:");
    assertThatThrownBy(() -> DeveloperQuota.parse("memory=lots"))
        .hasMessageStartingWith("memory:");
  }

  @Test
  void countsEveryAppOfTheDeveloperTogetherAndNamesTheQuotaItWouldPass() {
    DeveloperQuota q = new DeveloperQuota(2, 3, 10, 1_000, 1L << 30);
    AppDescriptor small = app("a", 2, "100m", "64Mi");
    q.check("dev", small, List.of());
    assertThatThrownBy(() -> q.check("dev", small, List.of(app("b", 1, "1m", "1Mi"),
        app("c", 1, "1m", "1Mi"))))
        .isInstanceOf(ApiProblem.class).hasMessageStartingWith("quota apps: dev would have 3");
    assertThatThrownBy(() -> q.check("dev", app("d", 6, "1m", "1Mi"),
        List.of(app("b", 5, "1m", "1Mi"))))
        .hasMessageStartingWith("quota instances: dev's apps would ask for 11 instances");
    assertThatThrownBy(() -> q.check("dev", app("d", 3, "400m", "1Mi"), List.of()))
        .hasMessageStartingWith("quota cpu: dev's apps would request 1200m CPU; the quota is"
            + " 1000m");
    assertThatThrownBy(() -> q.check("dev", app("d", 3, "1m", "512Mi"), List.of()))
        .hasMessageStartingWith("quota memory: dev's apps would request 1536 MiB");
    // Components count too (one 3,000-component app once filled a cluster).
    DeveloperQuota few = DeveloperQuota.parse("components=2");
    assertThatThrownBy(() -> few.check("dev", app("x", 1, "1m", "1Mi"),
        List.of(app("y", 1, "1m", "1Mi"), app("z", 1, "1m", "1Mi"))))
        .hasMessageStartingWith("quota components: dev's apps would have 3 components; the quota"
            + " is 2");
  }
}
