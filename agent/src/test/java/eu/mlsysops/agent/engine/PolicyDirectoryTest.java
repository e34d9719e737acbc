package eu.mlsysops.agent.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.Sample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyDirectoryTest {
  @TempDir Path dir;
  private final EngineFixture f = new EngineFixture();

  @AfterEach
  void tearDown() {
    f.close();
  }

  static String groovyPolicy(String name, String threshold) {
    return """
        import eu.mlsysops.agent.*
        import java.time.Duration

        class %1$sPolicy implements Policy<Double> {
          PolicyContext initialize() {
            PolicyContext.builder("%1$s").metrics("m").analyzeInterval(Duration.ofHours(1)).build()
          }
          Optional<Double> analyze(PolicyView view) {
            double seen = view.telemetry().latest("m", [:]).orElse(0)
            seen > %2$s ? Optional.of(seen) : Optional.empty()
          }
          Plan plan(PolicyView view, Double seen) {
            Plan.of(Command.of("knob", "set", "by", "%1$s", "v", seen as String), "over %2$s", [:])
          }
        }
        """.formatted(name, threshold);
  }

  private void write(String file, String text) throws IOException {
    Path p = dir.resolve(file);
    Files.writeString(p, text);
    // Make every rewrite visible to the stamp check even within one clock tick.
    Files.setLastModifiedTime(p, FileTime.fromMillis(System.currentTimeMillis() + text.length()));
  }

  @Test
  void droppedInGroovyPolicyRunsAndDeletedOneStops() throws IOException {
    PolicyDirectory pd = new PolicyDirectory(dir, f.engine);
    write("policy-hot.groovy", groovyPolicy("hot", "10"));
    pd.scan();

    assertThat(pd.loaded()).containsKey("policy-hot.groovy");
    f.store.append(new Sample("m", Labels.EMPTY, 1, 50));
    await().atMost(10, TimeUnit.SECONDS).until(() -> !f.applied.isEmpty());
    assertThat(f.applied.get(0).args()).containsEntry("by", "hot");

    Files.delete(dir.resolve("policy-hot.groovy"));
    pd.scan();
    assertThat(f.engine.status()).isEmpty();
  }

  @Test
  void changedFileIsReloaded() throws IOException {
    PolicyDirectory pd = new PolicyDirectory(dir, f.engine);
    write("policy-a.groovy", groovyPolicy("a", "1000"));
    pd.scan();
    f.store.append(new Sample("m", Labels.EMPTY, 1, 50));
    await().during(200, TimeUnit.MILLISECONDS).atMost(2, TimeUnit.SECONDS).until(f.applied::isEmpty);

    write("policy-a.groovy", groovyPolicy("a", "10"));
    pd.scan();
    f.store.append(new Sample("m", Labels.EMPTY, 2, 60));
    await().atMost(10, TimeUnit.SECONDS).until(() -> !f.applied.isEmpty());
  }

  @Test
  void brokenFileIsReportedAndDoesNotAffectOthers() throws IOException {
    PolicyDirectory pd = new PolicyDirectory(dir, f.engine);
    write("policy-good.groovy", groovyPolicy("good", "10"));
    write("policy-bad.groovy", "class Oops implements eu.mlsysops.agent.Policy { this is not groovy");
    write("policy-nopolicy.groovy", "class Plain { }");
    pd.scan();

    assertThat(pd.loaded()).containsOnlyKeys("policy-good.groovy");
    // Where, without the server's path to the file.
    assertThat(pd.errors().get("policy-bad.groovy")).startsWith("does not compile: line 1, column ")
        .doesNotContain(dir.toString()).doesNotContain(" | ");
    assertThat(pd.errors().get("policy-nopolicy.groovy"))
        .isEqualTo("no class in policy-nopolicy.groovy implements eu.mlsysops.agent.Policy");

    // Fixing the broken file loads it.
    write("policy-bad.groovy", groovyPolicy("fixed", "10"));
    pd.scan();
    assertThat(pd.loaded()).containsKeys("policy-good.groovy", "policy-bad.groovy");
    assertThat(pd.errors()).doesNotContainKey("policy-bad.groovy");
  }

  @Test
  void brokenFileIsTriedOnceUntilItChanges() throws IOException {
    System.clearProperty("mls.test.inits");
    PolicyDirectory pd = new PolicyDirectory(dir, f.engine);
    write("policy-throws.groovy", """
        import eu.mlsysops.agent.*
        class Throws implements Policy<Void> {
          PolicyContext initialize() {
            int n = Integer.getInteger("mls.test.inits", 0) + 1
            System.setProperty("mls.test.inits", n as String)
            throw new IllegalStateException("not configured")
          }
          Optional<Void> analyze(PolicyView v) { Optional.empty() }
          Plan plan(PolicyView v, Void nothing) { Plan.empty() }
        }
        """);
    pd.scan();
    pd.scan();
    pd.scan();

    assertThat(Integer.getInteger("mls.test.inits")).isEqualTo(1);
    assertThat(pd.errors().get("policy-throws.groovy"))
        .contains("initialize() failed: IllegalStateException: not configured");
  }

  @Test
  void fileCannotReplaceAPolicyOfTheSameName() throws IOException {
    f.engine.add(() -> new PolicyEngineTest.Threshold(), "built-in");
    PolicyDirectory pd = new PolicyDirectory(dir, f.engine);
    write("policy-clash.groovy", groovyPolicy("threshold", "1"));
    pd.scan();

    assertThat(pd.errors().get("policy-clash.groovy"))
        .isEqualTo("policy-clash.groovy: a policy named \"threshold\" is already loaded from"
            + " built-in; choose another name");
    assertThat(f.engine.status()).extracting(PolicyStatus::source).containsExactly("built-in");
  }

  @Test
  void compiledPolicyJarIsFoundThroughServiceLoader() throws Exception {
    Path src = dir.resolve("src/demo/JarPolicy.java");
    Files.createDirectories(src.getParent());
    Files.writeString(src, """
        package demo;
        import eu.mlsysops.agent.*;
        import java.time.Duration;
        import java.util.Map;
        import java.util.Optional;
        public class JarPolicy implements Policy<Double> {
          public PolicyContext initialize() {
            return PolicyContext.builder("from-jar").metrics("m").analyzeInterval(Duration.ofHours(1)).build();
          }
          public Optional<Double> analyze(PolicyView v) {
            double m = v.telemetry().latest("m", Map.of()).orElse(0);
            return m > 10 ? Optional.of(m) : Optional.empty();
          }
          public Plan plan(PolicyView v, Double m) {
            return Plan.of(Command.of("knob", "set", "by", "jar"), "jar policy", Map.of());
          }
        }
        """);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    Path classes = dir.resolve("classes");
    Files.createDirectories(classes);
    int rc = javac.run(null, null, null, "-d", classes.toString(), "-cp",
        System.getProperty("java.class.path"), src.toString());
    assertThat(rc).isZero();
    Path policies = dir.resolve("policies");
    Files.createDirectories(policies);
    try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(policies.resolve("my.jar")))) {
      jar.putNextEntry(new JarEntry("demo/JarPolicy.class"));
      jar.write(Files.readAllBytes(classes.resolve("demo/JarPolicy.class")));
      jar.putNextEntry(new JarEntry("META-INF/services/eu.mlsysops.agent.Policy"));
      jar.write("demo.JarPolicy\n".getBytes());
    }
    PolicyDirectory pd = new PolicyDirectory(policies, f.engine);
    pd.scan();

    assertThat(pd.loaded()).containsEntry("my.jar", java.util.List.of("from-jar"));
    f.store.append(new Sample("m", Labels.EMPTY, 1, 50));
    await().atMost(10, TimeUnit.SECONDS).until(() -> !f.applied.isEmpty());
    assertThat(f.applied.get(0).args()).containsEntry("by", "jar");
  }

  @Test
  void pollingPicksUpNewFilesWithoutAnExplicitScan() throws IOException {
    PolicyDirectory pd = new PolicyDirectory(dir, f.engine);
    pd.start(f.timers, 100);
    write("policy-late.groovy", groovyPolicy("late", "10"));
    await().atMost(10, TimeUnit.SECONDS).until(() -> pd.loaded().containsKey("policy-late.groovy"));
    pd.close();
    assertThat(f.engine.status()).isEmpty();
  }
}
