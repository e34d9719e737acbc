package eu.mlsysops.agent.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.orchestration.SpecChange;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster's own changes to its components: counts and spec changes, kept and dropped. */
class ComponentOverridesTest {
  @TempDir Path dir;

  private static final AppDescriptor WEB = TierFixture.web("web", "{lost_after: 10s}");
  private static final AppDescriptor WEB_V3 = TierFixture.app("""
      MLSysOpsApp:
        name: web
        components:
          - metadata: {name: web}
            containers:
              - image: registry.local/web:3
      """);

  private static Component web(AppDescriptor a) {
    return a.component("web").orElseThrow();
  }

  private static String image(AppDescriptor a) {
    return web(a).containers().get(0).image();
  }

  @Test
  void effectiveDescriptorCarriesCountSpecAndTheAppsOwnSettings() {
    ComponentOverrides o = new ComponentOverrides();
    o.setInstances("web", "web", 4);
    o.changeSpec("web", web(WEB), SpecChange.parse(Map.of("image", "registry.local/web:2")));
    o.changeSpec("web", web(WEB), SpecChange.parse(Map.of("cpu_requests", "750m")));

    AppDescriptor e = o.effective(WEB);

    assertThat(image(e)).isEqualTo("registry.local/web:2");
    assertThat(web(e).containers().get(0).platformRequirements().cpu().requests().toString())
        .isEqualTo("750m");
    assertThat(web(e).nodePlacement().scaling().instances()).isEqualTo(4);
    assertThat(e.disconnect()).isEqualTo(WEB.disconnect());
    assertThat(o.specChange("web", "web", 0).describe())
        .isEqualTo("image=registry.local/web:2, cpu_requests=750m");
  }

  @Test
  void aChangeThatDoesNotFitLeavesTheEarlierOnesAlone() {
    ComponentOverrides o = new ComponentOverrides();
    o.changeSpec("web", web(WEB), SpecChange.parse(Map.of("image", "registry.local/web:2")));

    assertThatThrownBy(() -> o.changeSpec("web", web(WEB),
        SpecChange.parse(Map.of("container", "3", "image", "x"))))
        .hasMessage("change_spec: container: 3 but web has 1 container(s)");
    assertThat(image(o.effective(WEB))).isEqualTo("registry.local/web:2");
  }

  @Test
  void aNewDescriptorFromTheUserDropsSpecChangesButKeepsTheCount() {
    ComponentOverrides o = new ComponentOverrides();
    o.setInstances("web", "web", 4);
    o.changeSpec("web", web(WEB), SpecChange.parse(Map.of("image", "registry.local/web:2")));

    assertThat(o.retain(Map.of("web", WEB), Map.of("web", WEB))).isEmpty();
    assertThat(image(o.effective(WEB))).isEqualTo("registry.local/web:2");

    assertThat(o.retain(Map.of("web", WEB), Map.of("web", WEB_V3)))
        .containsExactly(new String[] {"web", "web"});
    assertThat(image(o.effective(WEB_V3))).isEqualTo("registry.local/web:3");
    assertThat(web(o.effective(WEB_V3)).nodePlacement().scaling().instances()).isEqualTo(4);

    assertThat(o.retain(Map.of("web", WEB_V3), Map.of())).hasSize(1);
    assertThat(o.row("web", "web")).isNull();
  }

  @Test
  void aSpecChangeWithoutACountComesBackWithoutACount() {
    ComponentOverrides o = new ComponentOverrides();
    o.changeSpec("web", web(WEB), SpecChange.parse(Map.of("image", "registry.local/web:2")));
    try (ClusterStore s = new ClusterStore(dir.resolve("c.db"))) {
      s.putOverrides("web", "web", o.row("web", "web"));
    }

    ComponentOverrides back = new ComponentOverrides();
    try (ClusterStore s = new ClusterStore(dir.resolve("c.db"))) {
      back.restore(s.overrides());
    }

    assertThat(back.row("web", "web").instances()).isNull();
    assertThat(web(back.effective(WEB)).instances()).isEqualTo(2);
  }

  @Test
  void overridesSurviveReopeningTheClusterStore() {
    ComponentOverrides o = new ComponentOverrides();
    o.setInstances("web", "web", 3);
    o.changeSpec("web", web(WEB), SpecChange.parse(Map.of("image", "registry.local/web:2",
        "memory_limits", "1Gi")));
    try (ClusterStore s = new ClusterStore(dir.resolve("c.db"))) {
      s.putOverrides("web", "web", o.row("web", "web"));
      s.putOverrides("gone", "x", new ComponentOverrides.Row("gone", "x", 1, java.util.List.of()));
      s.putOverrides("gone", "x", null);
    }

    ComponentOverrides back = new ComponentOverrides();
    try (ClusterStore s = new ClusterStore(dir.resolve("c.db"))) {
      back.restore(s.overrides());
    }

    assertThat(back.row("web", "web")).isEqualTo(o.row("web", "web"));
    assertThat(back.row("gone", "x")).isNull();
    AppDescriptor e = back.effective(WEB);
    assertThat(image(e)).isEqualTo("registry.local/web:2");
    assertThat(web(e).containers().get(0).platformRequirements().memory().limits().toString())
        .isEqualTo("1Gi");
    assertThat(web(e).nodePlacement().scaling().instances()).isEqualTo(3);
  }
}
