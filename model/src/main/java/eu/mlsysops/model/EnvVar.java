package eu.mlsysops.model;

/**
 * A container environment variable; at most one of {@code value} and {@code valueFromFieldPath} is
 * set.
 *
 * @param name the variable name
 * @param value a literal value, or null
 * @param valueFromFieldPath {@code value_from.field_ref.field_path}, e.g. {@code status.hostIP}, or
 *     null
 */
public record EnvVar(String name, String value, String valueFromFieldPath) {}
