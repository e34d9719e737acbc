package eu.mlsysops.agent.tier;

import eu.mlsysops.protocol.InProcessLink;
import eu.mlsysops.protocol.Link;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

class TiersOverInProcessLinkTest extends TiersOverLinkContract {
  @Override
  boolean nodeInAnotherProcess() {
    return false;
  }

  @Override
  NodeLink connect(Consumer<Link> attach, Path dir) {
    ExecutorService executor = Executors.newFixedThreadPool(2);
    InProcessLink link = InProcessLink.create(executor);
    attach.accept(link.parentSide());
    return new NodeLink() {
      @Override
      public Link child() {
        return link.childSide();
      }

      @Override
      public void cut() {
        link.cut();
      }

      @Override
      public void restore() {
        link.restore();
      }

      @Override
      public void close() {
        executor.shutdownNow();
      }
    };
  }
}
