package eu.mlsysops.kubernetes;

import eu.mlsysops.agent.ApplyResult;
import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.InstanceIds;
import eu.mlsysops.agent.Mechanism;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.orchestration.InstanceSpec;
import eu.mlsysops.orchestration.InstanceState;
import eu.mlsysops.orchestration.InstanceStatus;
import eu.mlsysops.orchestration.SpecChange;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A cluster agent's mechanism that acts on Kubernetes directly, like the reference's Fluidity.
 * Actions (all with {@code app} and {@code component}; {@code slot} defaults to 0):
 *
 * <ul>
 *   <li>{@code deploy node=N} (or {@code host=N}): run the slot's instance on N; done when it runs;
 *   <li>{@code move to=N} (or {@code target_host=N}; optional {@code from}/{@code src_host}): start
 *       a new instance on N, wait until it is ready, then delete the old one, so the component
 *       never runs fewer instances than it asked for; if the new one fails, it is removed and the
 *       old one kept;
 *   <li>{@code remove}: delete the slot's instance, or every instance of the component without
 *       {@code slot};
 *   <li>{@code change_spec} with any of {@code image}, {@code runtime_class_name}, {@code
 *       cpu_requests}, {@code cpu_limits}, {@code memory_requests}, {@code memory_limits} (and
 *       {@code container}, default 0): replaces the slot's instance (or each instance in turn) with
 *       one of the new spec on the same node, new first, old deleted once the new one is ready.
 *       Later deploys of the component use the new spec.
 * </ul>
 *
 * Multi-instance: commands for different components run in parallel, for one component in order.
 */
public final class KubernetesMechanism implements Mechanism {
  /** The name plans use, as in the reference. */
  public static final String NAME = "fluidity";

  private final KubernetesWorkloads workloads;
  private final Function<String, Optional<AppDescriptor>> apps;
  private final Duration readyTimeout;
  private final Clock clock;

  /** Spec changes per {@code app/component}, per container index. */
  private final Map<String, Map<Integer, SpecChange>> changes = new ConcurrentHashMap<>();

