package eu.mlsysops.orchestration;

import java.util.Set;

/** What one placement asks for, derived once per {@link Placer#place} call. */
record PlacementRequest(
    String app, ComponentRequirements requirements, Set<String> excludedNodes) {}
