package eu.mlsysops.orchestration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SpecChangeTest {
  @Test
  void argsReadBackIntoTheSameChange() {
    SpecChange c = SpecChange.parse(Map.of("image", "web:2", "cpu_requests", "500m",
        "memory_limits", "1Gi", "runtime_class_name", "kata", "container", "1"));

    assertThat(SpecChange.parse(c.args())).isEqualTo(c);
    assertThat(c.describe()).isEqualTo(
        "image=web:2, runtime_class_name=kata, cpu_requests=500m, memory_limits=1Gi (container 1)");
  }

  @Test
  void laterValuesWinAndEarlierOnesStay() {
    SpecChange merged = SpecChange.parse(Map.of("image", "web:2", "cpu_requests", "500m"))
        .then(SpecChange.parse(Map.of("image", "web:3")));

    assertThat(merged.describe()).isEqualTo("image=web:3, cpu_requests=500m");
  }

  @Test
  void badArgumentsAreNamed() {
    assertThatThrownBy(() -> SpecChange.parse(Map.of("cpu_requests", "250x")))
        .hasMessageStartingWith("change_spec: cpu_requests: ");
    assertThatThrownBy(() -> SpecChange.parse(Map.of("container", "first", "image", "a")))
        .hasMessage("change_spec: container: \"first\" is not a number");
    assertThatThrownBy(() -> SpecChange.parse(Map.of()))
        .hasMessageStartingWith("change_spec needs at least one of image");
  }
}
