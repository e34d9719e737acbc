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
   * Child → parent: telemetry, already aggregated as the child's export rules say. On the wire an
   * OTLP metrics export request (the same message an OTLP exporter sends); between agents of one
   * process the child's samples themselves, encoded only if somebody asks ({@link #metrics()}).
   */
  record TelemetryBatch(String from, MetricsPayload payload) implements Message {
    public TelemetryBatch {
      Objects.requireNonNull(payload, "payload");
    }

    /** A batch of an encoded request. */
    public TelemetryBatch(String from, ExportMetricsServiceRequest metrics) {
      this(from, new OtlpPayload(metrics));
    }

    /** The batch as an OTLP export request (encoded now if it was not). */
    public ExportMetricsServiceRequest metrics() {
      return payload.otlp();
    }
  }

  /**
   * What a {@link TelemetryBatch} carries: something that can become an OTLP export request. The
   * agent module's in-process payload keeps the samples and lets the parent store them directly.
   */
  interface MetricsPayload {
    ExportMetricsServiceRequest otlp();
  }

  /** A payload that is an encoded request already (received from the wire, or made by a test). */
  record OtlpPayload(ExportMetricsServiceRequest otlp) implements MetricsPayload {
    public OtlpPayload {
      Objects.requireNonNull(otlp, "metrics");
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
   * (e.g. a node policy asking its cluster to relocate a component). The parent's policies see it
   * as a request; the parent answers with a {@link PlanResult} of the same {@code planId}.
   */
  record PlanForward(
      String from, String planId, String policy, String mechanism, String action,
      Map<String, String> args, String explanation) implements Message {
    public PlanForward {
      args = Map.copyOf(args);
    }
  }

  /** Parent → child: how a forwarded plan ended. */
  record PlanResult(String from, String planId, boolean success, String reason)
      implements Message {}

  /**
   * Parent → child, relayed by clusters to their nodes: how every agent below runs, as one
   * level-triggered set named by its digest (the operating mode, each tier's configuration and
   * policy files). Sent whenever it changes and on every (re)registration, so an agent that was
   * offline catches up when it reconnects; a child that already applied this digest does nothing.
   *
   * @param digest SHA-256 (hex) of everything else in the message, as {@code ControlDigest} in the
   *     agent module computes it; a receiver recomputes and refuses a mismatch
   * @param mode {@code heuristic} or {@code ml}
   * @param tiers one entry per tier that has configuration or files
   */
  record Control(String from, String digest, String mode, List<TierControl> tiers)
      implements Message {
    public Control {
      Objects.requireNonNull(digest, "digest");
      Objects.requireNonNull(mode, "mode");
      tiers = List.copyOf(tiers);
    }
  }

  /**
   * The configuration and policy files of every agent of one tier.
   *
   * @param disabledPolicies policies that stay loaded but do not run
   * @param telemetryExport export rules in their configuration form; empty for the defaults
   * @param files policy files ({@code policy-*.groovy}, jars) by content
   */
  record TierControl(
      Tier tier, List<String> disabledPolicies, List<String> telemetryExport,
      List<PolicyFile> files) {
    public TierControl {
      Objects.requireNonNull(tier, "tier");
      disabledPolicies = List.copyOf(disabledPolicies);
      telemetryExport = List.copyOf(telemetryExport);
      files = List.copyOf(files);
    }
  }

  /**
   * A file by content.
   *
   * @param name a plain file name (no directories)
   * @param sha256 the SHA-256 of the content, lower-case hex; receivers check it
   * @param content the bytes
   */
  record PolicyFile(String name, String sha256, com.google.protobuf.ByteString content) {
    public PolicyFile {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(sha256, "sha256");
      Objects.requireNonNull(content, "content");
    }
  }

  /**
   * Child → parent, relayed by clusters: what one agent made of a {@link Control}.
   *
   * @param agent the agent that applied it (a cluster relays its nodes' reports unchanged)
   * @param digest the digest it now runs
   * @param errors policy files that did not load, file name → why
   */
  record ControlReport(
      String from, String agent, Tier tier, String digest, Map<String, String> errors)
      implements Message {
    public ControlReport {
      Objects.requireNonNull(agent, "agent");
      Objects.requireNonNull(tier, "tier");
      Objects.requireNonNull(digest, "digest");
      errors = Map.copyOf(errors);
    }
  }

  /**
   * Child → parent, relayed by clusters: one agent's decisions and events since its last batch,
   * so that the continuum shows what remote agents did. Batches of one origin are numbered per
   * incarnation; a receiver drops a batch it has already taken (a resend after a reconnect).
   *
   * @param origin the agent whose plans and events these are
   * @param incarnation when that agent started (millis); numbering restarts with it
   * @param seq this batch's number, from 1
   * @param dropped plan transitions and events the origin dropped since its last batch (its
   *     buffer was full while the link was down or slow)
   */
  record Records(
      String from, String origin, long incarnation, long seq, List<PlanTransition> plans,
      List<Event> events, long dropped) implements Message {
    public Records {
      Objects.requireNonNull(origin, "origin");
      plans = List.copyOf(plans);
      events = List.copyOf(events);
    }
  }

  /** One transition of a plan, as the agent that scheduled it recorded it. */
  record PlanTransition(
      String id, String agent, String policy, String app, boolean core,
      List<PlanCommand> commands, String explanation, Map<String, String> inputs, String status,
      String reason, long createdMillis, long updatedMillis, int attempts) {
    public PlanTransition {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(agent, "agent");
      Objects.requireNonNull(status, "status");
      commands = List.copyOf(commands);
      inputs = Map.copyOf(inputs);
    }
  }

  /** One command of a plan: a mechanism, an action and its arguments. */
  record PlanCommand(String mechanism, String action, Map<String, String> args) {
    public PlanCommand {
      Objects.requireNonNull(mechanism, "mechanism");
      Objects.requireNonNull(action, "action");
      args = Map.copyOf(args);
    }
  }

  /** Something an agent saw that a person would want to see (a node, plan, instance event). */
  record Event(long timeMillis, String agent, String kind, String message) {
    public Event {
      Objects.requireNonNull(agent, "agent");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * Child → parent, relayed by clusters, every few seconds: how a remote agent's policies and
   * mechanisms are doing, so that the continuum lists them as it lists its own.
   *
   * @param agent the agent it describes (a cluster relays its nodes' unchanged)
   */
  record AgentStatus(
      String from, String agent, Tier tier, List<PolicyState> policies,
      List<MechanismState> mechanisms) implements Message {
    public AgentStatus {
      Objects.requireNonNull(agent, "agent");
      Objects.requireNonNull(tier, "tier");
      policies = List.copyOf(policies);
      mechanisms = List.copyOf(mechanisms);
    }
  }

  /**
   * One policy of a remote agent and its counters.
   *
   * @param pausedByMode the agent's mode when the policy belongs to the other one (it does not
   *     run), empty when it may run; an agent of an older version sends none
   */
  record PolicyState(
      String name, String source, String scope, boolean core, int instances, long analyses,
      long plans, long errors, String lastError, boolean enabled, String pausedByMode) {
    public PolicyState {
      Objects.requireNonNull(name, "name");
      pausedByMode = pausedByMode == null ? "" : pausedByMode;
    }
  }

  /**
   * One mechanism of a remote agent.
   *
   * @param optionsJson its {@code options()} as a JSON object
   * @param stateJson its {@code state()} as a JSON object
   */
  record MechanismState(String name, String optionsJson, String stateJson) {
    public MechanismState {
      Objects.requireNonNull(name, "name");
    }
  }

  /**
   * Parent → child: the raw series of one metric, or with no metric the names of the metrics,
   * held in the child's own store ({@code tier} {@link Tier#CLUSTER}) or in the stores of its
   * nodes ({@link Tier#NODE}, which a cluster relays to every node in another process and
   * answers as one). This is how the continuum reads the cluster and node tiers when those agents
   * run in other processes; raw samples stay where they are until someone asks. Answered with a
   * {@link SeriesAnswer} of the same {@code queryId}.
   *
   * @param metric the metric, or null for the names of every metric
   * @param newestOnly only each series' newest sample in the interval (a marker included), as an
   *     instant read needs
   * @param timeoutMillis how long the asker waits; a relaying cluster answers within part of it
   */
  record SeriesQuery(
      String from, String queryId, Tier tier, String metric, List<SeriesMatcher> matchers,
      long fromMillis, long toMillis, boolean newestOnly, long timeoutMillis)
      implements Message {
    public SeriesQuery {
      Objects.requireNonNull(queryId, "queryId");
      Objects.requireNonNull(tier, "tier");
      matchers = List.copyOf(matchers);
      if (tier == Tier.CONTINUUM) {
        throw new IllegalArgumentException("tier: a child holds no continuum telemetry");
      }
      if (timeoutMillis <= 0) {
        throw new IllegalArgumentException("timeoutMillis must be positive: " + timeoutMillis);
      }
    }
  }

  /**
   * Parent → child, relayed by clusters to their nodes: the ML Connector's serving model versions,
   * as one level-triggered set named by its digest, sent whenever it changes and on every
   * (re)registration, so that {@code view.ml()} answers in agents of other processes too. A child
   * asks for the files it lacks ({@link ModelWant}) and keeps them by hash.
   *
   * @param digest SHA-256 (hex) of the models' ids, versions and hashes
   */
  record ModelSet(String from, String digest, List<ServedModel> models) implements Message {
    public ModelSet {
      Objects.requireNonNull(digest, "digest");
      models = List.copyOf(models);
    }
  }

  /**
   * One serving model version.
   *
   * @param sha256 its file's SHA-256, lower-case hex
   * @param size the file's size in bytes
   * @param descriptor what the ML Connector needs besides the file to serve it (JSON)
   */
  record ServedModel(String modelId, int version, String sha256, long size, String descriptor) {
    public ServedModel {
      Objects.requireNonNull(modelId, "modelId");
      Objects.requireNonNull(sha256, "sha256");
      Objects.requireNonNull(descriptor, "descriptor");
    }
  }

  /** Child → parent, relayed by clusters: the model files it lacks, by SHA-256. */
  record ModelWant(String from, List<String> sha256s) implements Message {
    public ModelWant {
      sha256s = List.copyOf(sha256s);
    }
  }

  /**
   * Parent → child: the bytes {@code [offset, offset + data.size())} of a model file of {@code
   * total} bytes; a file goes as consecutive chunks on one link, the receiver checks its hash.
   */
  record ModelChunk(String from, String sha256, long offset, long total,
      com.google.protobuf.ByteString data) implements Message {
    public ModelChunk {
      Objects.requireNonNull(sha256, "sha256");
      Objects.requireNonNull(data, "data");
      if (offset < 0 || total < 0 || offset + data.size() > total) {
        throw new IllegalArgumentException("chunk [" + offset + ", " + (offset + data.size())
            + ") outside a file of " + total + " bytes");
      }
    }
  }

  /** A label matcher of a {@link SeriesQuery}, as PromQL writes it. */
  record SeriesMatcher(String name, MatchOp op, String value) {
    public SeriesMatcher {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(op, "op");
      Objects.requireNonNull(value, "value");
    }
  }

  /** How a {@link SeriesMatcher} compares a label's value. */
  enum MatchOp {
    EQUAL,
    NOT_EQUAL,
    REGEX,
    NOT_REGEX
  }

  /**
   * Child → parent: what a {@link SeriesQuery} found.
   *
   * @param series the matching series (empty when asked for names)
   * @param names the metric names (when asked for them)
   * @param warnings what is missing from an otherwise good answer (a node that did not answer in
   *     time), naming who
   * @param error why there is no answer (a limit reached), naming the limit; null when answered
   */
  record SeriesAnswer(
      String from, String queryId, List<SeriesData> series, List<String> names,
      List<String> warnings, String error) implements Message {
    public SeriesAnswer {
      Objects.requireNonNull(queryId, "queryId");
      series = List.copyOf(series);
      names = List.copyOf(names);
      warnings = List.copyOf(warnings);
    }

    /** The number of samples of every series. */
    public long sampleCount() {
      long n = 0;
      for (SeriesData d : series) {
        n += d.timestamps().length;
      }
      return n;
    }
  }

  /**
   * One series of a {@link SeriesAnswer}: its samples as parallel arrays (a staleness marker is a
   * NaN value, as in the store). The arrays are owned by the record once built; equality compares
   * their contents.
   */
  record SeriesData(String metric, Map<String, String> labels, long[] timestamps, double[] values) {
    public SeriesData {
      Objects.requireNonNull(metric, "metric");
      labels = Map.copyOf(labels);
      if (timestamps.length != values.length) {
        throw new IllegalArgumentException("timestamps and values differ in length: "
            + timestamps.length + " and " + values.length);
      }
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof SeriesData d && metric.equals(d.metric) && labels.equals(d.labels)
          && java.util.Arrays.equals(timestamps, d.timestamps)
          && java.util.Arrays.equals(values, d.values);
    }

    @Override
    public int hashCode() {
      return Objects.hash(metric, labels, java.util.Arrays.hashCode(timestamps),
          java.util.Arrays.hashCode(values));
    }

    @Override
    public String toString() {
      return "SeriesData[" + metric + labels + ", " + timestamps.length + " samples]";
    }
  }

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
