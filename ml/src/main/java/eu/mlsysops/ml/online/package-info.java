/**
 * Online supervised learners for policies: {@link eu.mlsysops.ml.online.OnlineLogisticModel},
 * trained one observation at a time and explained by feature attributions.
 */
package eu.mlsysops.ml.online;
