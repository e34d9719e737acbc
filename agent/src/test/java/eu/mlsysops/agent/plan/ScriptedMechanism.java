package eu.mlsysops.agent.plan;

import eu.mlsysops.agent.ApplyResult;
import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.Mechanism;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A mechanism whose applies stay open until the test completes them (shared by tests). */
public class ScriptedMechanism implements Mechanism {
  private final String name;
  private final boolean exclusive;
  final List<Command> applied = new ArrayList<>();
  final List<CompletableFuture<ApplyResult>> open = new ArrayList<>();

  public ScriptedMechanism(String name, boolean exclusive) {
    this.name = name;
    this.exclusive = exclusive;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Map<String, Object> options() {
    return Map.of();
  }

  @Override
  public Map<String, Object> state() {
    return Map.of();
  }

  @Override
  public boolean exclusive() {
    return exclusive;
  }

  @Override
  public String conflictKey(Command command) {
    return command.arg("target", "");
  }

  @Override
  public synchronized CompletionStage<ApplyResult> apply(Command command) {
    applied.add(command);
    CompletableFuture<ApplyResult> f = new CompletableFuture<>();
    open.add(f);
    return f;
  }

  void completeNext(ApplyResult result) {
    CompletableFuture<ApplyResult> f;
    synchronized (this) {
      f = open.remove(0);
    }
    f.complete(result);
  }
}
