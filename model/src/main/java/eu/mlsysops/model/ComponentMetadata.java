package eu.mlsysops.model;

/**
 * A component's {@code metadata}.
 *
 * @param name the component name, unique within the app
 * @param uid an identifier assigned by the framework, or null
 */
public record ComponentMetadata(String name, String uid) {}
