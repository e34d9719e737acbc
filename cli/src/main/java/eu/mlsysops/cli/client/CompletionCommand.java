package eu.mlsysops.cli.client;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code mls completion}: the bash completion script. */
@Command(name = "completion", mixinStandardHelpOptions = true,
    description = {
      "Prints the bash completion script for mls (zsh too, after `autoload bashcompinit`).",
      "Use: source <(mls completion)   or save it under /etc/bash_completion.d/mls"
    })
public final class CompletionCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().print(AutoComplete.bash("mls", spec.root().commandLine()));
    spec.commandLine().getOut().flush();
    return ExitCode.OK;
  }
}
