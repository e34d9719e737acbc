package eu.mlsysops.agent.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.mlsysops.agent.ApplyResult;
import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.Mechanism;
import eu.mlsysops.agent.MechanismProvider;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class MechanismPluginsTest {
  /** Listed in src/test/resources/META-INF/services/eu.mlsysops.agent.MechanismProvider. */
  public static final class LampProvider implements MechanismProvider {
    @Override
    public String name() {
      return "lamp";
    }

    @Override
    public Set<String> tiers() {
      return Set.of("node");
    }

    @Override
    public Mechanism create(Context context) {
      if (context.agent().equals("dark")) {
        throw new IllegalStateException("no lamp on this host");
      }
      return new Mechanism() {
        @Override
        public String name() {
          return "lamp";
        }

        @Override
        public Map<String, Object> options() {
          return Map.of("actions", List.of("on", "off"));
        }

        @Override
        public Map<String, Object> state() {
          return Map.of("agent", context.agent());
        }

        @Override
        public boolean exclusive() {
          return true;
        }

        @Override
        public String conflictKey(Command c) {
          return "lamp";
        }

        @Override
        public CompletionStage<ApplyResult> apply(Command c) {
          return CompletableFuture.completedFuture(ApplyResult.success(c.action()));
        }
      };
    }
  }

  private static MechanismProvider.Context context(String agent, String tier) {
    return new MechanismProvider.Context(agent, tier, Path.of("."), Clock.systemUTC(),
        name -> Optional.empty());
  }

  @Test
  void providersOnTheClassPathMakeTheMechanismsAConfigurationNames() {
    MechanismPlugins plugins = MechanismPlugins.load(getClass().getClassLoader());

    assertThat(plugins.namesFor("node")).contains("lamp");
    assertThat(plugins.namesFor("cluster")).doesNotContain("lamp");
    List<Mechanism> made = plugins.create(List.of("cpu_frequency", "lamp"),
        List.of("cpu_frequency"), context("n1", "node"));
    assertThat(made).singleElement().satisfies(m -> {
      assertThat(m.name()).isEqualTo("lamp");
      assertThat(m.state()).containsEntry("agent", "n1");
    });
  }

  @Test
  void anUnknownOrMisplacedMechanismOrOneThatCannotStartIsRefusedNamingTheSetting() {
    MechanismPlugins plugins = MechanismPlugins.load(getClass().getClassLoader());

    assertThatThrownBy(() -> plugins.create(List.of("teleport"), List.of("cpu_frequency"),
        context("n1", "node")))
        .hasMessageStartingWith("mechanisms: \"teleport\" is not a mechanism of a node agent"
            + " (cpu_frequency, lamp");
    assertThatThrownBy(() -> plugins.create(List.of("lamp"), List.of("placement"),
        context("c1", "cluster")))
        .hasMessageStartingWith("mechanisms: \"lamp\" is not a mechanism of a cluster agent");
    assertThatThrownBy(() -> plugins.create(List.of("lamp"), List.of(), context("dark", "node")))
        .hasMessage("mechanisms: lamp cannot start: no lamp on this host");
  }
}
