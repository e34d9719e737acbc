package eu.mlsysops.kubernetes;

import eu.mlsysops.agent.tier.AppStatus;
import eu.mlsysops.agent.tier.ContinuumAgent;
import eu.mlsysops.model.AppDescriptor;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps Kubernetes in step with the continuum agent: every app mirrored as an {@code MLSysOpsApp}
 * with its status, and (multi-cluster) a Karmada {@code PropagationPolicy} naming the clusters its
 * components were assigned to. Idempotent: each round compares and writes only what changed, and
 * removes the mirrors and policies of apps that are gone.
 */
public final class ContinuumKubernetesSync {
  private static final Logger LOG = LoggerFactory.getLogger(ContinuumKubernetesSync.class);

  private final AppMirror mirror;
  private final KarmadaPropagation karmada;
  private final Clock clock;

  /**
   * What one round did.
   *
   * @param mirrored apps whose resource exists after the round
   * @param propagated app → clusters written in a policy
   * @param removed apps whose resource or policy was deleted
   * @param errors one line per app that could not be synced (retried next round)
   */
  public record Round(
      List<String> mirrored,
      java.util.Map<String, List<String>> propagated,
      List<String> removed,
      List<String> errors) {}

  /**
   * @param mirror writes the {@code MLSysOpsApp} resources
   * @param karmada writes the policies, or null for a single cluster
   * @param clock stamps {@code status.observedAt}
   */
  public ContinuumKubernetesSync(AppMirror mirror, KarmadaPropagation karmada, Clock clock) {
    this.mirror = Objects.requireNonNull(mirror, "mirror");
    this.karmada = karmada;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** One round from the continuum agent's state. */
  public Round reconcile(ContinuumAgent continuum) {
    return reconcile(continuum.apps(), continuum::descriptor);
  }

  /** One round: never throws for one app's failure; it is reported and retried next round. */
  public Round reconcile(
      List<AppStatus> apps, Function<String, Optional<AppDescriptor>> descriptors) {
    List<String> mirrored = new ArrayList<>();
    java.util.Map<String, List<String>> propagated = new java.util.LinkedHashMap<>();
    List<String> removed = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    Set<String> live = new HashSet<>();
    for (AppStatus status : apps) {
      live.add(status.name());
      try {
        Optional<AppDescriptor> d = descriptors.apply(status.name());
        if (d.isEmpty()) {
          continue;
        }
        mirror.apply(d.get());
        mirror.updateStatus(status, clock.instant());
        mirrored.add(status.name());
        if (karmada != null) {
          Set<String> clusters = new LinkedHashSet<>();
          for (AppStatus.ComponentStatus c : status.components()) {
            if (c.cluster() != null && !c.cluster().isBlank()) {
              clusters.add(c.cluster());
            }
          }
          if (!clusters.isEmpty()) {
            karmada.propagate(status.name(), List.copyOf(clusters));
            propagated.put(status.name(), List.copyOf(clusters));
          }
        }
      } catch (RuntimeException e) {
        errors.add(status.name() + ": " + e.getMessage());
      }
    }
    try {
      for (String app : mirror.mirrored()) {
        if (!live.contains(app) && mirror.remove(app)) {
          removed.add(app);
        }
      }
      if (karmada != null) {
        for (String app : karmada.propagated()) {
          if (!live.contains(app) && karmada.remove(app) && !removed.contains(app)) {
            removed.add(app);
          }
        }
      }
    } catch (RuntimeException e) {
      errors.add("cleanup: " + e.getMessage());
    }
    for (String e : errors) {
      LOG.warn("kubernetes sync: {}", e);
    }
    return new Round(mirrored, propagated, removed, errors);
  }

  /**
   * Runs {@link #reconcile(ContinuumAgent)} every {@code interval} on a daemon thread until the
   * returned handle is closed.
   */
  public AutoCloseable every(Duration interval, ContinuumAgent continuum) {
    ScheduledExecutorService s =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "k8s-continuum-sync");
              t.setDaemon(true);
              return t;
            });
    s.scheduleWithFixedDelay(
        () -> {
          try {
            reconcile(continuum);
          } catch (RuntimeException e) {
            LOG.warn("kubernetes sync round failed: {}", e.toString());
          }
        },
        0,
        interval.toMillis(),
        TimeUnit.MILLISECONDS);
    return s::shutdownNow;
  }
}
