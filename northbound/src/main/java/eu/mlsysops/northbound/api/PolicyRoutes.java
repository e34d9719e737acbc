package eu.mlsysops.northbound.api;

import eu.mlsysops.agent.engine.PolicyDirectory;
import eu.mlsysops.agent.engine.PolicyStatus;
import eu.mlsysops.agent.tier.ContinuumPort;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Policies: what each tier's policy directory loaded, and uploads into it. An upload is written,
 * loaded at once (not at the next poll) and reported; a file that does not load is removed again
 * (the previous version, if any, is put back), so a broken upload leaves nothing behind.
 */
final class PolicyRoutes {
  static final Pattern FILE = Pattern.compile("[A-Za-z0-9._-]+\\.groovy");

  private final ContinuumPort continuum;

  PolicyRoutes(ContinuumPort continuum) {
    this.continuum = continuum;
  }

  void register(RouteTable r) {
    r.get("/api/v1/policies", Role.VIEWER, (ctx, who) -> Json.send(ctx, 200, list()));
    r.put("/api/v1/policies/{tier}/{file}", Role.ADMIN, this::upload);
    r.delete("/api/v1/policies/{tier}/{file}", Role.ADMIN, this::delete);
  }

  private Map<String, Object> list() {
    Map<String, Object> tiers = new LinkedHashMap<>();
    continuum.policyDirectories().forEach((tier, pd) -> {
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("directory", pd.directory().toString());
      t.put("files", pd.loaded());
      t.put("errors", pd.errors());
      t.put("policies", statuses(continuum.policyStatuses(tier),
          continuum.configuration(tier).disabledPolicies()));
      tiers.put(tier, t);
    });
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("tiers", tiers);
    out.put("remote", remote());
    return out;
  }

