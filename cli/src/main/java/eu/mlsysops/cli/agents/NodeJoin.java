package eu.mlsysops.cli.agents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import eu.mlsysops.protocol.tls.AgentCredentials;
import eu.mlsysops.protocol.tls.JoinRequest;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * {@code mls agent node --join URL --token T --ca-hash H [--name N]}: a node joins a cluster of a
 * running continuum. It makes its key (which never leaves it) and a certificate request, sends it
 * with the one-time token to the continuum, checks the CA it gets against the hash the token came
 * with, and writes its certificates, descriptor (when the node was registered through the API)
 * and configuration to its data directory. From then on it runs as any node agent; run again, the
 * same command starts it from that configuration (the token is not needed twice).
 */
public final class NodeJoin {
  static final String CONFIG = "agent.yaml";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = "--join", required = true, paramLabel = "URL",
      description = "the continuum's northbound URL, e.g. http://continuum:8080")
  URI url;

  @Option(names = "--token", paramLabel = "TOKEN",
      description = "the join token (mls infra join-token); not needed once joined")
  String token;

  @Option(names = "--ca-hash", paramLabel = "sha256:HEX",
      description = "the CA hash printed with the token: the node trusts that CA only")
  String caHash;

  @Option(names = "--name", paramLabel = "NAME",
      description = "the node's name (default: this host's name)")
  String name;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "where the node keeps its certificates, configuration and state"
          + " (default: ~/.mlsysops/agents/NAME)")
  Path dataDir;

  @Option(names = "--continuum-layer", paramLabel = "LAYER",
      description = "the node's layer when its descriptor is generated (default edge)")
  String layer;

  /** Joins (or finds the node joined already) and returns the configuration to run with. */
  AgentFileConfig join(PrintWriter out, PrintWriter err) throws IOException, InterruptedException {
    String node = name != null ? name : hostName();
    Path dir = dataDir != null ? dataDir
        : Path.of(System.getProperty("user.home"), ".mlsysops", "agents", node);
    Path configFile = dir.resolve(CONFIG);
    if (Files.exists(configFile)) {
      out.println("joined already (" + configFile + "); starting from it");
      return AgentFileConfig.load(AgentFileConfig.Tier.NODE, configFile, System.getenv());
    }
    if (token == null || caHash == null) {
      throw new IllegalArgumentException("--token and --ca-hash: required to join (both are"
          + " printed by mls infra join-token)");
    }
    JoinRequest request;
    try {
      request = JoinRequest.create(node);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--name: " + e.getMessage()
          + (name == null ? " (this host's name; give one with --name)" : ""), e);
    }
    if ("http".equalsIgnoreCase(url.getScheme()) && !loopback(url.getHost())) {
      // The CA hash protects the certificate and the CA, not the token: on the way it can be
      // read and used first. The node then fails to join, but loudly.
      err.println("warning: " + url + " is plain HTTP: the join token travels unencrypted;"
          + " use https where the network is not trusted");
      err.flush();
    }
    String body = JSON.createObjectNode().put("token", token).put("node", node)
        .put("csr", request.csrPem()).toString();
    URI joinUri = url.resolve("/api/v1/infra/join");
    HttpResponse<String> r;
    try {
      r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build().send(
          HttpRequest.newBuilder(joinUri).timeout(Duration.ofSeconds(30))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IOException("--join: cannot reach " + joinUri + " (" + e.getMessage() + ")", e);
    }
    JsonNode answer;
    try {
      answer = JSON.readTree(r.body());
    } catch (IOException e) {
      throw new IOException("--join: " + joinUri + " answered " + r.statusCode()
          + " without JSON; is it an MLSysOps continuum?");
    }
    if (r.statusCode() != 200) {
      throw new IOException("the continuum refused the join (" + r.statusCode() + "): "
          + answer.path("detail").asText(r.body()));
    }
    Path certs = dir.resolve("certs");
    AgentCredentials creds = request.save(certs, answer.path("certificate").asText(),
        answer.path("ca").asText(), caHash);
    // The cluster is the one the CA signed into the certificate, not what the answer says; and
    // the address must be one: both end up in the configuration.
    String cluster = AgentCredentials.joinedCluster(creds.certificate());
    String parent = answer.path("parent").asText();
    if (cluster == null || !eu.mlsysops.northbound.api.JoinSettings.isHostPort(parent)) {
      throw new IOException("the continuum's answer is not a join: parent \"" + parent
          + "\", cluster " + cluster);
    }
    com.fasterxml.jackson.databind.node.ObjectNode yaml = JSON.createObjectNode()
        .put("name", node).put("parent", parent).put("parent_name", cluster)
        .put("cert_dir", certs.toAbsolutePath().toString())
        .put("data_dir", dir.resolve("state").toAbsolutePath().toString());
    JsonNode descriptor = answer.path("descriptor");
    if (descriptor.isObject()) {
      Path d = dir.resolve("descriptor.json");
      Files.writeString(d, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(descriptor));
      yaml.put("descriptor", d.toAbsolutePath().toString());
    } else if (layer != null) {
      yaml.put("continuum_layer", layer);
    }
    Files.writeString(configFile, "# written by mls agent node --join " + url + "\n"
        + new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
            .writeValueAsString(yaml));
    out.println("joined cluster " + cluster + " as " + node
        + "; certificates in " + certs + ", configuration in " + configFile);
    out.flush();
    return AgentFileConfig.load(AgentFileConfig.Tier.NODE, configFile, System.getenv());
  }

  private static boolean loopback(String host) {
    try {
      return host != null && java.net.InetAddress.getByName(host).isLoopbackAddress();
    } catch (IOException e) {
      return false;
    }
  }

  /** This host's name as a node name: lower case, other characters as '-'. */
  static String hostName() {
    String h;
    try {
      h = java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      h = "node";
    }
    String n = h.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-")
        .replaceAll("^[-.]+|[-.]+$", "");
    return n.isEmpty() ? "node" : n;
  }
}
