package eu.mlsysops.agent.tier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import eu.mlsysops.agent.PolicyContext;
import eu.mlsysops.telemetry.pipeline.AggregationRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The continuum's operating mode and each tier's configuration, kept in {@code
 * <data-dir>/config/} ({@code mode.json}, {@code <tier>.json}, each replaced atomically) so that a
 * restart comes back as it was, and sends the same to agents in other processes. Unreadable files
 * are skipped with a warning. Thread-safe.
 */
final class TierSettings {
  private static final System.Logger LOG = System.getLogger(TierSettings.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final Map<String, AgentConfig> configs = new LinkedHashMap<>();

  TierSettings(Path dataDir) {
    this.dir = dataDir.resolve("config");
  }

  /** The configuration of a tier ({@link AgentConfig#DEFAULT} when none was set). */
  synchronized AgentConfig configuration(String tier) {
    return configs.getOrDefault(tier, AgentConfig.DEFAULT);
  }

  /** Sets and keeps a tier's configuration. */
  synchronized void configure(String tier, AgentConfig config) {
    configs.put(tier, config);
    write(tier + ".json", Map.of("disabled_policies", config.disabledSorted(),
        "telemetry_export", config.telemetryExportText()));
  }

  /** The configurations kept by an earlier run, by tier. */
  Map<String, AgentConfig> saved(List<String> tiers) {
    Map<String, AgentConfig> out = new LinkedHashMap<>();
    for (String tier : tiers) {
      read(tier + ".json").ifPresent(n -> {
        Set<String> disabled = new TreeSet<>();
        n.path("disabled_policies").forEach(x -> disabled.add(x.asText()));
        List<AggregationRule> rules = new ArrayList<>();
        try {
          n.path("telemetry_export").forEach(x -> rules.add(AggregationRule.parse(x.asText())));
          out.put(tier, new AgentConfig(disabled, rules));
        } catch (IllegalArgumentException e) {
          LOG.log(System.Logger.Level.WARNING, "ignoring unreadable configuration "
              + dir.resolve(tier + ".json") + ": " + e.getMessage());
        }
      });
    }
    return out;
  }

  /** The mode kept by an earlier run, if any. */
  Optional<PolicyContext.Mode> savedMode() {
    return read("mode.json").flatMap(n -> {
      try {
        return Optional.of(PolicyContext.Mode.valueOf(
            n.path("mode").asText().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        LOG.log(System.Logger.Level.WARNING, "ignoring unreadable mode "
            + dir.resolve("mode.json") + ": " + e.getMessage());
        return Optional.empty();
      }
    });
  }

  /** Keeps the mode. */
  void saveMode(PolicyContext.Mode mode) {
    write("mode.json", Map.of("mode", mode.name().toLowerCase(Locale.ROOT)));
  }

  private Optional<JsonNode> read(String name) {
    Path file = dir.resolve(name);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readTree(file.toFile()));
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "ignoring unreadable " + file + ": " + e.getMessage());
      return Optional.empty();
    }
  }

  private synchronized void write(String name, Object value) {
    Path file = dir.resolve(name);
    try {
      eu.mlsysops.agent.kernel.PrivateFiles.directory(dir);
      Path tmp = Files.createTempFile(dir, "." + name + "-", ".tmp"); // 0600
      try {
        Files.writeString(tmp, JSON.writeValueAsString(value) + "\n");
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp); // gone already when the move worked
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot save " + file + ": " + e.getMessage(), e);
    }
  }
}
