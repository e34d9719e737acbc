package eu.mlsysops.agent.tier;

/**
 * Something that happened in an agent that a person would want to see: a node joined or became
 * unreachable, a plan changed status, an instance started or failed.
 *
 * @param timeMillis when
 * @param agent which agent saw it
 * @param kind a short category: {@code node}, {@code plan}, {@code instance}, {@code app}
 * @param message what happened, in a sentence
 */
public record AgentEvent(long timeMillis, String agent, String kind, String message) {}
