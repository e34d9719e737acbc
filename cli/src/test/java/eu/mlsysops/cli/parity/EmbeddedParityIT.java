package eu.mlsysops.cli.parity;

import eu.mlsysops.agent.tier.EmbeddedContinuum;
import eu.mlsysops.northbound.api.NorthboundEvents;
import eu.mlsysops.northbound.api.NorthboundServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** The parity scenario against {@code mls up}: every agent in this JVM. */
class EmbeddedParityIT extends ParityContract {
  @TempDir Path dir;
  private EmbeddedContinuum continuum;
  private NorthboundServer server;
  private String token;

  @BeforeEach
  void start() throws Exception {
    NorthboundEvents events = NorthboundEvents.create();
    continuum = EmbeddedContinuum.builder(dir).topology(topology()).events(events).build()
        .start();
    server = NorthboundServer.builder(continuum).dataDir(dir).port(0).auth(true).events(events)
        .build().start();
    token = Files.readString(server.adminTokenFile()).trim();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    if (continuum != null) {
      continuum.close();
    }
  }

  @Override
  String api() {
    return "http://127.0.0.1:" + server.port();
  }

  @Override
  String token() {
    return token;
  }

  @Override
  void killNode(String name) {
    continuum.failNode(name);
  }
}
