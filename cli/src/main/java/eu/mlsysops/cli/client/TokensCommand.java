package eu.mlsysops.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.mlsysops.cli.TextTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mls tokens}: the API's bearer tokens (admin). */
@Command(
    name = "tokens",
    mixinStandardHelpOptions = true,
    description = "The API's bearer tokens (admin): create, list, revoke.",
    subcommands = {TokensCommand.Create.class, TokensCommand.ListTokens.class,
        TokensCommand.Revoke.class})
public final class TokensCommand {
  /** {@code tokens create}: POST /api/v1/tokens. */
  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Creates a token and prints it once (POST /api/v1/tokens).")
  static final class Create extends ClientCommand {
    @Option(names = "--name", required = true, paramLabel = "NAME",
        description = "who it is for (1-64 of A-Z a-z 0-9 . _ @ -)")
    String name;

    @Option(names = "--role", required = true, paramLabel = "ROLE",
        description = "admin, developer or viewer")
    String role;

    @Option(names = "--ttl", paramLabel = "DURATION",
        description = "how long it is valid, e.g. 30m, 24h (default: until revoked)")
    String ttl;

    @Option(names = "--allow-commands",
        description = "let a developer deploy apps whose containers carry a command where"
            + " nodes run local processes")
    boolean allowCommands;

    @Override
    int run(ApiClient api, Printer p) {
      ObjectNode body = JsonNodeFactory.instance.objectNode().put("name", name).put("role", role)
          .put("allow_commands", allowCommands);
      if (ttl != null) {
        body.put("ttl", ttl);
      }
      JsonNode r = api.post("/api/v1/tokens", body.toString(), "application/json").json();
      if (p.structured(r)) {
        return ExitCode.OK;
      }
      String expires = Fields.text(r, "expires");
      p.println(Fields.text(r, "token")); // alone on stdout: TOKEN=$(mls tokens create ...)
      spec.commandLine().getErr().println("token \"" + name + "\" (" + role
          + (expires.isEmpty() ? ", valid until revoked" : ", expires " + expires)
          + "): shown once, keep it now");
      return ExitCode.OK;
    }
  }

  /** {@code tokens list}: GET /api/v1/tokens. */
  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Lists tokens, never their secrets (GET /api/v1/tokens).")
  static final class ListTokens extends ClientCommand {
    @Override
    int run(ApiClient api, Printer p) {
      JsonNode r = api.get("/api/v1/tokens").json();
      if (p.structured(r)) {
        return ExitCode.OK;
      }
      TextTable t = new TextTable("NAME", "ROLE", "CREATED", "EXPIRES", "COMMANDS");
      for (JsonNode tok : Fields.items(r)) {
        String expires = Fields.text(tok, "expires");
        t.row(Fields.text(tok, "name"), Fields.text(tok, "role"),
            Fields.time(Fields.text(tok, "created")),
            expires.isEmpty() ? "never"
                : Fields.time(expires) + (tok.path("expired").asBoolean() ? " (expired)" : ""),
            tok.path("allow_commands").asBoolean() ? "allowed" : "-");
      }
      p.print(t);
      return ExitCode.OK;
    }
  }

  /** {@code tokens revoke NAME}: DELETE /api/v1/tokens/{name}. */
  @Command(name = "revoke", mixinStandardHelpOptions = true,
      description = "Revokes a token: it authenticates nobody from now on (DELETE"
          + " /api/v1/tokens/{name}).")
  static final class Revoke extends ClientCommand {
    @Parameters(paramLabel = "NAME", description = "the token's name")
    String name;

    @Override
    int run(ApiClient api, Printer p) {
      JsonNode r = api.delete("/api/v1/tokens/" + ApiClient.segment(name)).json();
      if (p.structured(r)) {
        return ExitCode.OK;
      }
      p.println("revoked " + name);
      return ExitCode.OK;
    }
  }
}
