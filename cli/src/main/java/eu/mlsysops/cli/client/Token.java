package eu.mlsysops.cli.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The bearer token a client command sends, and where it came from.
 *
 * @param value the token, or null when none was found
 * @param source where it was found ({@code --token}, {@code MLS_TOKEN} or a file path), or null
 * @param looked every place looked at, in order, each with what was found there; for the message
 *     when the server answers 401
 */
record Token(String value, String source, List<String> looked) {
  /** The environment variable holding the token. */
  static final String ENV = "MLS_TOKEN";
  /** The file {@code mls up} writes the admin token to, inside the data directory. */
  static final String FILE = "admin.token";

  Token {
    looked = List.copyOf(looked);
  }

  /**
   * Finds the token: {@code --token}, then {@code MLS_TOKEN}, then {@code <dataDir>/admin.token}
   * ({@code ~/.mlsysops/admin.token} without {@code --data-dir}), the first that has one.
   *
   * @param flag the value of {@code --token}, or null
   * @param env the process environment
   * @param dataDir the value of {@code --data-dir}, or null
   * @param home the user's home directory
   */
  static Token discover(String flag, Map<String, String> env, Path dataDir, Path home) {
    List<String> looked = new ArrayList<>();
    if (flag != null && !flag.isBlank()) {
      return new Token(flag.trim(), "--token", List.of("--token"));
    }
    looked.add("--token (not given)");
    String fromEnv = env.get(ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      looked.add(ENV);
      return new Token(fromEnv.trim(), ENV, looked);
    }
    looked.add(ENV + " (not set)");
    Path file = (dataDir != null ? dataDir : home.resolve(".mlsysops")).resolve(FILE);
    if (!Files.isReadable(file)) {
      looked.add(file + (Files.exists(file) ? " (not readable)" : " (not found)"));
      return new Token(null, null, looked);
    }
    try {
      String text = Files.readString(file).trim();
      if (text.isEmpty()) {
        looked.add(file + " (empty)");
        return new Token(null, null, looked);
      }
      looked.add(file.toString());
      return new Token(text, file.toString(), looked);
    } catch (IOException e) {
      looked.add(file + " (" + e.getMessage() + ")");
      return new Token(null, null, looked);
    }
  }

  /** One sentence for a 401 from {@code server}: what was sent (or not) and where the CLI looked. */
  String explainRefusal(String server) {
    if (value == null) {
      return "the server at " + server + " needs a token and none was found; looked at "
          + String.join(", ", looked) + ". Pass --token or set " + ENV + " (`mls up` writes the"
          + " admin token to <data-dir>/" + FILE + ")";
    }
    return "the server at " + server + " rejected the token from " + source + " (missing or"
        + " wrong); looked at " + String.join(", ", looked) + ". Pass a valid one with --token or "
        + ENV;
  }
}
