package eu.mlsysops.agent.tier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.model.NodePlacement;
import eu.mlsysops.model.Scaling;
import eu.mlsysops.orchestration.SpecChange;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What the cluster's own decisions changed in its components, over the descriptors the continuum
 * sent: instance counts the autoscaler set ({@code placement scale}) and spec changes ({@code
 * placement change_spec}: image, runtime class, CPU and memory). Policies and nodes see the
 * effective descriptor, so placement follows a new count or new requests the way it follows a new
 * descriptor. Stored with the cluster's state so that a restart keeps them; a spec change is
 * dropped when the continuum sends a different descriptor for that component (the user's new
 * intent wins over the agent's adaptation), a count is kept.
 *
 * <p>Not thread-safe on its own: the cluster agent calls it under its lock.
 */
final class ComponentOverrides {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One component's overrides as stored: the count (or null) and spec changes as arguments. */
  record Row(String app, String component, Integer instances, List<Map<String, String>> specs) {
    String specsJson() {
      try {
        return JSON.writeValueAsString(specs);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }

    static List<Map<String, String>> specsFrom(String json) {
      try {
        return JSON.readValue(json, new TypeReference<List<Map<String, String>>>() {});
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("stored spec changes no longer parse: " + e.getMessage(),
            e);
      }
    }
  }

  private static final class Entry {
    Integer instances;
    /** By container index. */
    final Map<Integer, SpecChange> specs = new TreeMap<>();

    boolean isEmpty() {
      return instances == null && specs.isEmpty();
    }
  }

  /** app → component → overrides. */
  private final Map<String, Map<String, Entry>> entries = new HashMap<>();

  /** Reloads stored rows. */
  void restore(List<Row> rows) {
    for (Row r : rows) {
      Entry e = entry(r.app(), r.component());
      e.instances = r.instances();
      for (Map<String, String> args : r.specs()) {
        SpecChange c = SpecChange.parse(args);
        e.specs.put(c.container(), c);
      }
    }
  }

  /** Sets a count; false when it was that already. */
  boolean setInstances(String app, String component, int instances) {
    Entry e = entry(app, component);
    Integer before = e.instances;
    e.instances = instances;
    return before == null || before != instances;
  }

  /**
   * Records a spec change over the earlier ones of the same container and answers the component
   * as it now is.
   *
   * @throws IllegalArgumentException naming the argument when the change does not fit {@code
   *     base} (no such container, requests above limits); nothing is recorded then
   */
  Component changeSpec(String app, Component base, SpecChange change) {
    Map<Integer, SpecChange> next = new TreeMap<>(specsOf(app, base.name()));
    next.merge(change.container(), change, SpecChange::then);
    Component updated = apply(base, next);
    Entry e = entry(app, base.name());
    e.specs.clear();
    e.specs.putAll(next);
    return updated;
  }

  /** The merged change of one container, for messages. */
  SpecChange specChange(String app, String component, int container) {
    return specsOf(app, component).get(container);
  }

  /** The stored form of one component's overrides (null when it has none). */
  Row row(String app, String component) {
    Entry e = entries.getOrDefault(app, Map.of()).get(component);
    if (e == null || e.isEmpty()) {
      return null;
    }
    return new Row(app, component, e.instances,
        e.specs.values().stream().map(SpecChange::args).toList());
  }

  /**
   * Forgets apps and components no longer here and spec changes of components whose descriptor
   * changed.
   *
   * @param before the descriptors in force until now
   * @param next the descriptors in force from now on
   * @return the components (as {@code app/component}) whose overrides changed, to store again
   */
  List<String[]> retain(Map<String, AppDescriptor> before, Map<String, AppDescriptor> next) {
    List<String[]> changed = new ArrayList<>();
    for (var byApp = entries.entrySet().iterator(); byApp.hasNext(); ) {
      var app = byApp.next();
      AppDescriptor n = next.get(app.getKey());
      AppDescriptor b = before.get(app.getKey());
      for (var byComponent = app.getValue().entrySet().iterator(); byComponent.hasNext(); ) {
        var c = byComponent.next();
        Component now = n == null ? null : n.component(c.getKey()).orElse(null);
        if (now == null) {
          byComponent.remove();
          changed.add(new String[] {app.getKey(), c.getKey()});
          continue;
        }
        Component was = b == null ? null : b.component(c.getKey()).orElse(null);
        if (!c.getValue().specs.isEmpty() && !now.equals(was)) {
          c.getValue().specs.clear();
          changed.add(new String[] {app.getKey(), c.getKey()});
          if (c.getValue().isEmpty()) {
            byComponent.remove();
          }
        }
      }
      if (app.getValue().isEmpty()) {
        byApp.remove();
      }
    }
    return changed;
  }

  /** The descriptor with the counts and spec changes set here. */
  AppDescriptor effective(AppDescriptor app) {
    Map<String, Entry> m = entries.get(app.name());
    if (m == null || m.isEmpty()) {
      return app;
    }
    List<Component> cs = new ArrayList<>();
    for (Component c : app.components()) {
      cs.add(effective(c, m.get(c.name())));
    }
    return app.withComponents(cs);
  }

  private static Component effective(Component c, Entry e) {
    if (e == null) {
      return c;
    }
    Component out = apply(c, e.specs);
    return e.instances == null ? out : withInstances(out, e.instances);
  }

  private Map<Integer, SpecChange> specsOf(String app, String component) {
    Entry e = entries.getOrDefault(app, Map.of()).get(component);
    return e == null ? Map.of() : e.specs;
  }

  private Entry entry(String app, String component) {
    return entries.computeIfAbsent(Objects.requireNonNull(app), k -> new LinkedHashMap<>())
        .computeIfAbsent(Objects.requireNonNull(component), k -> new Entry());
  }

  private static Component apply(Component c, Map<Integer, SpecChange> specs) {
    for (SpecChange s : specs.values()) {
      c = s.applyTo(c);
    }
    return c;
  }

  static Component withInstances(Component c, int n) {
    NodePlacement p = c.nodePlacement();
    Scaling s = p == null ? null : p.scaling();
    Scaling scaled = new Scaling(s == null ? "auto" : s.scalingMode(), n,
        s == null ? null : s.scalingCriteria());
    NodePlacement np = p == null
        ? new NodePlacement(List.of(), scaled, null, List.of(), null)
        : new NodePlacement(p.continuumLayer(), scaled, p.mobile(), p.labels(), p.node());
    return new Component(c.metadata(), np, c.dependsOn(), c.runtimeConfiguration(), c.sensors(),
        c.qosMetrics(), c.storage(), c.dataSensitivity(), c.dataCriticality(),
        c.externalComponent(), c.externalAccess(), c.hostNetwork(), c.runtimeClassName(),
        c.restartPolicy(), c.os(), c.nodeType(), c.containerRuntime(), c.containers(),
        c.qosWarmup());
  }
}
