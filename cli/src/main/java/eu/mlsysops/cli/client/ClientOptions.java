package eu.mlsysops.cli.client;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The options every client command takes: where the API is, the token, the output format. */
public final class ClientOptions {
  /** The environment variable naming the server. */
  static final String SERVER_ENV = "MLS_SERVER";
  /** Where {@code mls up} serves the API by default. */
  static final String DEFAULT_SERVER = "http://127.0.0.1:8080";

  @Option(names = "--server", paramLabel = "URL",
      description = "the MLSysOps API (default: $" + SERVER_ENV + " or " + DEFAULT_SERVER + ")")
  String server;

  @Option(names = "--token", paramLabel = "TOKEN",
      description = "bearer token (default: $" + Token.ENV + ", else <data-dir>/" + Token.FILE + ")")
  String token;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "where `mls up` keeps its state, to find " + Token.FILE
          + " (default: ~/.mlsysops)")
  Path dataDir;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
      converter = OutputFormat.Converter.class, completionCandidates = OutputFormat.Candidates.class,
      description = "table, json or yaml (default: ${DEFAULT-VALUE})")
  OutputFormat output;

  @Spec(Spec.Target.MIXEE) CommandSpec mixee;

  /** The API's base address, without a trailing slash; a usage error when it is not a URL. */
  URI server(Map<String, String> env) {
    String s = server != null ? server : env.getOrDefault(SERVER_ENV, "");
    String from = server != null ? "--server" : SERVER_ENV;
    if (s.isBlank()) {
      s = DEFAULT_SERVER;
    }
    s = s.trim();
    if (!s.contains("://")) {
      s = "http://" + s;
    }
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    try {
      URI u = new URI(s);
      if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
        throw new URISyntaxException(s, "not an http(s) URL with a host");
      }
      return u;
    } catch (URISyntaxException e) {
      throw new ParameterException(mixee.commandLine(),
          from + ": \"" + s + "\" is not a URL like " + DEFAULT_SERVER);
    }
  }

  /** The token to send, found as {@link Token#discover} says. */
  Token token(Map<String, String> env) {
    return Token.discover(token, env, dataDir, Path.of(System.getProperty("user.home")));
  }
}
