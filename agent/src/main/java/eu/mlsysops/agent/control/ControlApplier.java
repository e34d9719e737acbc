package eu.mlsysops.agent.control;

import eu.mlsysops.agent.PolicyContext;
import eu.mlsysops.agent.engine.PolicyDirectory;
import eu.mlsysops.agent.engine.PolicyEngine;
import eu.mlsysops.protocol.Message;
import eu.mlsysops.protocol.grpc.MessageCodec;
import eu.mlsysops.protocol.grpc.proto.Envelope;
import eu.mlsysops.telemetry.pipeline.AggregationRule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * One remote agent's side of control going down: checks a {@link Message.Control} set, keeps it
 * on disk ({@code <dir>/control.pb}, so a restart while the parent is unreachable runs the last
 * set again), applies its mode, this tier's disabled policies and export rules, and this tier's
 * policy files (written to {@code <dir>/policies/} and loaded into the agent's engine), then
 * reports the digest it runs and the files that did not load. A set already applied is only
 * reported again (the parent sends the current set on every registration).
 *
 * <p>Calls arrive from the link's delivery thread and once from {@link #restore()}; the small
 * amount of state here is guarded by this object's monitor.
 */
public final class ControlApplier implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ControlApplier.class.getName());

  private final String agent;
  private final Message.Tier tier;
  private final Path stateFile;
  private final Path policyDir;
  private final PolicyEngine engine;
  private final Consumer<List<AggregationRule>> uplinkRules;
  private final Consumer<Message> up;
  private final PolicyDirectory policies;
  private String applied = "";
  private Map<String, String> errors = Map.of();

  /**
   * @param agent this agent's name, as reports carry it
   * @param tier this agent's tier: which part of a set applies here
   * @param dir where the set and its files are kept (created when missing)
   * @param engine the agent's policy engine
   * @param uplinkRules sets the agent's telemetry export rules (empty: the tier's defaults)
   * @param up sends a report to the parent
   */
  public ControlApplier(
      String agent, Message.Tier tier, Path dir, PolicyEngine engine,
      Consumer<List<AggregationRule>> uplinkRules, Consumer<Message> up) {
    this.agent = Objects.requireNonNull(agent);
    this.tier = Objects.requireNonNull(tier);
    this.stateFile = dir.resolve("control.pb");
    this.policyDir = dir.resolve("policies");
    this.engine = Objects.requireNonNull(engine);
    this.uplinkRules = Objects.requireNonNull(uplinkRules);
    this.up = Objects.requireNonNull(up);
    try {
      eu.mlsysops.agent.kernel.PrivateFiles.directory(policyDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + policyDir, e);
    }
    this.policies = new PolicyDirectory(policyDir, engine);
  }

  /** Applies the set kept on disk, if any (at start, before the parent is reachable). */
  public synchronized void restore() {
    if (!Files.isRegularFile(stateFile)) {
      return;
    }
    try {
      Message m = MessageCodec.decode(Envelope.parseFrom(Files.readAllBytes(stateFile)));
      if (m instanceof Message.Control c && ControlSet.problem(c).isEmpty()) {
        apply(c, false);
        LOG.log(System.Logger.Level.INFO, agent + ": control set " + shortDigest(c.digest())
            + " restored from " + stateFile);
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, agent + ": ignoring unreadable " + stateFile + ": "
          + e.getMessage());
    }
  }

  /** Takes a set from the parent. */
  public synchronized void accept(Message.Control c) {
    var problem = ControlSet.problem(c);
    if (problem.isPresent()) {
      LOG.log(System.Logger.Level.WARNING, agent + ": refused control set from " + c.from() + ": "
          + problem.get());
      up.accept(new Message.ControlReport(agent, agent, tier, applied,
          Map.of("control", "refused " + shortDigest(c.digest()) + ": " + problem.get())));
      return;
    }
    if (!c.digest().equals(applied)) {
      apply(c, true);
    }
    report();
  }

  /** The digest of the set this agent runs, or empty before the first. */
  public synchronized String applied() {
    return applied;
  }

  /** Policy files of the applied set that did not load, file name → why. */
  public synchronized Map<String, String> errors() {
    return errors;
  }

  private void apply(Message.Control c, boolean persist) {
    if (persist) {
      persist(c);
    }
    Map<String, String> problems = new TreeMap<>();
    engine.setMode(PolicyContext.Mode.valueOf(c.mode().toUpperCase(Locale.ROOT)));
    Message.TierControl mine = c.tiers().stream().filter(t -> t.tier() == tier).findFirst()
        .orElse(new Message.TierControl(tier, List.of(), List.of(), List.of()));
    engine.setDisabled(Set.copyOf(mine.disabledPolicies()));
    List<AggregationRule> rules = new ArrayList<>();
    for (String r : mine.telemetryExport()) {
      try {
        rules.add(AggregationRule.parse(r));
      } catch (IllegalArgumentException e) {
        problems.put("telemetry_export", "\"" + r + "\": " + e.getMessage());
      }
    }
    uplinkRules.accept(rules);
    try {
      syncFiles(mine.files());
      policies.scan();
      problems.putAll(policies.errors());
    } catch (IOException | UncheckedIOException e) {
      problems.put("policies", "cannot write " + policyDir + ": " + e.getMessage());
    }
    applied = c.digest();
    errors = Map.copyOf(problems);
    problems.forEach((file, why) -> LOG.log(System.Logger.Level.WARNING,
        agent + ": " + file + " of control set " + shortDigest(c.digest()) + ": " + why));
  }

  private void report() {
    up.accept(new Message.ControlReport(agent, agent, tier, applied, errors));
  }

  /** Makes the managed directory hold exactly these files. */
  private void syncFiles(List<Message.PolicyFile> files) throws IOException {
    Set<String> wanted = new HashSet<>();
    for (Message.PolicyFile f : files) {
      wanted.add(f.name());
      Path target = policyDir.resolve(f.name());
      byte[] content = f.content().toByteArray();
      if (Files.isRegularFile(target)
          && ControlSet.sha256(Files.readAllBytes(target)).equals(f.sha256())) {
        continue;
      }
      FileTime before = Files.exists(target) ? Files.getLastModifiedTime(target) : null;
      Path tmp = Files.createTempFile(policyDir, ".control-", ".tmp");
      try {
        Files.write(tmp, content);
        move(tmp, target);
      } finally {
        Files.deleteIfExists(tmp);
      }
      // The directory notices a change by modification time and size: make sure it does.
      if (before != null && Files.getLastModifiedTime(target).compareTo(before) <= 0) {
        Files.setLastModifiedTime(target, FileTime.fromMillis(before.toMillis() + 1000));
      }
    }
    try (Stream<Path> present = Files.list(policyDir)) {
      for (Path p : present.toList()) {
        String n = p.getFileName().toString();
        if (!n.startsWith(".") && !wanted.contains(n)) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private void persist(Message.Control c) {
    try {
      eu.mlsysops.agent.kernel.PrivateFiles.directory(stateFile.getParent());
      Path tmp = Files.createTempFile(stateFile.getParent(), ".control-", ".tmp"); // 0600
      try {
        Files.write(tmp, MessageCodec.encode(c).toByteArray());
        move(tmp, stateFile);
      } finally {
        Files.deleteIfExists(tmp); // gone already when the move worked
      }
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, agent + ": cannot keep the control set in " + stateFile
          + " (it applies now, but not after a restart): " + e.getMessage());
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  static String shortDigest(String digest) {
    return digest.length() > 12 ? digest.substring(0, 12) : digest;
  }

  @Override
  public synchronized void close() {
    policies.close();
  }
}
