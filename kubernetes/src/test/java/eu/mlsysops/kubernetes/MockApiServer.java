package eu.mlsysops.kubernetes;

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
 * fabric8's mock API server in CRUD mode for one test, registered as an instance field with
 * {@code @RegisterExtension}; for tests with informers, instead of {@code
 * EnableKubernetesMockClient}. Closing the server waits for every WebSocket to finish its close
 * handshake (Vert.x 5), and a watch an informer has just dropped may not answer within the 10 s
 * it waits; the extension then fails the test with "Unable to close MockWebServer" although the
 * test passed (fabric8io/kubernetes-client#8131). Here that is reported and not a failure.
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
