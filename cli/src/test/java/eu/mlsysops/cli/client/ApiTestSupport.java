package eu.mlsysops.cli.client;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Starts a {@link FakeApi} per test and runs {@code mls} against it with a token. */
abstract class ApiTestSupport {
  FakeApi api;

  @BeforeEach
  void startFake() throws Exception {
    api = new FakeApi().requireToken(FakeApi.TOKEN);
  }

  @AfterEach
  void stopFake() {
    api.close();
  }

  /** Runs {@code mls args... --server <fake> --token <token>}. */
  ClientRun mls(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--server", api.url(), "--token", FakeApi.TOKEN));
    return ClientRun.of(all.toArray(String[]::new));
  }
}
