package eu.mlsysops.northbound.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DescriptorInputTest {
  private static final Principal ADMIN = new Principal("root", Role.ADMIN);
  private static final Principal DEVELOPER = new Principal("dev", Role.DEVELOPER);
  private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();
  /** Lets stalled handlers of the test server go at the end of a test. */
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void closeAll() throws Exception {
    release.countDown();
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  private static ObjectNode uriBody(String uri) {
    return Json.readObject("{\"uri\": \"" + uri + "\"}");
  }

  private DescriptorInput input(boolean allowPrivate, Set<String> openHosts, Duration deadline) {
    DescriptorInput in = new DescriptorInput(allowPrivate, openHosts, deadline);
    open.add(in);
    return in;
  }

  private DescriptorInput lenient() {
    return input(true, Set.of(), Duration.ofSeconds(10));
  }

  /** A local server answering {@code path} with {@code handler}; returns its base URL. */
  private String serve(String path, HttpHandler handler) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext(path, handler);
    server.start();
    open.add(() -> server.stop(0));
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private static HttpHandler text(String body) {
    return ex -> {
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, b.length);
      try (OutputStream o = ex.getResponseBody()) {
        o.write(b);
      }
    };
  }

  /** Sends headers and a first line, then nothing until the test ends. */
  private HttpHandler stallAfterHeaders(AtomicInteger stalled) {
    return ex -> {
      ex.sendResponseHeaders(200, 0);
      OutputStream o = ex.getResponseBody();
      o.write("MLSysOpsApp:\n".getBytes(StandardCharsets.UTF_8));
      o.flush();
      stalled.incrementAndGet();
      try {
        release.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ex.close();
    };
  }

  @Test
  void neverFetchesFromLinkLocalAddressesSuchAsCloudMetadata() {
    assertThatThrownBy(() -> lenient().referenceBody(
            uriBody("http://169.254.169.254/latest/meta-data"), ADMIN))
        .isInstanceOf(ApiProblem.class)
        .hasMessageContaining("169.254.169.254, an address this server does not fetch from");
  }

  @Test
  void refusesLoopbackAndPrivateAddressesWhenServingBeyondLoopback() {
    DescriptorInput strict = input(false, Set.of(), Duration.ofSeconds(10));
    for (String uri : new String[] {"http://127.0.0.1:1/x", "http://10.1.2.3/app.yaml",
        "http://192.168.0.7/app.yaml", "http://[fd00::1]/app.yaml", "http://100.64.0.1/a",
        "http://localhost:1/x"}) {
      assertThatThrownBy(() -> strict.referenceBody(uriBody(uri), ADMIN)).as(uri)
          .isInstanceOf(ApiProblem.class)
          .hasMessageContaining("upload the descriptor instead");
    }
  }

  @Test
  void followsRedirectsOnTheSameHostOnly() throws Exception {
    String base = serve("/", ex -> {
      String path = ex.getRequestURI().getPath();
      if (path.equals("/app.yaml")) {
        ex.getResponseHeaders().add("Location", "/moved.yaml");
        ex.sendResponseHeaders(302, -1);
      } else if (path.equals("/moved.yaml")) {
        text("kind: x\n").handle(ex);
        return;
      } else {
        ex.getResponseHeaders().add("Location", "http://169.254.169.254/latest/meta-data");
        ex.sendResponseHeaders(302, -1);
      }
      ex.close();
    });
    assertThat(lenient().referenceBody(uriBody(base + "/app.yaml"), ADMIN).text())
        .isEqualTo("kind: x\n");
    assertThatThrownBy(() -> lenient().referenceBody(uriBody(base + "/elsewhere"), ADMIN))
        .isInstanceOf(ApiProblem.class)
        .hasMessageContaining("redirected to another host (169.254.169.254)");
  }

  @Test
  void refusesSchemesOtherThanHttp() {
    assertThatThrownBy(() -> lenient().referenceBody(uriBody("file:///etc/passwd"), ADMIN))
        .hasMessage("\"uri\" must be an http or https URL");
  }

  @Test
  void onlyAdminsHaveDescriptorsFetchedUnlessTheHostIsOpen() throws Exception {
    String base = serve("/app.yaml", text("kind: x\n"));
    assertThatThrownBy(() -> lenient().referenceBody(uriBody(base + "/app.yaml"), DEVELOPER))
        .isInstanceOf(ApiProblem.class)
        .satisfies(e -> assertThat(((ApiProblem) e).status()).isEqualTo(403))
        .hasMessageContaining("only admins may have the server fetch descriptors");
    DescriptorInput open = input(true, Set.of("127.0.0.1"), Duration.ofSeconds(10));
    assertThat(open.referenceBody(uriBody(base + "/app.yaml"), DEVELOPER).text())
        .isEqualTo("kind: x\n");
  }

  @Test
  void oneDeadlineCoversTheWholeFetchWhenTheServerStallsAfterItsHeaders() throws Exception {
    AtomicInteger stalled = new AtomicInteger();
    String base = serve("/slow.yaml", stallAfterHeaders(stalled));
    // Whatever the machine's speed, a body that never ends makes the fetch fail at its deadline
    // (without one it would wait forever: the headers came).
    DescriptorInput in = input(true, Set.of(), Duration.ofSeconds(2));
    assertThatThrownBy(() -> in.referenceBody(uriBody(base + "/slow.yaml"), ADMIN))
        .isInstanceOf(ApiProblem.class)
        .hasMessageContaining("failed to fetch data from URI: not done");
  }

  @Test
  void fetchesBeyondTheConcurrencyCapAreRefusedAtOnce() throws Exception {
    AtomicInteger stalled = new AtomicInteger();
    String base = serve("/slow.yaml", stallAfterHeaders(stalled));
    DescriptorInput in = input(true, Set.of(), Duration.ofSeconds(30));
    var pool = Executors.newFixedThreadPool(DescriptorInput.MAX_CONCURRENT);
    open.add(pool::shutdownNow);
    for (int i = 0; i < DescriptorInput.MAX_CONCURRENT; i++) {
      pool.execute(() -> {
        try {
          in.referenceBody(uriBody(base + "/slow.yaml"), ADMIN);
        } catch (ApiProblem expected) {
          // the test ends the stalls
        }
      });
    }
    await().atMost(60, TimeUnit.SECONDS)
        .until(() -> stalled.get() == DescriptorInput.MAX_CONCURRENT);
    assertThatThrownBy(() -> in.referenceBody(uriBody(base + "/slow.yaml"), ADMIN))
        .isInstanceOf(ApiProblem.class)
        .satisfies(e -> assertThat(((ApiProblem) e).status()).isEqualTo(503))
        .hasMessageContaining("descriptor fetches are in progress");
  }

  @Test
  void whatWasFetchedIsNeverQuotedBack() throws Exception {
    String base = serve("/passwd", text("root:x:0:0:root:/root:/bin/bash\n"));
    DescriptorInput in = lenient();
    DescriptorInput.Text fetched = in.referenceBody(uriBody(base + "/passwd"), ADMIN);
    assertThatThrownBy(() -> in.app(fetched))
        .isInstanceOf(ApiProblem.class)
        .hasMessageContaining("the document at \"uri\" is not a valid descriptor")
        .satisfies(e -> assertThat(e.getMessage() + ((ApiProblem) e).errors())
            .doesNotContain("root:x"));
  }

  @Test
  void documentsOverOneMebibyteAreRefused() throws Exception {
    String base = serve("/big.yaml", text("#".repeat(RequestBodies.MAX_BYTES + 10)));
    assertThatThrownBy(() -> lenient().referenceBody(uriBody(base + "/big.yaml"), ADMIN))
        .isInstanceOf(ApiProblem.class)
        .satisfies(e -> assertThat(((ApiProblem) e).status()).isEqualTo(413));
  }

  @Test
  void descriptorsBeyondThoseParsedAtOnceAreRefusedAsBusyAfterAShortWait() {
    String app = "MLSysOpsApp: {name: a, components: [{metadata: {name: c},"
        + " containers: [{image: i}]}]}";
    DescriptorInput one = new DescriptorInput(true, Set.of(), Duration.ofSeconds(10), 1,
        Duration.ofMillis(100), eu.mlsysops.model.AppLimits.DEFAULT);
    open.add(one);
    // The permit is given back after each parse.
    assertThat(one.one(app, "a.yaml").descriptor().name()).isEqualTo("a");
    assertThat(one.one(app, "b.yaml").descriptor().name()).isEqualTo("a");

    DescriptorInput none = new DescriptorInput(true, Set.of(), Duration.ofSeconds(10), 0,
        Duration.ofMillis(100), eu.mlsysops.model.AppLimits.DEFAULT);
    open.add(none);
    assertThatThrownBy(() -> none.one(app, "c.yaml")).isInstanceOfSatisfying(ApiProblem.class,
        p -> {
          assertThat(p.status()).isEqualTo(503);
          assertThat(p.retryAfterSeconds()).isEqualTo(1);
          assertThat(p.getMessage()).contains("try again");
        });
  }

  @Test
  void anAppOverTheServersLimitsIsRefusedNamingTheLimit() {
    DescriptorInput small = new DescriptorInput(true, Set.of(),
        eu.mlsysops.model.AppLimits.parse("components=1"));
    open.add(small);
    String two = "MLSysOpsApp: {name: a, components: [{metadata: {name: c}, containers:"
        + " [{image: i}]}, {metadata: {name: d}, containers: [{image: i}]}]}";

    assertThatThrownBy(() -> small.one(two, "a.yaml")).isInstanceOfSatisfying(ApiProblem.class,
        p -> {
          assertThat(p.status()).isEqualTo(400);
          assertThat(p.errors()).anySatisfy(e -> assertThat(e.get("message"))
              .isEqualTo("at most 1 components per app (app limit components), got 2"));
        });
  }
}
