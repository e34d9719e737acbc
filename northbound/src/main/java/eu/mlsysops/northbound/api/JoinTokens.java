package eu.mlsysops.northbound.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * One-time, expiring tokens that let a node join a cluster, kept in {@code
 * <data-dir>/join-tokens.json} (owner-only) as SHA-256 hashes, so a restarted continuum still
 * honours the tokens it gave out and a copy of the file gives none away. A token is used up by
 * the join it authorises; expired ones are dropped.
 */
final class JoinTokens {
  /** Pending tokens at most: each one is a credential to watch, not a work queue. */
  static final int MAX_PENDING = 1_000;
  static final Duration DEFAULT_TTL = Duration.ofMinutes(15);
  static final Duration MAX_TTL = Duration.ofHours(24);
  private static final String PREFIX = "mlsjoin_";

  /**
   * A token not yet used.
   *
   * @param hash SHA-256 of the token, hex
   * @param cluster the cluster the node joins
   * @param node the only name the node may take, or null for any
   * @param parent {@code host:port} of the cluster's node port
   * @param expires when it stops working
   * @param descriptor the node's descriptor as JSON when it was registered through the API, or
   *     null
   */
  record Pending(String hash, String cluster, String node, String parent, Instant expires,
      String descriptor) {}

  private final Path file;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final List<Pending> pending = new ArrayList<>();

  JoinTokens(Path dataDir, Clock clock) {
    this.file = dataDir.resolve("join-tokens.json");
    this.clock = clock;
    if (Files.exists(file)) {
      try {
        for (JsonNode n : Json.MAPPER.readTree(Files.readString(file))) {
          pending.add(new Pending(n.path("hash").asText(), n.path("cluster").asText(),
              n.hasNonNull("node") ? n.get("node").asText() : null, n.path("parent").asText(),
              Instant.parse(n.path("expires").asText()),
              n.hasNonNull("descriptor") ? n.get("descriptor").asText() : null));
        }
      } catch (IOException | RuntimeException e) {
        throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
      }
    }
  }

  /** A new token; its secret exists only in what this returns. */
  synchronized String create(String cluster, String node, String parent, Duration ttl,
      String descriptor) {
    dropExpired();
    if (pending.size() >= MAX_PENDING) {
      throw ApiProblem.conflict("join tokens: " + MAX_PENDING + " are pending, the most this"
          + " continuum keeps; let some be used or expire");
    }
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    pending.add(new Pending(hash(token), cluster, node, parent, clock.instant().plus(ttl),
        descriptor));
    save();
    return token;
  }

  /** The pending token {@code token} stands for, if it is one and has not expired. */
  synchronized Optional<Pending> find(String token) {
    dropExpired();
    if (token == null || !token.startsWith(PREFIX)) {
      return Optional.empty();
    }
    String h = hash(token);
    return pending.stream().filter(p -> MessageDigest.isEqual(p.hash().getBytes(),
        h.getBytes())).findFirst();
  }

  /**
   * Uses a token up: at once in memory, then on disk. A failed save is logged, not thrown: the
   * join it authorised has happened, and the file is rewritten at the next change.
   *
   * @return false when it was used meanwhile
   */
  synchronized boolean consume(Pending p) {
    boolean removed = pending.remove(p);
    if (removed) {
      try {
        save();
      } catch (UncheckedIOException e) {
        System.getLogger(JoinTokens.class.getName()).log(System.Logger.Level.WARNING,
            "a used join token stays in " + file + " until the next change: " + e.getMessage());
      }
    }
    return removed;
  }

  /** The pending tokens, soonest to expire first. */
  synchronized List<Pending> list() {
    dropExpired();
    return pending.stream().sorted(java.util.Comparator.comparing(Pending::expires)).toList();
  }

  private void dropExpired() {
    Instant now = clock.instant();
    boolean changed = false;
    for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
      if (!it.next().expires().isAfter(now)) {
        it.remove();
        changed = true;
      }
    }
    if (changed) {
      save();
    }
  }

  private void save() {
    ArrayNode all = Json.MAPPER.createArrayNode();
    for (Pending p : pending) {
      ObjectNode n = all.addObject();
      n.put("hash", p.hash());
      n.put("cluster", p.cluster());
      n.put("node", p.node());
      n.put("parent", p.parent());
      n.put("expires", p.expires().toString());
      n.put("descriptor", p.descriptor());
    }
    try {
      TokenStore.writePrivate(file, Json.MAPPER.writeValueAsString(all));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static String hash(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
