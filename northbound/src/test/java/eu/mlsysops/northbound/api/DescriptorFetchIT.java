package eu.mlsysops.northbound.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Descriptor fetches from a server that stalls after its headers cannot take the API down: beyond
 * a few at once they are refused, and the server keeps answering everything else.
 */
class DescriptorFetchIT {
  @TempDir Path dir;

  @Test
  void stallingFetchesDoNotStopTheServerFromAnswering() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    HttpServer stalling = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    stalling.setExecutor(Executors.newCachedThreadPool());
    stalling.createContext("/app.yaml", ex -> {
      ex.sendResponseHeaders(200, 0);
      OutputStream o = ex.getResponseBody();
      o.write("MLSysOpsApp:\n".getBytes(StandardCharsets.UTF_8));
      o.flush();
      try {
        release.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ex.close();
    });
    stalling.start();
    try (ApiFixture api = ApiFixture.start(dir)) {
      String body = "{\"uri\": \"http://127.0.0.1:" + stalling.getAddress().getPort()
          + "/app.yaml\"}";
      List<CompletableFuture<HttpResponse<String>>> fetches = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        fetches.add(api.http.sendAsync(HttpRequest.newBuilder(api.uri("/apps/deploy"))
            .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + api.admin)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString()));
      }
      // Beyond the few the server fetches at once, the rest are refused without waiting (a slow
      // machine may let a few more in as early fetches reach their deadline).
      await().atMost(60, TimeUnit.SECONDS).until(() -> fetches.stream()
          .filter(f -> f.isDone() && f.join().statusCode() == 503).count()
          >= 40 - 3 * DescriptorInput.MAX_CONCURRENT);
      // Meanwhile the server answers as ever.
      assertThat(api.get("/manage/ping").statusCode()).isEqualTo(200);
      assertThat(api.get("/api/v1/apps").statusCode()).isEqualTo(200);
      // The stalled ones end at the fetch deadline, with a 400 that quotes nothing.
      await().atMost(60, TimeUnit.SECONDS).until(() -> fetches.stream().allMatch(
          CompletableFuture::isDone));
      assertThat(fetches.stream().map(f -> f.join().statusCode()))
          .containsOnly(400, 503);
      assertThat(fetches.stream().map(f -> f.join().body()))
          .noneMatch(b -> b.contains("MLSysOpsApp:"));
    } finally {
      release.countDown();
      stalling.stop(0);
    }
  }
}
