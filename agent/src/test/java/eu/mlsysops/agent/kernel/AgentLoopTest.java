package eu.mlsysops.agent.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AgentLoopTest {
  private final ExecutorService shared = Executors.newFixedThreadPool(2);

  @AfterEach
  void tearDown() {
    shared.shutdownNow();
  }

  @Test
  void eventsRunOneAtATimeInTheOrderTheyWerePostedFromManyThreads() throws Exception {
    AgentLoop loop = new AgentLoop("a", shared);
    List<Integer> seen = new ArrayList<>(); // loop-owned: no lock
    AtomicInteger concurrent = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    List<Thread> posters = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int base = t * 10_000;
      posters.add(new Thread(() -> {
        for (int i = 0; i < 2_000; i++) {
          int n = base + i;
          loop.execute(() -> {
            if (concurrent.incrementAndGet() > 1) {
              overlaps.incrementAndGet();
            }
            seen.add(n);
            concurrent.decrementAndGet();
          });
        }
      }));
    }
    posters.forEach(Thread::start);
    for (Thread p : posters) {
      p.join();
    }

    int total = loop.call(seen::size).get(30, TimeUnit.SECONDS);

    assertThat(total).isEqualTo(8_000);
    assertThat(overlaps).hasValue(0);
    List<Integer> copy = loop.call(() -> List.copyOf(seen)).get(30, TimeUnit.SECONDS);
    for (int t = 0; t < 4; t++) {
      int base = t * 10_000;
      assertThat(copy.stream().filter(n -> n >= base && n < base + 10_000).toList())
          .as("poster %d's events in order", t).isSorted().hasSize(2_000);
    }
  }

  @Test
  void anEventThatThrowsIsCountedAndTheNextOneRuns() throws Exception {
    AgentLoop loop = new AgentLoop("a", shared);
    loop.execute(() -> {
      throw new IllegalStateException("boom");
    });

    assertThat(loop.call(() -> "after").get(30, TimeUnit.SECONDS)).isEqualTo("after");
    assertThat(loop.failures()).isEqualTo(1);
  }

  @Test
  void stateTouchedOffTheLoopFailsTheCheckAndOnTheLoopPassesIt() throws Exception {
    AgentLoop loop = new AgentLoop("n1", shared);
    assertThat(AgentLoop.CHECKS).as("tests run with -Dmlsysops.loop.checks=true").isTrue();

    assertThatThrownBy(loop::checkInLoop)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("n1: agent state touched outside its event loop, on ");
    assertThat(loop.call(() -> {
      loop.checkInLoop();
      return loop.inLoop();
    }).get(30, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aCallFromTheLoopItselfIsAnsweredAtOnceInsteadOfWaitingForever() throws Exception {
    AgentLoop loop = new AgentLoop("a", shared);

    String answer = loop.call(() -> loop.call(() -> "inner").join()).get(30, TimeUnit.SECONDS);

    assertThat(answer).isEqualTo("inner");
  }

  @Test
  void aThousandLoopsOnTwoSharedThreadsAllGetTheirTurns() {
    List<String> done = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      String name = "n" + i;
      new AgentLoop(name, shared).execute(() -> done.add(name));
    }

    await().atMost(30, TimeUnit.SECONDS).until(() -> done.size() == 1_000);
    assertThat(done).doesNotHaveDuplicates();
  }

  @Test
  void anErrorInAnEventLeavesTheLoopUsableForTheNext() throws Exception {
    AgentLoop loop = new AgentLoop("a", shared);
    loop.execute(() -> {
      throw new OutOfMemoryError("pretend");
    });

    assertThat(loop.call(() -> "still here").get(30, TimeUnit.SECONDS)).isEqualTo("still here");
    assertThat(loop.failures()).isEqualTo(1);
    assertThat(loop.inLoop()).isFalse();
  }

  @Test
  void questionsQueuedWhenTheExecutorStopsAreAnsweredWithAFailure() {
    ExecutorService one = Executors.newSingleThreadExecutor();
    one.shutdownNow();
    AgentLoop loop = new AgentLoop("a", one);

    assertThat(loop.call(() -> 1)).isCompletedExceptionally();
  }

  @Test
  void aBusyLoopHandsTheThreadBackAfterATurnSoOthersAreNotStarved() throws Exception {
    ExecutorService one = Executors.newSingleThreadExecutor();
    try {
      AgentLoop busy = new AgentLoop("busy", one);
      AgentLoop other = new AgentLoop("other", one);
      java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
      busy.execute(() -> {
        try {
          gate.await(); // everything below is queued before the busy loop's first turn goes on
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      for (int i = 0; i < 10 * AgentLoop.TURN; i++) {
        busy.execute(() -> { });
      }
      java.util.concurrent.CompletableFuture<Integer> backlogSeen = other.call(busy::backlog);
      gate.countDown();

      assertThat(backlogSeen.get(30, TimeUnit.SECONDS)).isGreaterThan(0);
    } finally {
      one.shutdownNow();
    }
  }

  @Test
  void aClosedLoopTakesNoMoreEventsAndFailsCalls() {
    AgentLoop loop = new AgentLoop("a", shared);
    loop.close();

    assertThat(loop.call(() -> 1)).isCompletedExceptionally();
  }
}
