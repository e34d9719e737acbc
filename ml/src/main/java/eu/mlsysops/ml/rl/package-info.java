/**
 * Reinforcement learning for policies: {@link eu.mlsysops.ml.rl.QLearner}, tabular Q-learning whose
 * every decision carries the Q-values it was made from. See {@code docs/ml-mode.md}.
 */
package eu.mlsysops.ml.rl;
