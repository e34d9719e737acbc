package eu.mlsysops.orchestration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanetLabTracesTest {
  static final String FIXTURE = "146-179_surfsnel_dsl_internl_net_colostate_557";

  static Path fixture() throws URISyntaxException {
    return Path.of(PlanetLabTracesTest.class.getResource("/planetlab/" + FIXTURE).toURI());
  }

  @Test
  void readsADayOfFiveMinuteSamples() throws Exception {
    double[] trace = PlanetLabTraces.load(fixture());
    assertThat(trace).hasSize(288);
    assertThat(trace[0]).isEqualTo(24);
    assertThat(trace[1]).isEqualTo(34);
    assertThat(Arrays.stream(trace).allMatch(v -> v >= 0 && v <= 100)).isTrue();
  }

  @Test
  void replaysTheTraceAsALoadModel() throws Exception {
    LoadModel m = PlanetLabTraces.asLoad(PlanetLabTraces.load(fixture()), 1);
    // Half-way between the first two samples (24 and 34).
    assertThat(m.requestsPerSecond(150_000, 100, 0)).isEqualTo(29);
  }

  @Test
  void loadsTheFirstFilesOfADayInByteOrder(@TempDir Path day) throws Exception {
    Files.writeString(day.resolve("b_vm"), "1\n2\n");
    Files.writeString(day.resolve("a_vm"), "3\n4\n");
    Files.writeString(day.resolve("B_vm"), "5\n6\n"); // 'B' sorts before 'a' in byte order
    Files.writeString(day.resolve(".hidden"), "junk");

    var traces = PlanetLabTraces.loadDay(day, 2);

    assertThat(traces.keySet()).containsExactly("B_vm", "a_vm");
    assertThat(traces.get("a_vm")).containsExactly(3, 4);
  }

  @Test
  void namesTheFileAndLineOfABadValue(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("vm");
    Files.writeString(f, "12\nabc\n");
    assertThatThrownBy(() -> PlanetLabTraces.load(f))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("vm:2")
        .hasMessageContaining("abc");
    Files.writeString(f, "12\n140\n");
    assertThatThrownBy(() -> PlanetLabTraces.load(f)).hasMessageContaining("0..100");
  }
}
