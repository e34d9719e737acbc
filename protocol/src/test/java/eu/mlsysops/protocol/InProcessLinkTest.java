package eu.mlsysops.protocol;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;

class InProcessLinkTest extends LinkContract {
  private final ExecutorService executor = Executors.newFixedThreadPool(4);

  @AfterEach
  void tearDown() {
    executor.shutdownNow();
  }

  @Override
  protected Pair connect() {
    InProcessLink link = InProcessLink.create(executor);
    return new Pair() {
      @Override
      public Link child() {
        return link.childSide();
      }

      @Override
      public Link parent() {
        return link.parentSide();
      }

      @Override
      public void cut() {
        link.cut();
      }

      @Override
      public void restore() {
        link.restore();
      }
    };
  }
}
