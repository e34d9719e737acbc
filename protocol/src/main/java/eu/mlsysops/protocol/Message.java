package eu.mlsysops.protocol;

import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.ClusterDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.model.NodeDescriptor;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything tiers say to each other. The in-process link passes these values as they are; the gRPC
 * link ({@code eu.mlsysops.protocol.grpc}) carries the same set as {@code mlsysops.v1.Envelope}s. Desired state is level-triggered: a parent
 * always sends the child's whole desired state with an epoch, so a child that missed messages
 * converges on the next one and a reconnect needs no replay.
 */
public sealed interface Message {

  /** The sending agent's id. */
  String from();

  /** Child → parent, first message on a link and after every reconnect. */
  record Register(
      String from, Tier tier, NodeDescriptor node, ClusterDescriptor cluster,
      List<InstanceReport> running) implements Message {
    public Register {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(tier, "tier");
      running = List.copyOf(running);
    }
  }

  /** Cluster → continuum: the nodes of the cluster and which of them are unreachable. */
  record Inventory(String from, List<NodeDescriptor> nodes, List<String> unhealthy)
      implements Message {
    public Inventory {
      nodes = List.copyOf(nodes);
      unhealthy = List.copyOf(unhealthy);
    }
  }

  /** Parent → child: registration accepted. */
  record Registered(String from, long epoch) implements Message {}

  /** Child → parent, every heartbeat interval. */
  record Heartbeat(String from, long sentAtMillis) implements Message {}

  /**
   * Parent → child: the complete set of what the child should run. For a node: instances. For a
   * cluster: the apps (with the components assigned to it) it is responsible for.
   */
  record DesiredState(
      String from, long epoch, List<InstanceAssignment> instances, List<AppDescriptor> apps)
      implements Message {
    public DesiredState {
      instances = List.copyOf(instances);
      apps = List.copyOf(apps);
    }
  }

  /** Child → parent: observed state of instances. {@code full} means "this is all of them". */
  record StatusReport(String from, List<InstanceReport> instances, boolean full)
      implements Message {
    public StatusReport {
      instances = List.copyOf(instances);
    }
  }

  /**
   * Child → parent: telemetry, already aggregated as the child's export rules say, as an OTLP
   * metrics export request (the same message an OTLP exporter sends), so it crosses the wire
   * unchanged.
   */
  record TelemetryBatch(String from, ExportMetricsServiceRequest metrics) implements Message {
    public TelemetryBatch {
      Objects.requireNonNull(metrics, "metrics");
    }
  }

  /**
   * Parent → child: how often the parent wants the child's telemetry (the shortest analysis
   * interval of the parent's policies and of what its own parent asked for).
   */
  record TelemetryDemand(String from, long intervalMillis) implements Message {
    public TelemetryDemand {
      if (intervalMillis <= 0) {
        throw new IllegalArgumentException("intervalMillis must be positive: " + intervalMillis);
      }
    }
  }

  /**
   * Child → parent: a plan made by a child's policy that needs a mechanism only the parent has
   * (e.g. a node policy asking its cluster to relocate a component).
   */
  record PlanForward(
      String from, String planId, String policy, String mechanism, Map<String, String> args,
      String explanation) implements Message {
    public PlanForward {
      args = Map.copyOf(args);
    }
  }

  /** Parent → child: how a forwarded plan ended. */
  record PlanResult(String from, String planId, boolean success, String reason)
      implements Message {}

  /** The tier of an agent. */
  enum Tier {
    NODE,
    CLUSTER,
    CONTINUUM
  }

  /** One instance assigned to a node. */
  record InstanceAssignment(String app, String instanceId, Component component) {
    public InstanceAssignment {
      Objects.requireNonNull(app, "app");
      Objects.requireNonNull(instanceId, "instanceId");
      Objects.requireNonNull(component, "component");
    }
  }

  /** The observed state of one instance, as reported upward. */
  record InstanceReport(
      String instanceId, String app, String component, String node, String state, String reason,
      long sinceMillis) {}
}