  /**
   * Agents in other processes: the control set the continuum sends them (mode, configuration,
   * policy files, by digest), and for each agent that reported, the set it runs, whether that is
   * the current one, and what did not load there.
   */
  private Map<String, Object> remote() {
    var remote = continuum.remoteAgents();
    String digest = remote.controlDigest();
    List<Map<String, Object>> agents = new ArrayList<>();
    remote.applied().values().forEach(a -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("agent", a.agent());
      m.put("tier", a.tier());
      m.put("digest", a.digest());
      m.put("current", a.digest().equals(digest));
      m.put("errors", a.errors());
      agents.add(m);
    });
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("control_digest", digest);
    r.put("agents", agents);
    return r;
  }

  /**
   * One entry per policy name, summed over the tier's agents, local and remote; {@code disabled}
   * when the tier's configuration disables it ({@code disabled_policies}); {@code
   * paused_by_mode} the mode that pauses it when it belongs to the other one (on every agent of
   * the tier: one that runs it, say one that has not applied a mode switch yet, makes it run);
   * {@code state} says which in a word: {@code enabled}, {@code disabled} or {@code paused (mode
   * heuristic)}.
   */
  private static List<Map<String, Object>> statuses(List<PolicyStatus> all,
      java.util.Set<String> disabled) {
    Map<String, Map<String, Object>> byName = new LinkedHashMap<>();
    for (PolicyStatus s : all) {
      Map<String, Object> m = byName.get(s.name());
      if (m == null) {
        m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("source", s.source());
        m.put("scope", s.scope());
        m.put("core", s.core());
        m.put("disabled", disabled.contains(s.name()));
        m.put("paused_by_mode", s.pausedByMode());
        m.put("instances", 0L);
        m.put("analyses", 0L);
        m.put("plans", 0L);
        m.put("errors", 0L);
        m.put("last_error", "");
        byName.put(s.name(), m);
      }
      if (!s.pausedByMode().equals(m.get("paused_by_mode"))) {
        m.put("paused_by_mode", ""); // it runs somewhere, or agents disagree on the mode
      }
      m.put("instances", (Long) m.get("instances") + s.instances());
      m.put("analyses", (Long) m.get("analyses") + s.analyses());
      m.put("plans", (Long) m.get("plans") + s.plans());
      m.put("errors", (Long) m.get("errors") + s.errors());
      if (s.lastError() != null && !s.lastError().isEmpty()) {
        m.put("last_error", s.lastError());
      }
    }
    for (Map<String, Object> m : byName.values()) {
      String paused = (String) m.get("paused_by_mode");
      m.put("state", (Boolean) m.get("disabled") ? "disabled"
          : paused.isEmpty() ? "enabled" : "paused (mode " + paused + ")");
    }
    return new ArrayList<>(byName.values());
  }

  private PolicyDirectory directory(String tier) {
    PolicyDirectory pd = continuum.policyDirectories().get(tier);
    if (pd == null) {
      throw ApiProblem.badRequest("tier must be one of "
          + String.join(", ", continuum.policyDirectories().keySet()) + ", got \"" + tier + "\"");
    }
    return pd;
  }

  private static Path file(PolicyDirectory pd, String name) {
    if (!FILE.matcher(name).matches() || name.startsWith(".")) {
      throw ApiProblem.badRequest("the file name must match [A-Za-z0-9._-]+\\.groovy and not start"
          + " with a dot, got \"" + name + "\"");
    }
    Path dir = pd.directory().toAbsolutePath().normalize();
    Path p = dir.resolve(name).normalize();
    if (!dir.equals(p.getParent())) {
      throw ApiProblem.badRequest("the file name must not leave the policy directory");
    }
    return p;
  }

  private void upload(Context ctx, Principal who) throws IOException {
    String tier = ctx.pathParam("tier");
    PolicyDirectory pd = directory(tier);
    String name = ctx.pathParam("file");
    Path target = file(pd, name);
    RequestBodies.requireMediaType(ctx, RequestBodies.POLICY_SOURCE);
    // Read before taking the lock: a slow client must not hold up control sets or uploads.
    String source = RequestBodies.text(ctx);
    if (source.isBlank()) {
      throw ApiProblem.badRequest("the policy source is empty");
    }
    // The continuum's policy lock: a file being checked (and perhaps taken back) is never sent
    // to agents in other processes.
    continuum.policyLock().lock();
    try {
      uploadLocked(ctx, tier, pd, name, target, source);
    } finally {
      continuum.policyLock().unlock();
    }
  }

  private void uploadLocked(Context ctx, String tier, PolicyDirectory pd, String name,
      Path target, String source) throws IOException {
    byte[] previous = Files.exists(target) ? Files.readAllBytes(target) : null;
    // Written beside the target under a name the directory ignores, then renamed: the poller
    // never sees half a file.
    Path tmp = Files.createTempFile(target.getParent(), ".upload-", ".tmp");
    try {
      Files.writeString(tmp, source, StandardCharsets.UTF_8);
      move(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
    pd.scan();
    String error = pd.errors().get(name);
    if (error != null) {
      if (previous == null) {
        Files.deleteIfExists(target);
      } else {
        Files.write(target, previous);
      }
      pd.scan();
      throw ApiProblem.badRequest(name + " was not loaded: " + error
          + (previous == null ? "" : " (the previous version was restored)"));
    }
    continuum.policiesChanged();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("tier", tier);
    body.put("file", name);
    body.put("loaded", pd.loaded().getOrDefault(name, List.of()));
    Json.send(ctx, 201, body);
  }

  private void delete(Context ctx, Principal who) throws IOException {
    continuum.policyLock().lock();
    try {
      deleteLocked(ctx);
    } finally {
      continuum.policyLock().unlock();
    }
  }

  private void deleteLocked(Context ctx) throws IOException {
    PolicyDirectory pd = directory(ctx.pathParam("tier"));
    Path target = file(pd, ctx.pathParam("file"));
    if (!Files.deleteIfExists(target)) {
      throw ApiProblem.notFound("no policy file \"" + ctx.pathParam("file") + "\" in tier "
          + ctx.pathParam("tier"));
    }
    pd.scan();
    continuum.policiesChanged();
    ctx.status(204);
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
