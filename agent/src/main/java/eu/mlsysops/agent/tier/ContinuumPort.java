package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.PolicyContext;
import eu.mlsysops.agent.engine.PolicyDirectory;
import eu.mlsysops.agent.engine.PolicyStatus;
import eu.mlsysops.agent.plan.PlanLog;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.orchestration.process.WorkloadUser;
import eu.mlsysops.security.TrustEngine;
import eu.mlsysops.telemetry.UnionQuery;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.locks.Lock;

/**
 * The continuum as its northbound API sees it: what it shows and what it controls, meaning the
 * same whether the cluster and node agents run in this process ({@code mls up}) or in processes of
 * their own ({@code mls up --processes}). The continuum agent always runs beside the API; what
 * the other agents do arrives through their links (records, status reports) or, in one process,
 * straight from them. {@link EmbeddedContinuum} implements it for both.
 */
public interface ContinuumPort {
  /** The tiers: what {@link #telemetry}, {@link #configure} and the policy directories take. */
  List<String> TIERS = List.of("continuum", "cluster", "node");

  // ---- the continuum agent and what it keeps

  /** The continuum agent. */
  ContinuumAgent continuum();

  /** The continuum's clock (simulated time in tests). */
  Clock clock();

  /** Every agent's plans: the continuum's own and those its agents' records bring. */
  PlanLog planLog();

  /**
   * The telemetry held at one tier ({@code continuum}, {@code cluster}, {@code node}), as one
   * store.
   *
   * @throws IllegalArgumentException for another tier
   */
  UnionQuery telemetry(String tier);

  /**
   * The ML Connector: models, versions, training, prediction and explanation. Policies of the
   * agents in this process reach its serving versions through {@code view.ml()}.
   */
  eu.mlsysops.mlconnector.MlService ml();

  /** Node trust as the clusters observe it. */
  TrustEngine trust();

  /** The trust below which clusters place nothing new on a node. */
  double trustThreshold();

  /** Whether the clusters (and their nodes) run in other processes. */
  boolean remoteClusters();

  /** What the continuum knows of agents in other processes ({@link RemoteAgents#NONE} in one). */
  RemoteAgents remoteAgents();

  // ---- views over every agent, however they run

  /**
   * Every node the continuum knows: as its cluster reported it, and nodes whose agent runs here
   * but whose cluster has not reported them yet.
   */
  List<NodeSummary> knownNodes();

  /** A node's descriptor: from its agent here, else as its cluster reported it. */
  Optional<NodeDescriptor> nodeDescriptor(String node);

  /** The latest value of a node metric, wherever it is kept (cluster, node or continuum tier). */
  OptionalDouble nodeMetric(String node, String metric);

  /** The status of every policy of a tier's agents, local and remote (one entry per agent). */
  List<PolicyStatus> policyStatuses(String tier);

  /** Every agent's mechanisms, with their options and state. */
  List<MechanismView> mechanisms();

  /** Who local-process instances run as, when nodes here run them. */
  Optional<WorkloadUser.Detection> workloads();

  /** How the nodes in this process run instances. */
  EmbeddedContinuum.RuntimeKind runtimeKind();

  // ---- control: reaches every agent, local ones at once and remote ones over their links

  /** The agents' operating mode. */
  PolicyContext.Mode mode();

  /** Switches every agent between heuristic and ML-driven policies. */
  void setMode(PolicyContext.Mode mode);

  /** A tier's configuration. */
  AgentConfig configuration(String tier);

  /**
   * Applies a configuration to every agent of a tier and keeps it.
   *
   * @throws IllegalArgumentException for an unknown tier
   */
  void configure(String tier, AgentConfig config);

  /** The policy directories by tier: a file there runs on every agent of the tier. */
  Map<String, PolicyDirectory> policyDirectories();

  /** Held while the API changes a policy directory (see {@link EmbeddedContinuum#policyLock}). */
  Lock policyLock();

  /** A policy directory changed through the API: remote agents get the files now. */
  void policiesChanged();

  // ---- infrastructure

  /** Whether a node's agent runs in this process. */
  boolean runsNode(String name);

  /**
   * Starts a node's agent in this process and attaches it to its cluster.
   *
   * @throws IllegalArgumentException naming the field when the name is taken or the cluster
   *     unknown
   */
  void addNode(NodeDescriptor node);

  /** Stops a node's agent here for good; false when none runs here. */
  boolean removeNode(String name);

  /**
   * One node as the continuum knows it.
   *
   * @param name the node
   * @param cluster its cluster
   * @param layer its continuum layer
   * @param healthy whether it is reachable and running
   */
  record NodeSummary(String name, String cluster, String layer, boolean healthy) {}

  /**
   * One mechanism of one agent.
   *
   * @param agent the agent
   * @param name the mechanism
   * @param options what it can be set to (JSON-like values)
   * @param state its current state (JSON-like values)
   */
  record MechanismView(String agent, String name, Object options, Object state) {}
}
