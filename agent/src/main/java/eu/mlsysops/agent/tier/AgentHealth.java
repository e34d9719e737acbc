package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.engine.PolicyEngine;
import eu.mlsysops.agent.engine.PolicyStatus;
import eu.mlsysops.agent.plan.PlanRecord;
import eu.mlsysops.agent.plan.PlanScheduler;
import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricMetadata;
import eu.mlsysops.telemetry.MetricMetadata.MetricType;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.Sample;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * An agent's own health as metrics in its own store, so that they are queried, charted and scraped
 * ({@code /metrics}) like any other telemetry: plans by outcome, plans in flight, policy analyses,
 * errors and time spent, the store's series and drops, and what the uplink dropped. They stay in
 * the agent's store and are not sent up.
 */
final class AgentHealth {
  private static final Map<String, MetricMetadata> METRICS = Map.ofEntries(
      Map.entry("mls_plans_total", new MetricMetadata(MetricType.COUNTER, "1",
          "Plans that reached a final status, by status")),
      Map.entry("mls_plans_active", new MetricMetadata(MetricType.GAUGE, "1",
          "Plans queued or running in the plan scheduler")),
      Map.entry("mls_policy_analyses_total", new MetricMetadata(MetricType.COUNTER, "1",
          "Analyses run, by policy")),
      Map.entry("mls_policy_plans_total", new MetricMetadata(MetricType.COUNTER, "1",
          "Non-empty plans submitted, by policy")),
      Map.entry("mls_policy_errors_total", new MetricMetadata(MetricType.COUNTER, "1",
          "Exceptions thrown by a policy")),
      Map.entry("mls_policy_analysis_seconds_total", new MetricMetadata(MetricType.COUNTER, "s",
          "Time spent analysing and planning, by policy")),
      Map.entry("mls_telemetry_series", new MetricMetadata(MetricType.GAUGE, "1",
          "Time series held in the agent's metric store")),
      Map.entry("mls_telemetry_bytes", new MetricMetadata(MetricType.GAUGE, "By",
          "Estimated memory held by the agent's metric store")),
      Map.entry("mls_telemetry_dropped_total", new MetricMetadata(MetricType.COUNTER, "1",
          "Samples the metric store refused or later dropped to stay in its bounds, by reason"
              + " (budget refusals also by app and instance)")),
      Map.entry("mls_uplink_dropped_total", new MetricMetadata(MetricType.COUNTER, "1",
          "Samples not sent to the parent because an interval's bounds were reached")),
      Map.entry("mls_ml_failed_predictions_total", new MetricMetadata(MetricType.COUNTER, "1",
          "Predictions asked by policies that got no answer (no such model, features that do not"
              + " fit, a model that failed or gave no number)")));

  private final Labels labels;
  private final MetricStore store;
  private final PolicyEngine engine;
  private final PlanScheduler scheduler;
  private final LongSupplier uplinkDropped;
  /** The ML Connector's failed predictions, where it lives (the continuum); else null. */
  private final LongSupplier mlFailures;
  private final Map<String, AtomicLong> plansByStatus = new ConcurrentHashMap<>();
  /**
   * Label sets by added name and value, built once: a label set the store has seen finds its
   * series without a lookup, and thousands of node agents record every few seconds.
   */
  private final Map<String, Labels> derived = new ConcurrentHashMap<>();
  private final Map<MetricStore.BudgetSource, Labels> bySource = new ConcurrentHashMap<>();

  AgentHealth(String agent, String tier, MetricStore store, PolicyEngine engine,
      PlanScheduler scheduler, LongSupplier uplinkDropped, LongSupplier mlFailures) {
    this.labels = Labels.of("agent", agent, "tier", tier);
    this.mlFailures = mlFailures;
    this.store = store;
    this.engine = engine;
    this.scheduler = scheduler;
    this.uplinkDropped = uplinkDropped;
    METRICS.forEach(store::describe);
  }

  /** Counts a plan that reached a final status. */
  void planFinished(PlanRecord r) {
    if (r.status().isTerminal()) {
      plansByStatus.computeIfAbsent(r.status().name().toLowerCase(Locale.ROOT),
          k -> new AtomicLong()).incrementAndGet();
    }
  }

  /** Appends the current figures, timestamped {@code nowMillis}. */
  void record(long nowMillis) {
    plansByStatus.forEach((status, n) ->
        put("mls_plans_total", with("status", status), nowMillis, n.get()));
    put("mls_plans_active", labels, nowMillis, scheduler.active().size());
    for (PolicyStatus p : engine.status()) {
      Labels l = with("policy", p.name());
      put("mls_policy_analyses_total", l, nowMillis, p.analyses());
      put("mls_policy_plans_total", l, nowMillis, p.plans());
      put("mls_policy_errors_total", l, nowMillis, p.errors());
      put("mls_policy_analysis_seconds_total", l, nowMillis, p.analysisSeconds());
    }
    MetricStore.Stats s = store.stats();
    put("mls_telemetry_series", labels, nowMillis, s.series());
    put("mls_telemetry_bytes", labels, nowMillis, s.bytesUsed());
    // Budget refusals are refusals of new series too: counted once, under their own reasons.
    put("mls_telemetry_dropped_total", with("reason", "series_limit"), nowMillis,
        Math.max(0, s.rejected() - store.rejectedOverAppBudget()
            - store.rejectedOverInstanceBudget()));
    put("mls_telemetry_dropped_total", with("reason", "not_finite"), nowMillis,
        s.droppedNonFinite());
    put("mls_telemetry_dropped_total", with("reason", "out_of_order"), nowMillis,
        s.droppedOutOfOrder());
    put("mls_telemetry_dropped_total", with("reason", "evicted"), nowMillis,
        s.evicted());
    // Budget refusals by source, labelled with its app (and instance): each tenant sees its own.
    store.refusedBySource().forEach((source, n) ->
        put("mls_telemetry_dropped_total", bySource(source), nowMillis, n));
    put("mls_uplink_dropped_total", labels, nowMillis, uplinkDropped.getAsLong());
    if (mlFailures != null) {
      put("mls_ml_failed_predictions_total", labels, nowMillis, mlFailures.getAsLong());
    }
  }

  private Labels bySource(MetricStore.BudgetSource source) {
    if (bySource.size() > 10_000) {
      bySource.clear(); // bounded by the store's room anyway; never let it grow without bound
    }
    return bySource.computeIfAbsent(source, s -> s.instance() == null
        ? labels.with("reason", "app_budget").with("app", s.app())
        : labels.with("reason", "instance_budget").with("app", s.app())
            .with("instance", s.instance()));
  }

  private Labels with(String name, String value) {
    if (derived.size() > 1_000) {
      derived.clear(); // policies come and go by name; never let that grow without bound
    }
    return derived.computeIfAbsent(name + '=' + value, k -> labels.with(name, value));
  }

  private void put(String metric, Labels l, long ts, double value) {
    store.append(new Sample(metric, l, ts, value));
  }
}
