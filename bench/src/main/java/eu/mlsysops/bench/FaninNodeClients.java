package eu.mlsysops.bench;

import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.protocol.Message;
import eu.mlsysops.protocol.grpc.GrpcLink;
import eu.mlsysops.protocol.tls.AgentCredentials;
import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.otlp.OtlpMetricsEncoder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The node side of {@code bench/run cluster-fanin}, in its own JVM: N simulated node agents, each a
 * real {@link GrpcLink} with its own certificate, registering, heart-beating every second and
 * sending a telemetry batch (four node metrics, OTLP) every second. Commands on stdin: {@code kill
 * NAME} closes that node's link without a word, as a crashed host would, and prints {@code killed
 * NAME EPOCH_MILLIS}.
 *
 * <p>Usage: {@code FaninNodeClients HOST:PORT CERT_DIR COUNT}
 */
public final class FaninNodeClients {
  private FaninNodeClients() {}

  public static void main(String[] args) throws Exception {
    String[] hp = args[0].split(":");
    Path certs = Path.of(args[1]);
    int count = Integer.parseInt(args[2]);
    ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
    List<GrpcLink> links = new ArrayList<>();
    List<String> names = new ArrayList<>();
    Random random = new Random(1);
    for (int i = 0; i < count; i++) {
      String name = FaninBenchmark.nodeName(i);
      NodeDescriptor d =
          (NodeDescriptor)
              Descriptors.parse(
                      """
MLSysOpsNode:
  name: %s
  cluster_id: c1
  continuum_layer: edge
  environment: {node_type: native, os: ubuntu, container_runtime: [containerd]}
  hardware: {cpu: {architecture: amd64, cores: 4, frequency: [1.0, 2.0]}, memory: 4}
"""
                          .formatted(name),
                      name,
                      ParseOptions.DEFAULT)
                  .descriptors()
                  .get(0);
      GrpcLink link =
          GrpcLink.builder(hp[0], Integer.parseInt(hp[1]))
              .tls(AgentCredentials.load(certs, name))
              .expectedParent("c1")
              .backoff(Duration.ofMillis(500), Duration.ofSeconds(5))
              .connect();
      link.onConnectionChange(
          up -> {
            if (up) {
              link.send(new Message.Register(name, Message.Tier.NODE, d, null, List.of()));
            }
          });
      OtlpMetricsEncoder encoder = new OtlpMetricsEncoder(name);
      long phase = random.nextInt(1000); // spread the beats over the second, as real hosts do
      timers.scheduleAtFixedRate(
          () -> {
            if (!link.isConnected()) {
              return;
            }
            long now = System.currentTimeMillis();
            link.send(new Message.Heartbeat(name, now));
            Labels l = Labels.of("node", name);
            List<Sample> samples =
                List.of(
                    new Sample("node_cpu_utilization", l, now, random.nextDouble()),
                    new Sample("node_memory_utilization", l, now, random.nextDouble()),
                    new Sample("node_power_watts", l, now, 20 + 10 * random.nextDouble()),
                    new Sample("node_cpu_scaling_frequency_hertz", l, now, 2e9));
            link.send(
                new Message.TelemetryBatch(name, encoder.encode(samples, m -> Optional.empty())));
          },
          phase,
          1000,
          TimeUnit.MILLISECONDS);
      links.add(link);
      names.add(name);
    }
    System.out.println("started " + count);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      if (line.startsWith("kill ")) {
        String name = line.substring(5).trim();
        int i = names.indexOf(name);
        if (i >= 0) {
          links.get(i).close();
          System.out.println("killed " + name + " " + System.currentTimeMillis());
        }
      } else if (line.equals("quit")) {
        break;
      }
    }
    timers.shutdownNow();
    links.forEach(GrpcLink::close);
    System.exit(0);
  }
}
