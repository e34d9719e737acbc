package eu.mlsysops.northbound.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The API's bearer tokens, kept in {@code <data-dir>/tokens.json} (owner-only, 0600). Only a
 * SHA-256 of each token is stored; a token is 32 random bytes from {@link SecureRandom}, base64url
 * without padding. On first open an {@code admin} token is created and written alone to {@code
 * <data-dir>/admin.token} (0600); later opens reuse it.
 *
 * <p>A token may expire ({@code ttl} at creation) and can be revoked; expired and revoked tokens
 * authenticate nobody, and open event streams of such a token end within a second.
 */
public final class TokenStore {
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

  private final Path file;
  private final Path adminTokenFile;
  private final SecureRandom random = new SecureRandom();
  private final List<Entry> entries = new ArrayList<>();
  private final java.time.Clock clock;

  private TokenStore(Path dataDir, java.time.Clock clock) {
    this.file = dataDir.resolve("tokens.json");
    this.adminTokenFile = dataDir.resolve("admin.token");
    this.clock = clock;
  }

  /** A token as listed: never its secret. */
  record Info(String name, Role role, String created, String expires, boolean allowCommands,
      boolean expired) {}

  /**
   * Opens the token store of a data directory, creating it (with an admin token) the first time.
   *
   * @throws IllegalStateException when {@code tokens.json} cannot be read or written
   */
  public static TokenStore open(Path dataDir) {
    return open(dataDir, java.time.Clock.systemUTC());
  }

