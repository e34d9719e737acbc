package eu.mlsysops.ml.rl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Tabular Q-learning (Watkins) over a small discrete state and action space, for policies that
 * learn online from the telemetry their own decisions produce.
 *
 * <p>{@link #choose} picks an action ε-greedily; exploration decays per state with its visits
 * ({@code ε_s = max(εmin, ε / (1 + n_s / 20))}), so a state seen often is mostly exploited while
 * a new one is still explored. {@link #update} applies the TD(0) rule {@code Q(s,a) += α (r + γ
 * max Q(s',·) − Q(s,a))}. Random draws come from a seeded generator: the same seed and the same
 * sequence of calls give the same decisions. Every choice carries the Q-values it was made from,
 * which is the explanation shown in the decision log.
 *
 * <p>Not thread-safe: a policy instance is never called concurrently with itself, and it owns its
 * learner.
 */
public final class QLearner {
  private final int states;
  private final int actions;
  private final double alpha;
  private final double gamma;
  private final double epsilon;
  private final double minEpsilon;
  private final double[][] q;
  private final long[][] visits;
  private final Random random;
  private long updates;

  private QLearner(Builder b) {
    this.states = b.states;
    this.actions = b.actions;
    this.alpha = b.alpha;
    this.gamma = b.gamma;
    this.epsilon = b.epsilon;
    this.minEpsilon = Math.min(b.minEpsilon, b.epsilon);
    this.q = new double[states][actions];
    this.visits = new long[states][actions];
    this.random = new Random(b.seed);
    for (double[] row : q) {
      java.util.Arrays.fill(row, b.initialValue);
    }
  }

  /**
   * A builder for a learner of {@code states} states and {@code actions} actions. Defaults:
   * learning rate 0.2, discount 0.5, exploration 0.2 decaying to 0.02, initial Q 0, seed 42.
   */
  public static Builder builder(int states, int actions) {
    return new Builder(states, actions);
  }

  /** What {@link #choose} decided, and from which values. */
  public record Choice(int state, int action, boolean explored, double epsilon, double[] qValues) {
    public Choice {
      qValues = qValues.clone();
    }

    /**
     * The values as text, e.g. {@code Q(down)=-0.42 Q(stay)=-0.31 Q(up)=-0.35}.
     *
     * @param actionNames one name per action
     */
    public String qText(List<String> actionNames) {
      StringBuilder sb = new StringBuilder();
      for (int a = 0; a < qValues.length; a++) {
        if (a > 0) {
          sb.append(' ');
        }
        String name = a < actionNames.size() ? actionNames.get(a) : Integer.toString(a);
        sb.append("Q(").append(name).append(")=").append(String.format(Locale.ROOT, "%.3f", qValues[a]));
      }
      return sb.toString();
    }
  }

  /** Picks an action for {@code state}: the greedy one, or a random one with probability ε_s. */
  public Choice choose(int state) {
    checkState(state);
    long n = 0;
    for (long v : visits[state]) {
      n += v;
    }
    double eps = Math.max(minEpsilon, epsilon / (1 + n / 20.0));
    boolean explore = random.nextDouble() < eps;
    int action = explore ? random.nextInt(actions) : greedy(state);
    return new Choice(state, action, explore, eps, q[state]);
  }

  /** The action with the highest Q-value in {@code state}; ties go to the lowest index. */
  public int greedy(int state) {
    checkState(state);
    int best = 0;
    for (int a = 1; a < actions; a++) {
      if (q[state][a] > q[state][best]) {
        best = a;
      }
    }
    return best;
  }

  /**
   * Learns from one transition: action {@code action} in {@code state} earned {@code reward} and
   * led to {@code nextState}. A non-finite reward is ignored (a missing observation must not
   * poison the table).
   */
  public void update(int state, int action, double reward, int nextState) {
    checkState(state);
    checkState(nextState);
    if (action < 0 || action >= actions) {
      throw new IllegalArgumentException("action must be within 0.." + (actions - 1) + ": " + action);
    }
    if (!Double.isFinite(reward)) {
      return;
    }
    double target = reward + gamma * q[nextState][greedy(nextState)];
    q[state][action] += alpha * (target - q[state][action]);
    visits[state][action]++;
    updates++;
  }

  /** A copy of the Q-values of {@code state}. */
  public double[] qValues(int state) {
    checkState(state);
    return q[state].clone();
  }

  /** How often {@code action} was learned from in {@code state}. */
  public long visits(int state, int action) {
    checkState(state);
    return visits[state][action];
  }

  /** How many transitions the learner has learned from. */
  public long updates() {
    return updates;
  }

  public int states() {
    return states;
  }

  public int actions() {
    return actions;
  }

  /**
   * Writes the table to {@code file} (text: a header, then one line per state of Q-values and
   * visits), atomically, so a crash leaves the previous model.
   */
  public void save(Path file) throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append("qlearner ").append(states).append(' ').append(actions).append(' ').append(updates)
        .append('\n');
    for (int s = 0; s < states; s++) {
      for (int a = 0; a < actions; a++) {
        sb.append(Double.toString(q[s][a])).append(':').append(visits[s][a])
            .append(a + 1 < actions ? " " : "\n");
      }
    }
    eu.mlsysops.ml.ModelFiles.writeAtomically(file, sb);
  }

  /**
   * Reads a table written by {@link #save} into this learner.
   *
   * @throws IOException when unreadable
   * @throws IllegalArgumentException when the file is malformed or of another shape, naming the
   *     line
   */
  public void load(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    if (lines.isEmpty()) {
      throw new IllegalArgumentException(file + ": empty");
    }
    String[] head = lines.get(0).trim().split(" ");
    if (head.length != 4 || !head[0].equals("qlearner")
        || Integer.parseInt(head[1]) != states || Integer.parseInt(head[2]) != actions) {
      throw new IllegalArgumentException(file + ": line 1: expected \"qlearner " + states + " "
          + actions + " <updates>\", got \"" + lines.get(0) + "\"");
    }
    if (lines.size() < states + 1) {
      throw new IllegalArgumentException(file + ": expected " + states + " state lines, got "
          + (lines.size() - 1));
    }
    double[][] nq = new double[states][actions];
    long[][] nv = new long[states][actions];
    for (int s = 0; s < states; s++) {
      String[] cells = lines.get(s + 1).trim().split(" ");
      if (cells.length != actions) {
        throw new IllegalArgumentException(file + ": line " + (s + 2) + ": expected " + actions
            + " cells, got " + cells.length);
      }
      for (int a = 0; a < actions; a++) {
        String[] qv = cells[a].split(":");
        try {
          nq[s][a] = Double.parseDouble(qv[0]);
          nv[s][a] = Long.parseLong(qv[1]);
        } catch (RuntimeException e) {
          throw new IllegalArgumentException(file + ": line " + (s + 2) + ": cell " + (a + 1)
              + " is not value:visits: \"" + cells[a] + "\"");
        }
      }
    }
    for (int s = 0; s < states; s++) {
      q[s] = nq[s];
      visits[s] = nv[s];
    }
    updates = Long.parseLong(head[3]);
  }

  private void checkState(int state) {
    if (state < 0 || state >= states) {
      throw new IllegalArgumentException("state must be within 0.." + (states - 1) + ": " + state);
    }
  }

  /** Builder for {@link QLearner}. */
  public static final class Builder {
    private final int states;
    private final int actions;
    private double alpha = 0.2;
    private double gamma = 0.5;
    private double epsilon = 0.2;
    private double minEpsilon = 0.02;
    private double initialValue;
    private long seed = 42;

    private Builder(int states, int actions) {
      if (states < 1 || actions < 1) {
        throw new IllegalArgumentException("states and actions must be at least 1: " + states
            + ", " + actions);
      }
      this.states = states;
      this.actions = actions;
    }

    /** α in (0, 1]. */
    public Builder learningRate(double alpha) {
      this.alpha = check("learningRate", alpha, false);
      return this;
    }

    /** γ in [0, 1). */
    public Builder discount(double gamma) {
      if (!(gamma >= 0 && gamma < 1)) {
        throw new IllegalArgumentException("discount must be within [0, 1): " + gamma);
      }
      this.gamma = gamma;
      return this;
    }

    /** Initial exploration ε and its floor, both in [0, 1]. */
    public Builder exploration(double epsilon, double minEpsilon) {
      this.epsilon = check("exploration", epsilon, true);
      this.minEpsilon = check("minimum exploration", minEpsilon, true);
      return this;
    }

    /** The Q-value every entry starts at (optimistic values explore more). */
    public Builder initialValue(double value) {
      if (!Double.isFinite(value)) {
        throw new IllegalArgumentException("initialValue must be finite: " + value);
      }
      this.initialValue = value;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public QLearner build() {
      return new QLearner(this);
    }

    private static double check(String what, double v, boolean zeroOk) {
      if (!(v <= 1) || (zeroOk ? !(v >= 0) : !(v > 0))) {
        throw new IllegalArgumentException(what + " must be within " + (zeroOk ? "[0, 1]" : "(0, 1]")
            + ": " + v);
      }
      return v;
    }
  }

  @Override
  public String toString() {
    List<String> rows = new ArrayList<>();
    for (int s = 0; s < states; s++) {
      rows.add(java.util.Arrays.toString(q[s]));
    }
    return "QLearner[" + states + "×" + actions + ", " + updates + " updates, " + rows + "]";
  }

}