  /**
   * @param workloads the cluster-wide workloads (started)
   * @param apps finds an app's descriptor by name
   * @param readyTimeout how long a new instance may take to become ready before a deploy, move or
   *     change_spec gives up (with a retriable failure)
   * @param clock measures how long actions took, for the result's reason
   */
  public KubernetesMechanism(
      KubernetesWorkloads workloads,
      Function<String, Optional<AppDescriptor>> apps,
      Duration readyTimeout,
      Clock clock) {
    this.workloads = Objects.requireNonNull(workloads, "workloads");
    this.apps = Objects.requireNonNull(apps, "apps");
    this.readyTimeout = Objects.requireNonNull(readyTimeout, "readyTimeout");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Map<String, Object> options() {
    return Map.of(
        "actions",
        List.of("deploy", "move", "remove", "change_spec"),
        "change_spec",
        SpecChange.ARGS);
  }

  @Override
  public Map<String, Object> state() {
    Map<String, Object> byState = new LinkedHashMap<>();
    for (InstanceState s : InstanceState.values()) {
      byState.put(
          s.name().toLowerCase(java.util.Locale.ROOT),
          workloads.instances().stream().filter(i -> i.state() == s).count());
    }
    return Map.of("namespace", workloads.namespace(), "instances", byState);
  }

  @Override
  public boolean exclusive() {
    return false;
  }

  @Override
  public String conflictKey(Command c) {
    return c.arg("app", "") + "/" + c.arg("component", "");
  }

  @Override
  public CompletionStage<ApplyResult> apply(Command c) {
    try {
      String app = required(c, "app");
      String component = required(c, "component");
      return switch (c.action()) {
        case "deploy" -> deploy(app, component, slot(c), node(c, "node", "host"));
        case "move" -> move(app, component, slot(c), node(c, "to", "target_host"), from(c));
        case "remove" -> remove(app, component, c.args().containsKey("slot") ? slot(c) : -1);
        case "change_spec" ->
            changeSpec(
                app,
                component,
                c.args().containsKey("slot") ? slot(c) : -1,
                SpecChange.parse(c.args()));
        default ->
            done(
                ApplyResult.failure(
                    NAME
                        + " has no action \""
                        + c.action()
                        + "\" (deploy, move, remove, change_spec)"));
      };
    } catch (IllegalArgumentException e) {
      return done(ApplyResult.failure(e.getMessage()));
    }
  }

  private CompletionStage<ApplyResult> deploy(String app, String component, int slot, String node) {
    Component spec = component(app, component);
    Optional<InstanceStatus> current = current(app, component, slot);
    if (current.isPresent()) {
      InstanceStatus s = current.get();
      if (node.equals(s.node())) {
        return awaitReady(s.instanceId())
            .thenApply(r -> ok(r, s.instanceId() + " runs on " + node));
      }
      return done(
          ApplyResult.failure(
              app
                  + "/"
                  + component
                  + " slot "
                  + slot
                  + " already runs on "
                  + s.node()
                  + " (use move)"));
    }
    String id = InstanceIds.of(app, component, slot, nextGeneration(app, component, slot));
    long t0 = clock.millis();
    return startAndAwait(app, id, spec, node)
        .thenApply(r -> ok(r, "deployed " + id + " on " + node + " in " + since(t0)));
  }

  private CompletionStage<ApplyResult> move(
      String app, String component, int slot, String to, String from) {
    Component spec = component(app, component);
    Optional<InstanceStatus> current = current(app, component, slot);
    if (current.isEmpty()) {
      return done(ApplyResult.failure(app + "/" + component + " slot " + slot + " runs nowhere"));
    }
    InstanceStatus old = current.get();
    if (from != null && !from.equals(old.node())) {
      return done(
          ApplyResult.failure(
              app
                  + "/"
                  + component
                  + " slot "
                  + slot
                  + " runs on "
                  + old.node()
                  + ", not "
                  + from));
    }
    if (to.equals(old.node())) {
      return done(ApplyResult.success(old.instanceId() + " already runs on " + to));
    }
    return replace(app, old, spec, to, "moved");
  }

  private CompletionStage<ApplyResult> remove(String app, String component, int slot) {
    List<InstanceStatus> targets =
        live(app, component).stream()
            .filter(s -> slot < 0 || InstanceIds.slotOf(s.instanceId()) == slot)
            .toList();
    CompletableFuture<?>[] stops =
        targets.stream()
            .map(s -> workloads.stop(s.instanceId()).toCompletableFuture())
            .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(stops)
        .handle(
            (v, e) ->
                e != null
                    ? ApplyResult.retriable("remove failed: " + root(e))
                    : ApplyResult.success(
                        "removed "
                            + targets.size()
                            + " instance(s) of "
                            + app
                            + "/"
                            + component
                            + (slot < 0 ? "" : " slot " + slot)));
  }

  private CompletionStage<ApplyResult> changeSpec(
      String app, String component, int slot, SpecChange change) {
    String key = app + "/" + component;
    Map<Integer, SpecChange> byContainer = new TreeMap<>(changes.getOrDefault(key, Map.of()));
    byContainer.merge(change.container(), change, SpecChange::then);
    SpecChange merged = byContainer.get(change.container());
    Component base =
        apps.apply(app)
            .flatMap(a -> a.component(component))
            .orElseThrow(() -> new IllegalArgumentException("no component " + key + " is known"));
    Component updated = withChanges(base, byContainer);
    changes.put(key, Map.copyOf(byContainer));
    List<InstanceStatus> targets =
        live(app, component).stream()
            .filter(s -> slot < 0 || InstanceIds.slotOf(s.instanceId()) == slot)
            .sorted(Comparator.comparing(InstanceStatus::instanceId))
            .toList();
    // One instance at a time: the component never has fewer ready instances than before.
    CompletionStage<ApplyResult> chain = done(ApplyResult.success(""));
    List<String> done = new ArrayList<>();
    for (InstanceStatus s : targets) {
      chain =
          chain.thenCompose(
              prev -> {
                if (!prev.isSuccess()) {
                  return done(prev);
                }
                return replace(app, s, updated, s.node(), "replaced")
                    .thenApply(
                        r -> {
                          if (r.isSuccess()) {
                            done.add(s.instanceId());
                          }
                          return r;
                        });
              });
    }
    return chain.thenApply(
        r ->
            r.isSuccess()
                ? ApplyResult.success(
                    "changed spec of " + key + " (" + merged.describe() + "); replaced " + done)
                : r);
  }

  /** Starts a new generation of {@code old}'s slot on {@code node}, then stops {@code old}. */
  private CompletionStage<ApplyResult> replace(
      String app, InstanceStatus old, Component spec, String node, String verb) {
    int slot = InstanceIds.slotOf(old.instanceId());
    String id = InstanceIds.of(app, spec.name(), slot, nextGeneration(app, spec.name(), slot));
    long t0 = clock.millis();
    return startAndAwait(app, id, spec, node)
        .thenCompose(
            started -> {
              if (!started.isSuccess()) {
                return done(
                    new ApplyResult(
                        started.outcome(),
                        started.reason() + "; " + old.instanceId() + " kept on " + old.node()));
              }
              return workloads
                  .stop(old.instanceId())
                  .handle(
                      (v, e) ->
                          e != null
                              ? ApplyResult.retriable(
                                  id
                                      + " runs on "
                                      + node
                                      + " but stopping "
                                      + old.instanceId()
                                      + " failed: "
                                      + root(e))
                              : ApplyResult.success(
                                  verb
                                      + " "
                                      + old.instanceId()
                                      + " ("
                                      + old.node()
                                      + ") to "
                                      + id
                                      + " ("
                                      + node
                                      + ") in "
                                      + since(t0)));
            });
  }

  /** Starts an instance and waits until it is ready; on failure the new instance is removed. */
  private CompletionStage<ApplyResult> startAndAwait(
      String app, String id, Component spec, String node) {
    InstanceSpec is =
        new InstanceSpec(app, id, spec, KubernetesEnv.forInstance(app, spec.name(), id, node));
    return workloads
        .start(is, node)
        .thenCompose(s -> awaitReady(id))
        .exceptionally(
            e -> ApplyResult.failure("cannot start " + id + " on " + node + ": " + root(e)))
        .thenCompose(r -> r.isSuccess() ? done(r) : workloads.stop(id).handle((v, e) -> r));
  }

  private CompletionStage<ApplyResult> awaitReady(String id) {
    return workloads
        .awaitRunning(id, readyTimeout)
        .handle(
            (s, e) -> {
              if (e == null) {
                return ApplyResult.success(id + " is running");
              }
              Throwable cause =
                  e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
              if (cause instanceof TimeoutException) {
                return ApplyResult.retriable(id + " was not ready within " + readyTimeout);
              }
              return ApplyResult.failure(root(cause));
            });
  }

  private Component component(String app, String component) {
    Component c =
        apps.apply(app)
            .flatMap(a -> a.component(component))
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "no component " + app + "/" + component + " is known"));
    return withChanges(c, changes.getOrDefault(app + "/" + component, Map.of()));
  }

  private static Component withChanges(Component c, Map<Integer, SpecChange> byContainer) {
    for (SpecChange change : byContainer.values()) {
      c = change.applyTo(c);
    }
    return c;
  }

  private List<InstanceStatus> live(String app, String component) {
    return workloads.instances().stream()
        .filter(s -> app.equals(s.app()) && component.equals(s.component()))
        .filter(s -> !s.state().isTerminal())
        .toList();
  }

  /** The slot's newest live instance. */
  private Optional<InstanceStatus> current(String app, String component, int slot) {
    return live(app, component).stream()
        .filter(s -> InstanceIds.slotOf(s.instanceId()) == slot)
        .max(Comparator.comparingInt(s -> PodSpecs.generationOf(s.instanceId())));
  }

  private int nextGeneration(String app, String component, int slot) {
    return workloads.instances().stream()
            .filter(s -> app.equals(s.app()) && component.equals(s.component()))
            .filter(s -> InstanceIds.slotOf(s.instanceId()) == slot)
            .mapToInt(s -> PodSpecs.generationOf(s.instanceId()))
            .max()
            .orElse(-1)
        + 1;
  }

  private static ApplyResult ok(ApplyResult r, String reason) {
    return r.isSuccess() ? ApplyResult.success(reason) : r;
  }

  private String since(long t0) {
    return (clock.millis() - t0) + " ms";
  }

  private static String required(Command c, String key) {
    String v = c.args().get(key);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(NAME + " " + c.action() + " needs " + key);
    }
    return v;
  }

  private static String node(Command c, String key, String alias) {
    String v = c.args().getOrDefault(key, c.args().get(alias));
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(NAME + " " + c.action() + " needs " + key);
    }
    return v;
  }

  private static String from(Command c) {
    String v = c.args().getOrDefault("from", c.args().get("src_host"));
    return v == null || v.isBlank() ? null : v;
  }

  private static int slot(Command c) {
    String v = c.arg("slot", "0");
    try {
      int slot = Integer.parseInt(v);
      if (slot < 0) {
        throw new NumberFormatException();
      }
      return slot;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          NAME + " " + c.action() + ": slot: \"" + v + "\" is not a slot number");
    }
  }

  private static String root(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  private static CompletionStage<ApplyResult> done(ApplyResult r) {
    return CompletableFuture.completedFuture(r);
  }
}
