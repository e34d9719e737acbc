package eu.mlsysops.agent.tier;

import eu.mlsysops.mlconnector.MlService;
import eu.mlsysops.protocol.Link;
import eu.mlsysops.protocol.Message;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The continuum's side of models going down to agents in other processes: the {@link
 * MlService}'s serving versions as a {@link Message.ModelSet}, sent when it changes ({@link
 * #refresh}), and the files clusters ask for ({@link #want}). Only serving versions' files leave
 * the continuum. Thread-safe.
 */
public final class ModelSource {
  private static final System.Logger LOG = System.getLogger(ModelSource.class.getName());

  private final String self;
  private final MlService ml;
  private final Consumer<Message.ModelSet> send;
  private String digest;

  /**
   * @param self the continuum agent's name
   * @param ml the registry
   * @param continuum sends each set to every cluster now and to every one that registers later,
   *     and hands their wants here
   */
  public ModelSource(String self, MlService ml, ContinuumAgent continuum) {
    this.self = Objects.requireNonNull(self);
    this.ml = Objects.requireNonNull(ml);
    Objects.requireNonNull(continuum);
    this.send = set -> continuum.sendModels(set, this::want);
  }

  /** As above, each set handed to {@code send} (tests). */
  ModelSource(String self, MlService ml, Consumer<Message.ModelSet> send) {
    this.self = Objects.requireNonNull(self);
    this.ml = Objects.requireNonNull(ml);
    this.send = Objects.requireNonNull(send);
  }

  /** Builds the set of what serves now and sends it when it changed. */
  public synchronized void refresh() {
    List<Message.ServedModel> models = ml.servingEntries().stream()
        .map(e -> new Message.ServedModel(e.modelId(), e.version(), e.sha256(), e.size(),
            e.descriptor()))
        .toList();
    String next = digest(models);
    if (!next.equals(digest)) {
      digest = next;
      send.accept(new Message.ModelSet(self, next, models));
    }
  }

  /** A cluster's want: each serving file it names, as chunks on its link. */
  public void want(Link link, Message.ModelWant w) {
    for (String sha : w.sha256s()) {
      Optional<byte[]> file;
      try {
        file = ml.servingFile(sha);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "model file " + sha + " for " + w.from()
            + " cannot be read: " + e.getMessage());
        continue;
      }
      file.ifPresent(bytes -> ModelReplica.chunks(self, sha, bytes).forEach(link::send));
    }
  }

  static String digest(List<Message.ServedModel> models) {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    models.stream().sorted(java.util.Comparator.comparing(Message.ServedModel::modelId))
        .forEach(m -> md.update((m.modelId() + "\n" + m.version() + "\n" + m.sha256() + "\n"
            + m.descriptor() + "\n").getBytes(StandardCharsets.UTF_8)));
    return HexFormat.of().formatHex(md.digest());
  }
}
