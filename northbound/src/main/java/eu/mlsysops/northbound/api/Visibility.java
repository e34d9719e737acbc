package eu.mlsysops.northbound.api;

import eu.mlsysops.agent.tier.AgentEvent;
import eu.mlsysops.telemetry.Labels;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * What one caller may see of the apps in the continuum. Tenants are isolated: a developer sees
 * only their own apps' plans, events, instances and telemetry; instances of other tenants appear
 * in node and cluster views only as anonymous usage (state, no names). Admins and viewers see
 * everything. One per request (owners are looked up once each), or {@link #live} for a stream
 * that outlives apps.
 */
final class Visibility {
  /** The label of series that belong to an app. */
  static final String APP_LABEL = "app";
  /** What an instance of another tenant is called in views. */
  static final String HIDDEN = "(another tenant)";

  private final Principal who;
  private final Function<String, String> ownerOf;
  /** Owners looked up so far; null: look up every time (apps come and go during a stream). */
  private final Map<String, Boolean> seen;

  /**
   * @param ownerOf the owner of an app (null when it has none, e.g. removed)
   */
  Visibility(Principal who, Function<String, String> ownerOf) {
    this(who, ownerOf, new HashMap<>());
  }

  private Visibility(Principal who, Function<String, String> ownerOf, Map<String, Boolean> seen) {
    this.who = Objects.requireNonNull(who);
    this.ownerOf = Objects.requireNonNull(ownerOf);
    this.seen = seen;
  }

  /** For a long-lived stream: owners are looked up at each question, never remembered. */
  static Visibility live(Principal who, Function<String, String> ownerOf) {
    return new Visibility(who, ownerOf, null);
  }

  /** For internal readers that see everything. */
  static Visibility everything() {
    return new Visibility(Principal.UNAUTHENTICATED, app -> null);
  }

  /** Whether this caller sees every tenant (admins, viewers). */
  boolean all() {
    return who.role() != Role.DEVELOPER;
  }

  /**
   * Whether this caller may see what concerns {@code app}; for developers, nothing that concerns
   * no app (infrastructure plans and events may name other tenants' instances).
   */
  boolean app(String app) {
    if (all()) {
      return true;
    }
    if (app == null || app.isEmpty()) {
      return false;
    }
    return seen == null ? who.name().equals(ownerOf.apply(app))
        : seen.computeIfAbsent(app, a -> who.name().equals(ownerOf.apply(a)));
  }

  boolean event(AgentEvent e) {
    return all() || app(NorthboundEvents.appOf(e));
  }

  /** Whether a series is visible: one without an {@code app} label is the infrastructure's. */
  boolean series(Labels labels) {
    String app = labels.get(APP_LABEL);
    return all() || app == null || app(app);
  }

  /** An instance in a node view, its names hidden when it is another tenant's. */
  Map<String, Object> instance(Map<String, Object> instance) {
    if (app((String) instance.get("app"))) {
      return instance;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", HIDDEN);
    m.put("app", HIDDEN);
    m.put("component", HIDDEN);
    m.put("state", instance.get("state"));
    return m;
  }
}
