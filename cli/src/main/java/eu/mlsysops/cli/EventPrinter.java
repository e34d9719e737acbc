package eu.mlsysops.cli;

import eu.mlsysops.agent.tier.AgentEvent;
import eu.mlsysops.agent.tier.EventSink;
import java.io.PrintWriter;
import java.util.function.Predicate;

/** Prints agent events as they happen, one line each, with time since start. */
final class EventPrinter implements EventSink {
  private final PrintWriter out;
  private final long startMillis;
  private volatile Predicate<AgentEvent> filter = e -> true;

  EventPrinter(PrintWriter out, long startMillis) {
    this.out = out;
    this.startMillis = startMillis;
  }

  void filter(Predicate<AgentEvent> f) {
    this.filter = f;
  }

  @Override
  public void publish(AgentEvent e) {
    if (!filter.test(e)) {
      return;
    }
    synchronized (out) {
      out.printf("%8s  %-16s %-8s %s%n", elapsed(e.timeMillis()), e.agent(), e.kind(), e.message());
      out.flush();
    }
  }

  void say(String text) {
    synchronized (out) {
      out.println(text);
      out.flush();
    }
  }

  String elapsed(long at) {
    return String.format("+%.1fs", (at - startMillis) / 1000.0);
  }
}
