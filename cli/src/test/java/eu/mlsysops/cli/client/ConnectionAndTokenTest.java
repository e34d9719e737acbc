package eu.mlsysops.cli.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionAndTokenTest extends ApiTestSupport {
  @TempDir Path dir;

  @Test
  void unreachableServerExitsThreeWithAHint() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String url = "http://127.0.0.1:" + port;

    ClientRun r = ClientRun.of("apps", "list-all", "--server", url, "--token", "t");

    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.err()).isEqualTo("mls: cannot reach the MLSysOps API at " + url
        + ": connection refused; is `mls up` running? (set --server or MLS_SERVER)\n");
  }

  @Test
  void serverWithoutSchemeGetsHttpAndTrailingSlashIsDropped() {
    api.on("GET /manage/ping", "{\"status\": \"ok\", \"agent\": \"c\", \"mode\": \"ml\"}");
    String hostPort = api.url().substring("http://".length()) + "/";
    ClientRun r = ClientRun.of("manage", "ping-agent", "--server", hostPort, "--token",
        FakeApi.TOKEN);
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(api.only().path()).isEqualTo("/manage/ping");
  }

  @Test
  void badServerIsAUsageError() {
    ClientRun r = ClientRun.of("status", "--server", "ftp://x");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--server: \"ftp://x\" is not a URL");
  }

  @Test
  void tokenComesFromTheFlagThenTheEnvironmentThenTheFile() throws Exception {
    Path home = dir.resolve("home");
    Files.createDirectories(home.resolve(".mlsysops"));
    Files.writeString(home.resolve(".mlsysops/admin.token"), "from-home\n");
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    Files.writeString(data.resolve("admin.token"), "from-data-dir\n");

    assertThat(Token.discover("flag", Map.of("MLS_TOKEN", "env"), data, home).value())
        .isEqualTo("flag");
    Token env = Token.discover(null, Map.of("MLS_TOKEN", "env"), data, home);
    assertThat(env.value()).isEqualTo("env");
    assertThat(env.source()).isEqualTo("MLS_TOKEN");
    Token dataDir = Token.discover(null, Map.of(), data, home);
    assertThat(dataDir.value()).isEqualTo("from-data-dir");
    assertThat(dataDir.source()).isEqualTo(data.resolve("admin.token").toString());
    assertThat(Token.discover(null, Map.of(), null, home).value()).isEqualTo("from-home");
    Token none = Token.discover(null, Map.of("MLS_TOKEN", " "), dir.resolve("empty"), home);
    assertThat(none.value()).isNull();
    assertThat(none.looked()).containsExactly("--token (not given)", "MLS_TOKEN (not set)",
        dir.resolve("empty").resolve("admin.token") + " (not found)");
  }

  @Test
  void dataDirTokenIsSentAsBearer() throws Exception {
    assumeTrue(System.getenv("MLS_TOKEN") == null, "MLS_TOKEN is set in this environment");
    Files.writeString(dir.resolve("admin.token"), FakeApi.TOKEN + "\n");
    api.on("GET /api/v1/continuum", Canned.CONTINUUM);

    ClientRun r = ClientRun.of("status", "--server", api.url(), "--data-dir", dir.toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(api.only().header("Authorization")).isEqualTo("Bearer " + FakeApi.TOKEN);
  }

  @Test
  void missingTokenSays401AndWhereItLooked() {
    assumeTrue(System.getenv("MLS_TOKEN") == null, "MLS_TOKEN is set in this environment");
    Path empty = dir.resolve("nothing-here");

    ClientRun r = ClientRun.of("apps", "list-all", "--server", api.url(), "--data-dir",
        empty.toString());

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(api.only().header("Authorization")).isNull();
    assertThat(r.err()).contains("needs a token and none was found")
        .contains("--token (not given), MLS_TOKEN (not set), "
            + empty.resolve("admin.token") + " (not found)")
        .contains("missing or unknown bearer token");
  }

  @Test
  void wrongTokenSaysWhereItCameFrom() {
    ClientRun r = ClientRun.of("apps", "list-all", "--server", api.url(), "--token", "nope");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).startsWith("mls: the server at " + api.url()
        + " rejected the token from --token").doesNotContain("Exception");
  }

  @Test
  void serverErrorWithoutProblemBodyIsExitOne() {
    api.on("GET /api/v1/continuum", new FakeApi.Answer(503, null, ""));
    ClientRun r = mls("status");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo("mls: GET /api/v1/continuum answered 503 Service Unavailable\n");
  }

  @Test
  void forbiddenNamesTheRole() {
    api.on("DELETE /apps/remove/x", 403,
        "{\"title\": \"Forbidden\", \"status\": 403, \"detail\": \"viewers cannot remove apps\"}");
    ClientRun r = mls("apps", "remove-app", "x");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("viewers cannot remove apps").contains("--token");
  }
}
