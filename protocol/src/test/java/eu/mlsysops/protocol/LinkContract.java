package eu.mlsysops.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Link} must do. {@code InProcessLinkTest} and {@code grpc.GrpcLinkTest} run it,
 * each with its own {@link #connect()}.
 */
public abstract class LinkContract {

  /**
   * A connected pair plus a way to cut and restore it. {@link #cut()} returns once both sides see
   * the link down, {@link #restore()} once both see it up again.
   */
  public interface Pair {
    Link child();

    Link parent();

    void cut();

    void restore();
  }

  protected abstract Pair connect();

  @Test
  void deliversMessagesInOrderInBothDirections() {
    Pair p = connect();
    List<Message> atParent = new CopyOnWriteArrayList<>();
    List<Message> atChild = new CopyOnWriteArrayList<>();
    p.parent().onReceive(atParent::add);
    p.child().onReceive(atChild::add);
    for (int i = 0; i < 1000; i++) {
      assertThat(p.child().send(new Message.Heartbeat("n1", i))).isTrue();
    }
    p.parent().send(new Message.Registered("c1", 7));

    await().atMost(15, TimeUnit.SECONDS).until(() -> atParent.size() == 1000 && atChild.size() == 1);
    for (int i = 0; i < 1000; i++) {
      assertThat(((Message.Heartbeat) atParent.get(i)).sentAtMillis()).isEqualTo(i);
    }
    assertThat(atChild.get(0)).isEqualTo(new Message.Registered("c1", 7));
  }

  @Test
  void refusesSendsWhileCutAndReportsConnectionChanges() {
    Pair p = connect();
    List<Boolean> changes = new CopyOnWriteArrayList<>();
    List<Message> atParent = new CopyOnWriteArrayList<>();
    p.child().onConnectionChange(changes::add);
    p.parent().onReceive(atParent::add);

    p.cut();
    assertThat(p.child().isConnected()).isFalse();
    assertThat(p.child().send(new Message.Heartbeat("n1", 1))).isFalse();
    p.restore();
    assertThat(p.child().send(new Message.Heartbeat("n1", 2))).isTrue();

    await().atMost(15, TimeUnit.SECONDS).until(() -> atParent.size() == 1);
    assertThat(((Message.Heartbeat) atParent.get(0)).sentAtMillis()).isEqualTo(2);
    await().atMost(15, TimeUnit.SECONDS).until(() -> changes.equals(List.of(false, true)));
  }

  @Test
  void aHandlerThatThrowsDoesNotStallTheLink() {
    Pair p = connect();
    List<Message> ok = new CopyOnWriteArrayList<>();
    p.parent().onReceive(m -> {
      if (((Message.Heartbeat) m).sentAtMillis() == 1) {
        throw new IllegalStateException("bad handler");
      }
      ok.add(m);
    });
    p.child().send(new Message.Heartbeat("n1", 1));
    p.child().send(new Message.Heartbeat("n1", 2));
    await().atMost(15, TimeUnit.SECONDS).until(() -> ok.size() == 1);
  }

  @Test
  void bothSidesHearTheCutAndTheRestore() {
    Pair p = connect();
    List<Boolean> atChild = new CopyOnWriteArrayList<>();
    List<Boolean> atParent = new CopyOnWriteArrayList<>();
    p.child().onConnectionChange(atChild::add);
    p.parent().onConnectionChange(atParent::add);

    p.cut();
    assertThat(p.parent().isConnected()).isFalse();
    assertThat(p.parent().send(new Message.Registered("c1", 1))).isFalse();
    p.restore();

    await().atMost(15, TimeUnit.SECONDS).until(() -> atChild.equals(List.of(false, true)));
    await().atMost(15, TimeUnit.SECONDS).until(() -> atParent.equals(List.of(false, true)));
    List<Message> atChildMessages = new CopyOnWriteArrayList<>();
    p.child().onReceive(atChildMessages::add);
    assertThat(p.parent().send(new Message.Registered("c1", 2))).isTrue();
    await().atMost(15, TimeUnit.SECONDS).until(() -> atChildMessages.size() == 1);
  }
}
