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
import org.junit.jupiter.api.io.TempDir;

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
  void aProviderInAJarOfThePolicyDirectoryIsFoundToo(@TempDir Path dir) throws Exception {
    Path src = dir.resolve("src/demo/FanProvider.java");
    java.nio.file.Files.createDirectories(src.getParent());
    java.nio.file.Files.writeString(src, """
        package demo;
        import eu.mlsysops.agent.*;
        import java.util.*;
        import java.util.concurrent.*;
        public class FanProvider implements MechanismProvider {
          public String name() { return "fan"; }
          public Set<String> tiers() { return Set.of("node"); }
          public Mechanism create(Context context) {
            return new Mechanism() {
              public String name() { return "fan"; }
              public Map<String, Object> options() { return Map.of("speeds", List.of(0, 1, 2)); }
              public Map<String, Object> state() { return Map.of("speed", 0); }
              public boolean exclusive() { return true; }
              public String conflictKey(Command c) { return "fan"; }
              public CompletionStage<ApplyResult> apply(Command c) {
                return CompletableFuture.completedFuture(ApplyResult.success("ok"));
              }
            };
          }
        }
        """);
    Path classes = dir.resolve("classes");
    java.nio.file.Files.createDirectories(classes);
    int rc = javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d",
        classes.toString(), "-cp", System.getProperty("java.class.path"), src.toString());
    assertThat(rc).isZero();
    Path policies = java.nio.file.Files.createDirectories(dir.resolve("policies"));
    try (var jar = new java.util.jar.JarOutputStream(
        java.nio.file.Files.newOutputStream(policies.resolve("fan.jar")))) {
      try (var files = java.nio.file.Files.list(classes.resolve("demo"))) {
        for (Path f : files.sorted().toList()) { // the provider and its mechanism class
          jar.putNextEntry(new java.util.jar.JarEntry("demo/" + f.getFileName()));
          jar.write(java.nio.file.Files.readAllBytes(f));
        }
      }
      jar.putNextEntry(new java.util.jar.JarEntry(
          "META-INF/services/eu.mlsysops.agent.MechanismProvider"));
      jar.write("demo.FanProvider\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    assertThat(MechanismPlugins.load(getClass().getClassLoader()).namesFor("node"))
        .doesNotContain("fan");
    MechanismPlugins plugins = MechanismPlugins.load(getClass().getClassLoader(), policies);
    assertThat(plugins.namesFor("node")).contains("fan", "lamp");
    List<Mechanism> made = plugins.create(List.of("fan"), List.of("cpu_frequency"),
        context("n1", "node"));
    assertThat(made).singleElement().satisfies(m -> {
      assertThat(m.name()).isEqualTo("fan");
      assertThat(m.options()).containsKey("speeds");
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
