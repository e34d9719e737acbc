package eu.mlsysops.mlconnector;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A model deployed somewhere: the reference ML Connector's {@code /deployment/add} body. Here a
 * model runs in process wherever a policy asks it (every agent has the serving versions), so a
 * deployment names where it is meant to serve and gives it an endpoint of its own ({@code
 * /deployment/{id}/prediction}); its status says whether that can work.
 *
 * @param id the deployment's id ({@code deployment_id})
 * @param model the model deployed ({@code modelid})
 * @param owner who deploys it, as submitted ({@code ownerid}: the reference names the agent)
 * @param cluster {@code placement.clusterID}: a cluster, {@code *} for any, or null
 * @param node {@code placement.node}: a node, {@code *} for any, or null
 * @param continuum {@code placement.continuum}: at the continuum level
 * @param createdBy the token name that deployed it
 * @param createdMillis when
 */
public record Deployment(String id, ModelId model, String owner, String cluster, String node,
    boolean continuum, String createdBy, long createdMillis) {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

  public Deployment {
    Objects.requireNonNull(model, "model");
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException("deployment_id: \"" + id + "\" is not an id (letters,"
          + " digits, '.', '_', '-'; at most 64)");
    }
    if (owner == null || owner.isBlank()) {
      throw new IllegalArgumentException("ownerid: required");
    }
    if (!continuum && cluster == null && node == null) {
      throw new IllegalArgumentException("placement: name a clusterID, a node (either may be"
          + " \"*\"), or continuum: true");
    }
  }
}
