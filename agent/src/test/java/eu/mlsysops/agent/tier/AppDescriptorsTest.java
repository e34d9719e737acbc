package eu.mlsysops.agent.tier;

import static org.assertj.core.api.Assertions.assertThat;

import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.protocol.Message;
import eu.mlsysops.protocol.grpc.MessageCodec;
import java.util.List;
import org.junit.jupiter.api.Test;

class AppDescriptorsTest {
  @Test
  void aClustersShareOfAnAppCrossesTheGrpcCodecEvenWhenItDependsOnAnotherCluster() {
    AppDescriptor app = EmbeddedContinuumTest.demoApp();
    // analytics depends on detector, which the demo places on the edge cluster.
    List<Component> cloud = app.components().stream()
        .filter(c -> c.name().equals("analytics")).toList();
    assertThat(cloud.get(0).dependsOn()).contains("detector");
    AppDescriptor share = ClusterStore.selfContained(AppDescriptors.withComponents(app, cloud));

    Message.DesiredState sent = new Message.DesiredState("continuum", 7, List.of(), List.of(share));
    Message decoded = MessageCodec.decode(MessageCodec.encode(sent));

    assertThat(decoded).isEqualTo(sent);
    assertThat(share.components()).singleElement()
        .satisfies(c -> assertThat(c.dependsOn()).isEmpty());
  }
}
