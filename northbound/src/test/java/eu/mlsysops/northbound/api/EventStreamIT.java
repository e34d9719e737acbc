package eu.mlsysops.northbound.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server-sent event stream. */
class EventStreamIT {
  @TempDir static Path dir;
  static ApiFixture api;

  @BeforeAll
  static void start() {
    api = ApiFixture.start(dir);
  }

  @AfterAll
  static void stop() {
    assertThat(api.server.internalErrors()).isZero();
    api.close();
  }

  @Test
  void clientReceivesAnAppEventAfterADeploy() throws Exception {
    HttpResponse<InputStream> r = api.http.send(HttpRequest.newBuilder(
            api.uri("/api/v1/events?token=" + api.admin))
        .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          lines.add(line);
        }
      } catch (Exception e) {
        // the stream ends when the test closes the server
      }
    });
    reader.setDaemon(true);
    reader.start();
    await().atMost(5, TimeUnit.SECONDS).until(() -> api.events.subscriberCount() == 1);

    api.postYaml("/api/v1/apps", api.admin, ApiFixture.demoApp("streamed"));

    await().atMost(10, TimeUnit.SECONDS).until(() -> {
      int i = lines.indexOf("event: app");
      return i >= 0 && i + 1 < lines.size();
    });
    int i = lines.indexOf("event: app");
    String data = lines.get(i + 1);
    assertThat(data).startsWith("data: ");
    var json = Json.MAPPER.readTree(data.substring(6));
    assertThat(json.get("kind").asText()).isEqualTo("app");
    assertThat(json.get("agent").asText()).isEqualTo("demo-continuum");
    assertThat(json.get("message").asText()).contains("streamed");
    assertThat(json.get("time").asText()).endsWith("Z");
    await().atMost(20, TimeUnit.SECONDS).until(() -> lines.contains("event: instance"));
    r.body().close();
  }

  @Test
  void anUnschedulableComponentIsAPlacementEventWithItsReason() throws Exception {
    HttpResponse<InputStream> r = api.http.send(HttpRequest.newBuilder(
            api.uri("/api/v1/events?token=" + api.admin))
        .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          lines.add(line);
        }
      } catch (Exception e) {
        // the stream ends when the test closes it
      }
    });
    reader.setDaemon(true);
    reader.start();
    await().atMost(5, TimeUnit.SECONDS).until(() -> lines.contains(": connected"));

    api.postYaml("/api/v1/apps", api.admin, PlacementRoutesIT.NEEDS_A_MISSING_CAMERA
        .replace("NAME", "nowhere"));

    await().atMost(20, TimeUnit.SECONDS).until(() -> {
      int i = lines.indexOf("event: placement");
      return i >= 0 && i + 1 < lines.size();
    });
    String data = lines.get(lines.indexOf("event: placement") + 1);
    var json = Json.MAPPER.readTree(data.substring("data: ".length()));
    assertThat(json.get("kind").asText()).isEqualTo("placement");
    assertThat(json.get("message").asText()).startsWith("nowhere/spotter unschedulable: ")
        .contains("missing sensor camera/imx477");
    r.body().close();
  }

  @Test
  void headerTokenWorksAndAcceptIsRequired() throws Exception {
    HttpResponse<String> noAccept = api.get("/api/v1/events");
    assertThat(noAccept.statusCode()).isEqualTo(406);
    HttpResponse<InputStream> r = api.http.send(HttpRequest.newBuilder(api.uri("/api/v1/events"))
            .header("Authorization", "Bearer " + api.admin).header("Accept", "text/event-stream")
            .timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    r.body().close();
    assertThat(api.get("/api/v1/events?token=wrong", null).statusCode()).isEqualTo(401);
  }

  private HttpResponse<InputStream> open(String token) throws Exception {
    return api.http.send(HttpRequest.newBuilder(api.uri("/api/v1/events"))
            .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream")
            .timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofInputStream());
  }

  @Test
  void oneTokenCannotTakeEveryStreamSlot() throws Exception {
    String viewer = api.token(Role.VIEWER, "greedy");
    List<HttpResponse<InputStream>> held = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < EventStream.MAX_PER_TOKEN; i++) {
        HttpResponse<InputStream> r = open(viewer);
        held.add(r);
        assertThat(r.statusCode()).as("stream %d", i + 1).isEqualTo(200);
      }

      HttpResponse<InputStream> refused = open(viewer);
      String body = new String(refused.body().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(refused.statusCode()).as(body).isEqualTo(429);
      assertThat(body).contains("the token \\\"greedy\\\" already has "
          + EventStream.MAX_PER_TOKEN + " event streams open");
      HttpResponse<InputStream> admin = open(api.admin);
      assertThat(admin.statusCode()).isEqualTo(200);
      admin.body().close();
    } finally {
      for (HttpResponse<InputStream> r : held) {
        r.body().close();
      }
    }
    // Closed streams give their slots back (the server notices at its next write); the other
    // tests here count subscribers, so wait until every one of these is gone.
    await().atMost(120, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(500))
        .until(() -> api.events.subscriberCount() == 0);
    HttpResponse<InputStream> again = open(viewer);
    assertThat(again.statusCode()).isEqualTo(200);
    again.body().close();
    await().atMost(120, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(500))
        .until(() -> api.events.subscriberCount() == 0);
  }
}
