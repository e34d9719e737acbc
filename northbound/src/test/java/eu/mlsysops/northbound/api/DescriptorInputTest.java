package eu.mlsysops.northbound.api;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class DescriptorInputTest {

  private static ObjectNode uriBody(String uri) {
    return Json.readObject("{\"uri\": \"" + uri + "\"}");
  }

  @Test
  void neverFetchesFromLinkLocalAddressesSuchAsCloudMetadata() {
    DescriptorInput lenient = new DescriptorInput(true);
    assertThatThrownBy(() -> lenient.referenceBody(uriBody("http://169.254.169.254/latest/meta-data")))
        .isInstanceOf(ApiProblem.class)
        .hasMessageContaining("169.254.169.254, an address this server does not fetch from");
  }

  @Test
  void refusesLoopbackAndPrivateAddressesWhenServingBeyondLoopback() {
    DescriptorInput strict = new DescriptorInput(false);
    for (String uri : new String[] {"http://127.0.0.1:1/x", "http://10.1.2.3/app.yaml",
        "http://192.168.0.7/app.yaml", "http://[fd00::1]/app.yaml", "http://100.64.0.1/a"}) {
      assertThatThrownBy(() -> strict.referenceBody(uriBody(uri))).as(uri)
          .isInstanceOf(ApiProblem.class)
          .hasMessageContaining("upload the descriptor instead");
    }
  }

  @Test
  void checksEveryRedirectTarget() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/app.yaml", ex -> {
      ex.getResponseHeaders().add("Location", "http://169.254.169.254/latest/meta-data");
      ex.sendResponseHeaders(302, -1);
      ex.close();
    });
    server.start();
    try {
      String uri = "http://127.0.0.1:" + server.getAddress().getPort() + "/app.yaml";
      assertThatThrownBy(() -> new DescriptorInput(true).referenceBody(uriBody(uri)))
          .isInstanceOf(ApiProblem.class)
          .hasMessageContaining("169.254.169.254");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void refusesSchemesOtherThanHttp() {
    assertThatThrownBy(() -> new DescriptorInput(true).referenceBody(uriBody("file:///etc/passwd")))
        .hasMessage("\"uri\" must be an http or https URL");
  }
}
