package eu.mlsysops.agent.engine;

import eu.mlsysops.agent.MlConnector;
import eu.mlsysops.agent.SystemView;
import eu.mlsysops.model.AppDescriptor;
import java.util.List;

/** What a tier gives the policy engine to build views from. */
public interface ViewSource {
  /** Apps the agent manages. */
  List<AppDescriptor> apps();

  /** The agent's system view. */
  SystemView system();

  /** Requests from children not answered yet ({@link eu.mlsysops.agent.PolicyView#requests()}). */
  default List<eu.mlsysops.agent.PolicyView.Request> requests() {
    return List.of();
  }

  /** The ML connector policies may use. */
  default MlConnector ml() {
    return MlConnector.none();
  }
}
