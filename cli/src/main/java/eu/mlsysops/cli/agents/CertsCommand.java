package eu.mlsysops.cli.agents;

import eu.mlsysops.protocol.tls.CertificateAuthority;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code mls certs}: the certificates agents authenticate each other with. */
@Command(
    name = "certs",
    mixinStandardHelpOptions = true,
    description = "Certificates for agents in separate processes (mutual TLS).",
    subcommands = {CertsCommand.Init.class})
public final class CertsCommand {

  /**
   * Creates the CA in a directory (or reuses the one there) and a certificate per agent. Nothing is
   * overwritten, so running it again with more names adds their certificates.
   *
   * @return one line per file set: created or kept
   */
  public static List<String> init(Path dir, List<String> agents) throws IOException {
    List<String> lines = new ArrayList<>();
    CertificateAuthority ca;
    if (Files.exists(dir.resolve(CertificateAuthority.CA_CERTIFICATE))) {
      ca = CertificateAuthority.load(dir);
      lines.add("kept     CA        " + dir.resolve(CertificateAuthority.CA_CERTIFICATE));
    } else {
      ca = CertificateAuthority.init(dir);
      lines.add(
          "created  CA        "
              + dir.resolve(CertificateAuthority.CA_CERTIFICATE)
              + " (key: "
              + dir.resolve(CertificateAuthority.CA_KEY)
              + ", owner-only)");
    }
    for (String a : agents) {
      Path cert = dir.resolve(a + ".pem");
      if (Files.exists(cert)) {
        lines.add("kept     " + pad(a) + cert);
      } else {
        ca.issue(a);
        lines.add("created  " + pad(a) + cert + " (key: " + dir.resolve(a + "-key.pem") + ")");
      }
    }
    return lines;
  }

  private static String pad(String s) {
    return s.length() >= 10 ? s + " " : String.format("%-10s", s);
  }

  /** {@code mls certs init [--dir D] --agents a,b,c}. */
  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      description = {
        "Creates a CA and a certificate per agent (CN = the agent's name; an agent's"
            + " identity is its certificate's name). Existing files are kept: run it again with new"
            + " names to add agents.",
        "Copy ca.pem, NAME.pem and NAME-key.pem to the host of agent NAME; keep ca-key.pem where"
            + " certificates are issued."
      })
  static final class Init implements Callable<Integer> {
    @Option(
        names = "--dir",
        paramLabel = "DIR",
        description = "where the files go (default: ~/.mlsysops/certs)")
    Path dir;

    @Option(
        names = "--agents",
        required = true,
        split = ",",
        paramLabel = "NAME",
        description = "agent names, comma-separated, e.g. continuum,cluster-1,node-1")
    List<String> agents;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      Path d = dir != null ? dir : Path.of(System.getProperty("user.home"), ".mlsysops", "certs");
      Set<String> names = new LinkedHashSet<>();
      for (String a : agents) {
        String n = a.trim();
        if (n.isEmpty()) {
          continue;
        }
        if (!n.matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?") || n.equals("ca") || n.endsWith("-key")) {
          throw new ParameterException(
              spec.commandLine(),
              "--agents: \""
                  + n
                  + "\" is not a"
                  + " usable agent name (a lower-case DNS name, not \"ca\", not ending in -key)");
        }
        names.add(n);
      }
      if (names.isEmpty()) {
        throw new ParameterException(spec.commandLine(), "--agents: give at least one name");
      }
      PrintWriter out = spec.commandLine().getOut();
      for (String line : init(d, List.copyOf(names))) {
        out.println(line);
      }
      out.flush();
      return 0;
    }
  }
}
