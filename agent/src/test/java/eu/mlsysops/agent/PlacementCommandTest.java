package eu.mlsysops.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.mlsysops.orchestration.SpecChange;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlacementCommandTest {
  private static final ComponentId WEB = new ComponentId("shop", "web");

  @Test
  void everyCommandReadsBackFromItsWireForm() {
    List<PlacementCommand> all = List.of(
        new PlacementCommand.Deploy(WEB.slot(0), new NodeId("n1")),
        new PlacementCommand.Move(WEB.slot(2), new NodeId("n2")),
        new PlacementCommand.Remove(WEB.slot(1)),
        new PlacementCommand.Scale(WEB, 4),
        new PlacementCommand.Restart(WEB, -1, true),
        new PlacementCommand.Restart(WEB, 3, false),
        new PlacementCommand.ChangeSpec(WEB, -1,
            SpecChange.parse(Map.of("image", "web:2", "cpu_requests", "500m"))),
        new PlacementCommand.Relocate(WEB.slot(0)));
    for (PlacementCommand c : all) {
      assertThat(PlacementCommand.from(c.toCommand())).as(c.toString()).isEqualTo(c);
    }
    assertThat(new PlacementCommand.Move(WEB.slot(2), new NodeId("n2")).toCommand())
        .isEqualTo(Command.of("placement", "move", "app", "shop", "component", "web", "slot", "2",
            "to", "n2"));
  }

  @Test
  void aPlansVersionAndTokenDoNotDisturbReadingTheCommand() {
    Command stamped = Command.of("placement", "remove", "app", "shop", "component", "web",
        "slot", "1", Plan.VERSION_ARG, "7", Plan.TOKEN_ARG, "p1");
    assertThat(PlacementCommand.from(stamped)).isEqualTo(new PlacementCommand.Remove(WEB.slot(1)));
  }

  @Test
  void badCommandsAreRefusedNamingTheField() {
    assertThatThrownBy(() -> PlacementCommand.from(
        Command.of("placement", "move", "app", "shop", "component", "web", "slot", "0")))
        .hasMessage("placement move: to: missing");
    assertThatThrownBy(() -> PlacementCommand.from(
        Command.of("placement", "deploy", "app", "shop", "component", "web", "slot", "x",
            "node", "n1")))
        .hasMessage("placement deploy: slot: \"x\" is not a number");
    assertThatThrownBy(() -> PlacementCommand.from(
        Command.of("placement", "scale", "component", "web", "instances", "2")))
        .hasMessage("placement scale: app: missing");
    assertThatThrownBy(() -> PlacementCommand.from(
        Command.of("placement", "scale", "app", "shop", "component", "web", "instances", "-1")))
        .hasMessage("placement scale: instances: must be at least 0, got -1");
    assertThatThrownBy(() -> PlacementCommand.from(
        Command.of("placement", "remove", "app", "shop", "component", "web", "slot", "-2")))
        .hasMessage("placement remove: slot: must be at least 0, got -2");
    assertThatThrownBy(() -> PlacementCommand.from(
        Command.of("placement", "change_spec", "app", "shop", "component", "web")))
        .hasMessageStartingWith("placement change_spec needs at least one of image");
    assertThatThrownBy(() -> PlacementCommand.from(
        Command.of("placement", "teleport", "app", "shop", "component", "web")))
        .hasMessageStartingWith("placement teleport: no such action (deploy, move");
  }

  @Test
  void clusterAssignmentsReadBackAndNameTheMissingField() {
    ClusterAssignment a = new ClusterAssignment(WEB, "edge");
    assertThat(ClusterAssignment.from(a.toCommand())).isEqualTo(a);
    assertThatThrownBy(() -> ClusterAssignment.from(
        Command.of("cluster_placement", "assign", "app", "shop", "component", "web")))
        .hasMessage("cluster_placement assign: cluster: missing");
    assertThatThrownBy(() -> ClusterAssignment.from(
        Command.of("cluster_placement", "move", "app", "shop")))
        .hasMessage("cluster_placement has no action \"move\" (assign)");
  }

  @Test
  void instancePhasesReadFromReportsAndUnknownOnesStayUnknown() {
    assertThat(InstancePhase.of("RUNNING")).isEqualTo(InstancePhase.RUNNING);
    assertThat(InstancePhase.of("gave_up")).isEqualTo(InstancePhase.GAVE_UP);
    assertThat(InstancePhase.of("HIBERNATING")).isEqualTo(InstancePhase.UNKNOWN);
    assertThat(InstancePhase.of(null)).isEqualTo(InstancePhase.UNKNOWN);
    assertThat(InstancePhase.LOST.isGone()).isTrue();
    assertThat(InstancePhase.BACKOFF.isGone()).isFalse();
  }
}
