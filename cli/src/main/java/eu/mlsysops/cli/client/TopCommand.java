package eu.mlsysops.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mls top}: a live table of the nodes. */
@Command(name = "top", mixinStandardHelpOptions = true,
    description = {
      "Shows the nodes with their CPU use, frequency, power and instances (GET /api/v1/nodes),"
          + " refreshed in place every --interval while stdout is a terminal.",
      "Prints once when stdout is not a terminal, with --once, or with -o json|yaml."
    })
public final class TopCommand extends ClientCommand {
  private static final String CLEAR = "\033[H\033[2J";

  @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "2s",
      description = "time between refreshes, e.g. 500ms, 2s, 1m (default: ${DEFAULT-VALUE})")
  String interval;

  @Option(names = "--once", description = "print once and exit")
  boolean once;

  @Override
  int run(ApiClient api, Printer p) throws InterruptedException {
    Duration every = parseInterval(interval);
    boolean live = !once && p.format() == OutputFormat.TABLE && System.console() != null;
    do {
      JsonNode nodes = api.getAll("/api/v1/nodes");
      if (p.structured(nodes)) {
        return ExitCode.OK;
      }
      StringBuilder screen = new StringBuilder();
      if (live) {
        screen.append(CLEAR).append("mls top  ").append(api.base()).append("  ")
            .append(LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")))
            .append("  every ").append(interval).append("; Ctrl-C to stop\n\n");
      }
      screen.append(Fields.items(nodes).isEmpty() ? "no nodes\n"
          : NodeTable.of(Fields.items(nodes)).render());
      p.out().print(screen);
      p.out().flush();
      if (live) {
        Thread.sleep(every.toMillis());
      }
    } while (live);
    return ExitCode.OK;
  }

  private Duration parseInterval(String s) {
    String t = s.trim().toLowerCase(Locale.ROOT);
    try {
      double v;
      long ms;
      if (t.endsWith("ms")) {
        ms = Long.parseLong(t.substring(0, t.length() - 2));
      } else if (t.endsWith("s")) {
        v = Double.parseDouble(t.substring(0, t.length() - 1));
        ms = (long) (v * 1000);
      } else if (t.endsWith("m")) {
        v = Double.parseDouble(t.substring(0, t.length() - 1));
        ms = (long) (v * 60_000);
      } else {
        ms = (long) (Double.parseDouble(t) * 1000);
      }
      if (ms < 100) {
        throw usage("--interval: \"" + s + "\" is too short (at least 100ms)");
      }
      return Duration.ofMillis(ms);
    } catch (NumberFormatException e) {
      throw usage("--interval: \"" + s + "\" is not a duration (e.g. 500ms, 2s, 1m)");
    }
  }
}