  /** As {@link #open(Path)}, with the clock expiry is judged by. */
  static TokenStore open(Path dataDir, java.time.Clock clock) {
    Objects.requireNonNull(dataDir, "dataDir");
    TokenStore s = new TokenStore(dataDir, clock);
    try {
      Files.createDirectories(dataDir);
      if (Files.exists(s.file)) {
        s.load();
        restrict(s.file);
      } else {
        String admin = s.newToken();
        s.entries.add(new Entry("admin", Role.ADMIN, hash(admin), clock.instant().toString(), "",
            false));
        s.save();
        writePrivate(s.adminTokenFile, admin);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot open the token store " + s.file + ": " + e.getMessage(), e);
    }
    return s;
  }

  /** Where the admin token created on first open was written. */
  public Path adminTokenFile() {
    return adminTokenFile;
  }

  /** The token file. */
  public Path file() {
    return file;
  }

  /**
   * Creates a token and persists it.
   *
   * @param role what the token may do
   * @param name who it is for: 1 to 64 of {@code A-Z a-z 0-9 . _ @ -}, unique
   * @return the token (shown once: only its hash is stored)
   * @throws IllegalArgumentException when the name is malformed or taken
   */
  public String create(Role role, String name) {
    return create(role, name, false, null);
  }

  /**
   * As {@link #create(Role, String)}; {@code allowCommands} lets a developer deploy apps whose
   * containers carry a {@code command} where nodes run local processes.
   */
  public synchronized String create(Role role, String name, boolean allowCommands,
      java.time.Duration ttl) {
    Objects.requireNonNull(role, "role");
    if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
      throw new IllegalArgumentException("ttl: must be positive");
    }
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "name: must be 1 to 64 of the characters A-Z a-z 0-9 . _ @ -");
    }
    if (entries.stream().anyMatch(e -> e.name.equals(name))) {
      throw new IllegalStateException("a token named \"" + name + "\" already exists");
    }
    String token = newToken();
    Instant now = clock.instant();
    entries.add(new Entry(name, role, hash(token), now.toString(),
        ttl == null ? "" : now.plus(ttl).toString(), allowCommands));
    try {
      save();
    } catch (IOException e) {
      entries.remove(entries.size() - 1);
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
    return token;
  }

  /** Who a token belongs to; compares every stored hash in constant time. */
  synchronized Optional<Principal> authenticate(String token) {
    if (token == null || token.isEmpty() || token.length() > 256) {
      return Optional.empty();
    }
    byte[] h = hash(token);
    Entry found = null;
    for (Entry e : entries) {
      // No early exit: the time taken does not depend on which entry matched.
      if (MessageDigest.isEqual(h, e.hash) && found == null) {
        found = e;
      }
    }
    return found == null || found.expiredAt(clock.instant()) ? Optional.empty()
        : Optional.of(new Principal(found.name, found.role, found.allowCommands));
  }

  /**
   * Whether an {@code Authorization} header ({@code Bearer TOKEN}; null when absent) holds a valid
   * token that may read every tenant's telemetry: a viewer's or an admin's (a developer sees only
   * its own apps). For scrape routes outside the API, such as the OTLP port's {@code /metrics}.
   */
  public boolean readsEverything(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    return authenticate(authorization.substring(7).trim())
        .map(p -> p.role() == Role.VIEWER || p.role() == Role.ADMIN).orElse(false);
  }

  /** Whether the token of {@code name} still authenticates (not revoked, not expired). */
  synchronized boolean valid(String name) {
    Instant now = clock.instant();
    return entries.stream().anyMatch(e -> e.name.equals(name) && !e.expiredAt(now));
  }

  /** Every token, without its secret, in the order they were created. */
  synchronized List<Info> list() {
    Instant now = clock.instant();
    return entries.stream().map(e -> new Info(e.name, e.role, e.created, e.expires,
        e.allowCommands, e.expiredAt(now))).toList();
  }

  /**
   * Revokes a token: it authenticates nobody from now on.
   *
   * @return false when there is no token of that name
   * @throws IllegalStateException when it is the last admin token that has not expired (nobody
   *     could administer the server any more)
   */
  synchronized boolean revoke(String name) {
    Entry e = entries.stream().filter(x -> x.name.equals(name)).findFirst().orElse(null);
    if (e == null) {
      return false;
    }
    Instant now = clock.instant();
    if (e.role == Role.ADMIN && entries.stream()
        .noneMatch(x -> x != e && x.role == Role.ADMIN && !x.expiredAt(now))) {
      throw new IllegalStateException("\"" + name + "\" is the last admin token; create"
          + " another admin token before revoking it");
    }
    entries.remove(e);
    try {
      save();
    } catch (IOException ex) {
      entries.add(e);
      throw new UncheckedIOException("cannot write " + file + ": " + ex.getMessage(), ex);
    }
    return true;
  }

  private String newToken() {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static byte[] hash(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private void load() throws IOException {
    JsonNode root = Json.MAPPER.readTree(Files.readString(file));
    JsonNode list = root == null ? null : root.get("tokens");
    if (list == null || !list.isArray()) {
      throw new IOException("no \"tokens\" array");
    }
    for (JsonNode t : list) {
      try {
        entries.add(new Entry(t.get("name").asText(), Role.fromWire(t.get("role").asText()),
            Base64.getUrlDecoder().decode(t.get("sha256").asText()), t.path("created").asText(""),
            t.path("expires").asText(""), t.path("allow_commands").asBoolean(false)));
      } catch (RuntimeException e) {
        throw new IOException("malformed token entry " + t + ": " + e.getMessage(), e);
      }
    }
  }

  private void save() throws IOException {
    ObjectNode root = Json.MAPPER.createObjectNode();
    ArrayNode list = root.putArray("tokens");
    for (Entry e : entries) {
      list.addObject().put("name", e.name).put("role", e.role.wireName())
          .put("sha256", Base64.getUrlEncoder().withoutPadding().encodeToString(e.hash))
          .put("created", e.created).put("expires", e.expires)
          .put("allow_commands", e.allowCommands);
    }
    writePrivate(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root));
  }

  /** Writes a file that only its owner can read, atomically (temp file, then rename). */
  static void writePrivate(Path target, String content) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp;
    try {
      FileAttribute<Set<PosixFilePermission>> attr = PosixFilePermissions.asFileAttribute(OWNER_ONLY);
      tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp", attr);
    } catch (UnsupportedOperationException e) {
      tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
    }
    try {
      Files.writeString(tmp, content, StandardCharsets.UTF_8);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (FileAlreadyExistsException | java.nio.file.AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    restrict(target);
  }

  private static void restrict(Path p) throws IOException {
    try {
      if (!Files.getPosixFilePermissions(p).equals(OWNER_ONLY)) {
        Files.setPosixFilePermissions(p, OWNER_ONLY);
      }
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system (Windows): the directory's ACLs apply.
    }
  }

  /** A stored token; {@code expires} is an ISO instant, empty for never. */
  private record Entry(String name, Role role, byte[] hash, String created, String expires,
      boolean allowCommands) {
    boolean expiredAt(Instant now) {
      return !expires.isEmpty() && !now.isBefore(Instant.parse(expires));
    }
  }
}
