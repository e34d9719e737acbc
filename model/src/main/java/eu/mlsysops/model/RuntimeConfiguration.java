package eu.mlsysops.model;

/**
 * A component's {@code runtime_configuration}.
 *
 * @param configSpecificationFile the specification of the runtime knobs (JSON), or null
 * @param configFilePath where in the container the app expects that file, or null
 */
public record RuntimeConfiguration(String configSpecificationFile, String configFilePath) {}
