package eu.mlsysops.orchestration;

import eu.mlsysops.model.Component;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.model.Power;
import eu.mlsysops.model.PowerValue;

/**
 * Prefers nodes that spend less power for each core of work: {@code 1 / (1 + w / 5 W)}, where
 * {@code w} is the node's marginal power per core, {@code (maxWatts − idleWatts) / cores}.
 *
 * <p>{@code maxWatts} is {@code power.max_consumption} (in {@code w}, {@code kw} or {@code Mw})
 * when the node gives it, else the layer's typical figure (cloud 250 W, edge_infrastructure 90 W,
 * edge 15 W, far_edge 0.5 W); {@code idleWatts} is {@code maxWatts} times the layer's typical idle
 * share (cloud 100/250, edge_infrastructure 30/90, edge 5/15, far_edge 0.1/0.5). So with the
 * defaults a cloud core scores 0.21, an edge_infrastructure core 0.25, an edge core 0.67 and a
 * far_edge core 0.93. Name {@code energy}.
 */
public final class EnergyScorer implements Scorer {
  /** The scorer's name, {@code energy}. */
  public static final String NAME = "energy";

  /** The marginal power per core that scores 0.5. */
  static final double REFERENCE_WATTS_PER_CORE = 5.0;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public double score(Component component, NodeCandidate node) {
    return scoreOf(wattsPerCore(node.node()));
  }

  static double scoreOf(double wattsPerCore) {
    return 1 / (1 + Math.max(0, wattsPerCore) / REFERENCE_WATTS_PER_CORE);
  }

  /** {@code (maxWatts − idleWatts) / cores}, see the class description. */
  static double wattsPerCore(NodeDescriptor d) {
    double[] typical = NodeDefaults.powerWatts(d);
    double max = typical[1];
    double declared = declaredMaxWatts(d.power());
    if (declared > 0) {
      max = declared;
    }
    double idle = max * typical[0] / typical[1];
    return (max - idle) / NodeDefaults.cores(d);
  }

  private static double declaredMaxWatts(Power p) {
    PowerValue v = p == null ? null : p.maxConsumption();
    if (v == null || v.value() == null || !(v.value() > 0) || v.value().isInfinite()) {
      return 0;
    }
    String unit = v.measurementUnit() == null ? "w" : v.measurementUnit();
    switch (unit) {
      case "kw":
      case "kW":
        return v.value() * 1e3;
      case "Mw":
      case "MW":
        return v.value() * 1e6;
      default:
        return v.value();
    }
  }
}
