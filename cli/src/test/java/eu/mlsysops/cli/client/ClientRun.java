package eu.mlsysops.cli.client;

import eu.mlsysops.cli.Mls;
import java.io.PrintWriter;
import java.io.StringWriter;

/** One run of the {@code mls} command line with its exit code and output. */
record ClientRun(int exitCode, String out, String err) {
  static ClientRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Mls.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new ClientRun(code, out.toString(), err.toString());
  }
}
