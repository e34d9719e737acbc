package eu.mlsysops.cli.agents;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * fabric8's mock API server in CRUD mode for one test, instead of {@code
 * EnableKubernetesMockClient}, whose close fails a passed test when a watch's WebSocket is still
 * closing (fabric8io/kubernetes-client#8131); the same as the kubernetes module's test helper of
 * this name (test classes are not shared between modules here: a test-jar would break {@code mvn
 * test}).
 */
final class MockApiServer implements AfterEachCallback {
  final KubernetesMockServer server =
      new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
          new KubernetesCrudDispatcher(List.of()), false);
  final KubernetesClient client;

  MockApiServer() {
    server.init();
    client = server.createClient();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    client.close();
    try {
      server.destroy();
    } catch (IllegalStateException e) {
      System.err.println("mock API server: " + e.getMessage() + " (a watch's WebSocket was still"
          + " closing; see fabric8io/kubernetes-client#8131)");
    }
  }
}
