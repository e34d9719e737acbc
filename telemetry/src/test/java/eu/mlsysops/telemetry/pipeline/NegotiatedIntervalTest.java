package eu.mlsysops.telemetry.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NegotiatedIntervalTest {

  @Test
  void isTheShortestRequestNoShorterThanTheFloor() throws Exception {
    NegotiatedInterval interval = new NegotiatedInterval(Duration.ofSeconds(5), Duration.ofMillis(100));
    List<Duration> heard = new ArrayList<>();
    interval.onChange(heard::add);

    assertThat(interval.current()).isEqualTo(Duration.ofSeconds(5));
    interval.request("qos-relocation", Duration.ofSeconds(2));
    interval.request("cpu-frequency", Duration.ofMillis(500));
    interval.request("greedy", Duration.ofMillis(1));
    assertThat(interval.current()).isEqualTo(Duration.ofMillis(100));
    interval.withdraw("greedy");
    interval.request("qos-relocation", Duration.ofSeconds(3));
    interval.withdraw("cpu-frequency");
    interval.withdraw("qos-relocation");

    assertThat(heard).containsExactly(Duration.ofSeconds(2), Duration.ofMillis(500),
        Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(3), Duration.ofSeconds(5));
  }
}
