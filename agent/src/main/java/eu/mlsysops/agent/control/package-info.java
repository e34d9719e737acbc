/**
 * Control going down and visibility coming up when agents run as separate processes.
 *
 * <p>The continuum keeps one level-triggered control set (operating mode, each tier's
 * configuration and policy files, named by a digest: {@link eu.mlsysops.agent.control.ControlSet})
 * and sends it to its clusters, which relay it to their nodes; every agent checks, keeps on disk
 * and applies it ({@link eu.mlsysops.agent.control.ControlApplier}) and reports back what it
 * applied and which files did not load. Plan transitions and events of every remote agent go up in
 * numbered batches ({@link eu.mlsysops.agent.control.RecordUplink}); the continuum takes each batch
 * once into its plan log and event stream ({@link eu.mlsysops.agent.control.RecordIntake}). In one
 * process ({@code mls up}) agents share the plan log, the event sink and the policy directories,
 * so none of this is needed there.
 */
package eu.mlsysops.agent.control;
