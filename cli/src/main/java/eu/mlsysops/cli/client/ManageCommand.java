package eu.mlsysops.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mls manage}: liveness and the system's mode. */
@Command(
    name = "manage",
    mixinStandardHelpOptions = true,
    description = "System management: liveness and the heuristic/ML mode.",
    subcommands = {ManageCommand.PingAgent.class, ManageCommand.SetMode.class})
public final class ManageCommand {
  /** {@code manage ping-agent}: GET /manage/ping. */
  @Command(name = "ping-agent", aliases = "ping", mixinStandardHelpOptions = true,
      description = "Checks that the continuum agent answers (GET /manage/ping).")
  static final class PingAgent extends ClientCommand {
    @Override
    int run(ApiClient api, Printer p) {
      JsonNode r = api.get("/manage/ping").json();
      if (p.structured(r)) {
        return "ok".equals(Fields.text(r, "status")) ? ExitCode.OK : ExitCode.REFUSED;
      }
      String status = or(r, "status", "?");
      p.println(status + ": continuum agent " + or(r, "agent", "?") + " at " + api.base()
          + ", mode " + or(r, "mode", "?"));
      return "ok".equals(status) ? ExitCode.OK : ExitCode.REFUSED;
    }
  }

  /** {@code manage set-mode heuristic|ml}: PUT /api/v1/mode/{mode}. */
  @Command(name = "set-mode", mixinStandardHelpOptions = true,
      description = "Sets the system mode: heuristic (0) or ml (1) (PUT /api/v1/mode/{mode}).")
  static final class SetMode extends ClientCommand {
    @Parameters(paramLabel = "MODE", arity = "0..1",
        description = "heuristic or ml (0 or 1, as in the reference CLI)")
    String positional;

    @Option(names = "--mode", paramLabel = "MODE", description = "the same, as an option")
    String option;

    @Override
    int run(ApiClient api, Printer p) {
      if (positional != null && option != null && !positional.equals(option)) {
        throw usage("give the mode once, as MODE or --mode");
      }
      String given = positional != null ? positional : option;
      if (given == null) {
        throw usage("Missing required parameter: 'MODE' (heuristic or ml)");
      }
      String mode = switch (given.toLowerCase(Locale.ROOT)) {
        case "0", "heuristic", "normal" -> "heuristic";
        case "1", "ml" -> "ml";
        default -> throw usage("MODE: \"" + given + "\" is not one of heuristic (0), ml (1)");
      };
      JsonNode r = api.put("/api/v1/mode/" + mode, null, null).json();
      if (p.structured(r)) {
        return ExitCode.OK;
      }
      p.println("mode: " + or(r, "mode", mode));
      return ExitCode.OK;
    }
  }
}
