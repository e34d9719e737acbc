package eu.mlsysops.northbound.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.mlsysops.agent.tier.ClusterStatus;
import eu.mlsysops.agent.tier.ContinuumPort;
import eu.mlsysops.model.DisconnectPolicy;
import eu.mlsysops.protocol.tls.CertificateAuthority;
import eu.mlsysops.protocol.tls.JoinRequest;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remote nodes joining a cluster: an admin asks for a one-time token ({@code POST
 * /infra/join-tokens}, {@code mls infra join-token}); the node sends it with a certificate request
 * ({@code POST /infra/join}, {@code mls agent node --join}) and gets its certificate, the CA and
 * where its cluster listens. The join route is public: the token is its credential. A continuum
 * without {@link JoinSettings} (agents in one process, or no CA key) answers 409 saying why.
 */
final class JoinRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(JoinRoutes.class);

  private final ContinuumPort continuum;
  private final ContinuumViews views;
  private final JoinSettings settings;
  private final JoinTokens tokens;

  /**
   * @param settings the CA and cluster endpoints, or null when this continuum cannot take nodes
   * @param tokens where join tokens are kept
   */
  JoinRoutes(ContinuumPort continuum, ContinuumViews views, JoinSettings settings,
      JoinTokens tokens) {
    this.continuum = continuum;
    this.views = views;
    this.settings = settings;
    this.tokens = tokens;
  }

  void register(RouteTable r) {
    r.post("/api/v1/infra/join-tokens", Role.ADMIN, this::createToken);
    r.get("/api/v1/infra/join-tokens", Role.ADMIN, (ctx, who) -> {
      List<Map<String, Object>> out = new ArrayList<>();
      for (JoinTokens.Pending p : tokens.list()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cluster", p.cluster());
        m.put("node", p.node());
        m.put("parent", p.parent());
        m.put("expires", p.expires().toString());
        out.add(m);
      }
      Json.send(ctx, 200, Page.of(ctx, out));
    });
    r.post("/api/v1/infra/join", null, this::join);
  }

  private void createToken(Context ctx, Principal who) {
    RequestBodies.requireMediaType(ctx, RequestBodies.JSON);
    ObjectNode body = Json.readObject(RequestBodies.text(ctx));
    String cluster = text(body, "cluster", true);
    String node = text(body, "node", false);
    String parent = text(body, "parent", false);
    Duration ttl = JoinTokens.DEFAULT_TTL;
    String ttlText = text(body, "ttl", false);
    if (ttlText != null) {
      try {
        ttl = DisconnectPolicy.parseDuration(ttlText);
      } catch (IllegalArgumentException e) {
        throw field("ttl", e.getMessage());
      }
      if (ttl.isZero() || ttl.compareTo(JoinTokens.MAX_TTL) > 0) {
        throw field("ttl", "must be longer than zero and at most 24h, got " + ttlText);
      }
    }
    Map<String, Object> out = issue(ctx, cluster, node, parent, ttl, null, "parent");
    Json.send(ctx, 201, out);
  }

  /**
   * A token for {@code node} (any name when null) to join {@code cluster}, with what the node's
   * operator needs: the CA hash to check and the command to run.
   *
   * @param descriptor the node's descriptor (JSON) when it was registered through the API
   * @param parentField what to name when the cluster's address is missing: the request's field
   */
  Map<String, Object> issue(Context ctx, String cluster, String node, String parent,
      Duration ttl, String descriptor, String parentField) {
    JoinSettings s = requireSettings();
    if (continuum.continuum().clusters().stream().map(ClusterStatus::id)
        .noneMatch(cluster::equals) && !s.clusterEndpoints().containsKey(cluster)) {
      throw new ApiProblem(404, "cluster: no cluster \"" + cluster + "\" in this continuum",
          List.of(ApiProblem.entry("cluster", "no cluster \"" + cluster + "\" in this continuum",
              "error")));
    }
    if (node != null) {
      checkName(node);
    }
    String where = parent != null ? parent : s.clusterEndpoints().get(cluster);
    if (where == null) {
      throw field(parentField, "the continuum does not know where cluster " + cluster
          + " listens for node agents (its cluster_endpoints); "
          + (parentField.equals("parent") ? "give its host:port"
              : "create a join token with parent instead"));
    }
    if (!JoinSettings.isHostPort(where)) {
      throw field("parent", "\"" + where + "\" is not host:port");
    }
    String token = tokens.create(cluster, node, where, ttl, descriptor);
    String caHash = JoinRequest.caHash(s.ca().certificate());
    String url = ctx.scheme() + "://" + ctx.host();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("token", token);
    out.put("cluster", cluster);
    out.put("node", node);
    out.put("parent", where);
    out.put("expires", tokens.find(token).map(p -> p.expires().toString()).orElse(""));
    out.put("ca_hash", caHash);
    out.put("join_url", url);
    // Without a name in the token the node takes its host's name, or the one --name gives.
    out.put("command", "mls agent node --join " + url + " --token " + token + " --ca-hash "
        + caHash + (node == null ? "" : " --name " + node));
    return out;
  }

  private void join(Context ctx, Principal who) throws IOException {
    JoinSettings s = requireSettings();
    RequestBodies.requireMediaType(ctx, RequestBodies.JSON);
    ObjectNode body = Json.readObject(RequestBodies.text(ctx));
    String token = text(body, "token", true);
    String node = text(body, "node", true);
    String csr = text(body, "csr", true);
    // One join at a time: checking the name, signing and using the token up are one step.
    synchronized (this) {
      JoinTokens.Pending p = tokens.find(token).orElseThrow(() -> new ApiProblem(401,
          "token: not a join token of this continuum, used already, or expired",
          List.of(ApiProblem.entry("token", "unknown, used or expired", "error"))));
      if (p.node() != null && !p.node().equals(node)) {
        throw field("node", "this token is for node " + p.node());
      }
      checkName(node);
      // Everything that can fail goes before the signature: a refused join keeps the token and
      // the name free for another try.
      JsonNode descriptor = p.descriptor() == null ? null : Json.MAPPER.readTree(p.descriptor());
      String caPem = s.ca().certificatePem();
      X509Certificate cert;
      try {
        cert = s.ca().signJoin(node, csr, p.cluster());
      } catch (IllegalArgumentException e) {
        String m = e.getMessage();
        int colon = m.indexOf(':');
        throw field(colon > 0 ? m.substring(0, colon) : "csr", colon > 0
            ? m.substring(colon + 1).trim() : m);
      } catch (FileAlreadyExistsException e) {
        throw ApiProblem.conflict("node: \"" + node + "\" already has a certificate from this"
            + " continuum's CA; choose another name");
      }
      tokens.consume(p); // in memory at once; a failed save is logged, the token is used up
      LOG.info("node {} joined cluster {} (certificate serial {})", node, p.cluster(),
          cert.getSerialNumber().toString(16));
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("node", node);
      out.put("cluster", p.cluster());
      out.put("parent", p.parent());
      out.put("parent_name", p.cluster());
      out.put("certificate", CertificateAuthority.pem(cert));
      out.put("ca", caPem);
      out.put("descriptor", descriptor);
      Json.send(ctx, 200, out);
    }
  }

  private JoinSettings requireSettings() {
    if (settings == null) {
      throw ApiProblem.conflict(continuum.remoteClusters()
          ? "this continuum cannot issue certificates: joining needs the CA key (ca-key.pem) in"
              + " the continuum agent's cert_dir"
          : "nodes join clusters that run as processes (mls up --processes, mls agent cluster);"
              + " this continuum's clusters run inside it: register nodes with /infra/register");
    }
    return settings;
  }

  /** A node name not taken by a node or cluster of this continuum. */
  private void checkName(String node) {
    try {
      CertificateAuthority.checkAgentName(node); // the name its certificate will carry
    } catch (IllegalArgumentException e) {
      throw field("node", e.getMessage());
    }
    // Agent names are certificate names: a node must not take a cluster's, the continuum's, or
    // another node's (an offline one's too: it is still in its cluster's inventory).
    boolean taken = views.nodes().stream().anyMatch(n -> node.equals(n.get("name")))
        || continuum.continuum().clusters().stream().anyMatch(c -> c.id().equals(node))
        || continuum.continuum().id().equals(node)
        || settings.clusterEndpoints().containsKey(node);
    if (taken) {
      throw ApiProblem.conflict("node: a node or cluster named \"" + node + "\" already exists");
    }
  }

  private static String text(ObjectNode body, String field, boolean required) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      if (required) {
        throw field(field, "required");
      }
      return null;
    }
    if (!n.isTextual() || n.asText().isBlank()) {
      throw field(field, "must be a non-empty string");
    }
    return n.asText().trim();
  }

  private static ApiProblem field(String field, String message) {
    return new ApiProblem(400, field + ": " + message,
        List.of(ApiProblem.entry(field, message, "error")));
  }
}
