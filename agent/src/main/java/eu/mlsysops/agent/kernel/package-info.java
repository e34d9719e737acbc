/**
 * What every agent is built on, whatever its tier: {@link eu.mlsysops.agent.kernel.AgentLoop}, the
 * one event loop that owns an agent's state. Link messages, runtime events, timer ticks and plan
 * results become events on it; nothing else touches that state, so it needs no locks.
 */
package eu.mlsysops.agent.kernel;
