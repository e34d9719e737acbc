package eu.mlsysops.agent.control;

import com.google.protobuf.ByteString;
import eu.mlsysops.protocol.Message;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Builds and checks {@link Message.Control} sets. The digest covers the mode, and per tier (in
 * tier order) the disabled policies, the export rules and every file's name and SHA-256, so equal
 * content gives an equal digest whatever the order it was listed in.
 */
public final class ControlSet {
  /** What a policy file may be called: a plain name, no directories, not hidden. */
  static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*\\.(groovy|jar)");
  /**
   * The most bytes of files one control set may carry: well below the agent links' 16 MiB
   * message limit, since every set travels whole.
   */
  public static final long MAX_BYTES = 8L << 20;

  private ControlSet() {}

  /** A control set with its digest; tiers and files are put in canonical order. */
  public static Message.Control of(String from, String mode, List<Message.TierControl> tiers) {
    List<Message.TierControl> sorted = new ArrayList<>();
    for (Message.TierControl t : tiers) {
      List<Message.PolicyFile> files = new ArrayList<>(t.files());
      files.sort(Comparator.comparing(Message.PolicyFile::name));
      sorted.add(new Message.TierControl(t.tier(),
          t.disabledPolicies().stream().sorted().distinct().toList(), t.telemetryExport(), files));
    }
    sorted.sort(Comparator.comparing(Message.TierControl::tier));
    return new Message.Control(from, digest(mode, sorted), mode, sorted);
  }

  /** A file by content. */
  public static Message.PolicyFile file(String name, byte[] content) {
    return new Message.PolicyFile(name, sha256(content), ByteString.copyFrom(content));
  }

  /** The digest of a mode and tiers in canonical order. */
  static String digest(String mode, List<Message.TierControl> tiers) {
    StringBuilder b = new StringBuilder("mode=").append(mode).append('\n');
    for (Message.TierControl t : tiers) {
      b.append("tier=").append(t.tier()).append('\n');
      t.disabledPolicies().forEach(p -> b.append("disabled=").append(p).append('\n'));
      t.telemetryExport().forEach(r -> b.append("export=").append(r).append('\n'));
      t.files().forEach(f -> b.append("file=").append(f.name()).append(' ').append(f.sha256())
          .append('\n'));
    }
    return sha256(b.toString().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * What is wrong with a received set, if anything: a digest that does not match its content, a
   * file whose bytes do not match its SHA-256, a file name that could leave its directory, an
   * unknown mode, or more than {@link #MAX_BYTES} of files.
   */
  public static Optional<String> problem(Message.Control c) {
    if (!c.mode().equals("heuristic") && !c.mode().equals("ml")) {
      return Optional.of("mode: \"" + c.mode() + "\" is neither heuristic nor ml");
    }
    long bytes = 0;
    for (Message.TierControl t : c.tiers()) {
      for (Message.PolicyFile f : t.files()) {
        String where = "tiers." + t.tier().name().toLowerCase(java.util.Locale.ROOT) + ".files."
            + f.name();
        if (!FILE_NAME.matcher(f.name()).matches()) {
          return Optional.of(where + ": not a plain .groovy or .jar file name");
        }
        if (!sha256(f.content().toByteArray()).equals(f.sha256())) {
          return Optional.of(where + ": content does not match its sha256 " + f.sha256());
        }
        bytes += f.content().size();
      }
    }
    if (bytes > MAX_BYTES) {
      return Optional.of("files: " + bytes + " bytes, more than the limit of " + MAX_BYTES);
    }
    String expected = digest(c.mode(), c.tiers());
    if (!expected.equals(c.digest())) {
      return Optional.of("digest: " + c.digest() + " does not match the content (" + expected
          + ")");
    }
    return Optional.empty();
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
  }
}
