package eu.mlsysops.cli.parity;

import eu.mlsysops.cli.agents.ProcessContinuum;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** The parity scenario against {@code mls up --processes}: each agent its own JVM, mTLS. */
class ProcessesParityIT extends ParityContract {
  @TempDir Path dir;
  private ProcessContinuum continuum;
  private String api;
  private String token;

  @BeforeEach
  void start() throws Exception {
    continuum = new ProcessContinuum(dir.resolve("data"), topology(), 0,
        new PrintWriter(new StringWriter()));
    int port = continuum.start();
    if (!ProcessContinuum.awaitPort(port, Duration.ofSeconds(60))) {
      throw new IllegalStateException("the continuum process's API did not come up");
    }
    api = "http://127.0.0.1:" + port;
    token = Files.readString(dir.resolve("data/admin.token")).trim();
  }

  @AfterEach
  void stop() {
    if (continuum != null) {
      continuum.close();
    }
  }

  @Override
  String api() {
    return api;
  }

  @Override
  String token() {
    return token;
  }

  @Override
  boolean storesElsewhere() {
    return true;
  }

  @Override
  void killNode(String name) throws Exception {
    continuum.kill(name);
  }
}
