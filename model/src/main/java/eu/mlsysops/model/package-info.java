/**
 * The {@code mlsysops.eu/v1} descriptors (MLSysOpsApp, MLSysOpsNode, MLSysOpsCluster,
 * MLSysOpsContinuum, MLSysOpsDatacenter) as immutable records, with parsing, validation and
 * writing.
 *
 * <p>Start at {@link eu.mlsysops.model.Descriptors}: it reads YAML or JSON in the top-level-key or
 * custom-resource form, validates against the CRD schemas shipped in this jar plus semantic checks,
 * and returns a {@link eu.mlsysops.model.ParseResult} of records and {@link
 * eu.mlsysops.model.Problem}s with field paths. Resource amounts are exact {@link
 * eu.mlsysops.model.Quantity} values.
 *
 * <p>The public API is the records, the enums with wire names, {@code Descriptors}, {@code
 * Quantity} and the result/problem types. Everything else in this package (document reader, schema
 * walker, variant table, semantic checks, binder, writer) is package-private and may change without
 * notice. This module depends on nothing of ours; see {@code docs/descriptors.md} in the module for
 * the parsing rules.
 */
package eu.mlsysops.model;
