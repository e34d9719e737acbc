/**
 * The ML Connector: models plugged into the agents at every tier, for training, prediction and
 * explanation, in the agents' own process (no separate stack of services).
 *
 * <ul>
 *   <li>{@link eu.mlsysops.mlconnector.ModelRegistry}: models, versions with a stage, metrics and
 *       lineage, in SQLite in the data directory; artifacts by SHA-256 ({@link
 *       eu.mlsysops.mlconnector.ArtifactStore}).
 *   <li>{@link eu.mlsysops.mlconnector.Training}: Tribuo trainers (linear and tree, regression and
 *       classification) on CSV data, with holdout metrics.
 *   <li>{@link eu.mlsysops.mlconnector.LoadedModel}: a version ready to predict, checking its input
 *       features; {@link eu.mlsysops.mlconnector.Explainer}: contributions that add up to the
 *       prediction minus the base value (exact for linear models and up to 10 features, sampled
 *       permutations above).
 *   <li>{@link eu.mlsysops.mlconnector.MlService}: all of it behind one facade, which the API and
 *       the agents' {@code view.ml()} use.
 * </ul>
 */
package eu.mlsysops.mlconnector;
