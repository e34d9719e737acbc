package eu.mlsysops.northbound.api;

import eu.mlsysops.mlconnector.MlService;
import eu.mlsysops.mlconnector.ModelId;
import eu.mlsysops.mlconnector.ModelSpec;
import java.util.List;
import java.util.function.Supplier;

/**
 * Who may see and change which models: developers the models of their own apps (others' do not
 * exist for them), admins also the framework's (of no app), viewers read all.
 */
final class ModelAccess {
  private final Supplier<MlService> ml;
  private final ContinuumViews views;

  ModelAccess(Supplier<MlService> ml, ContinuumViews views) {
    this.ml = ml;
    this.views = views;
  }

  boolean mayRead(Principal who, ModelSpec m) {
    return who.role() != Role.DEVELOPER || (m.app() != null && views.visibility(who).app(m.app()));
  }

  List<ModelSpec> visible(Principal who) {
    return ml.get().models().stream().filter(m -> mayRead(who, m)).toList();
  }

  /** The model {@code id} if {@code who} may read it; 404 otherwise, as for no such model. */
  ModelSpec readable(String id, Principal who) {
    ModelId mid;
    try {
      mid = new ModelId(id);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw ApiProblem.notFound("no model " + id);
    }
    try {
      ModelSpec m = ml.get().model(mid);
      if (!mayRead(who, m)) {
        throw ApiProblem.notFound("no model " + mid); // other tenants' models do not exist
      }
      return m;
    } catch (MlService.NotFound e) {
      throw ApiProblem.notFound(e.getMessage());
    }
  }

  /** As {@link #readable}, and 403 for a framework model unless {@code who} is an admin. */
  ModelSpec writable(String id, Principal who) {
    ModelSpec m = readable(id, who);
    if (m.app() == null && who.role() != Role.ADMIN) {
      throw new ApiProblem(403, "model " + m.id() + " is a framework model (of no app): only"
          + " admins change it");
    }
    return m;
  }
}
