package eu.mlsysops.agent.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import eu.mlsysops.protocol.Message;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ControlSetTest {
  static Message.TierControl node(Message.PolicyFile... files) {
    return new Message.TierControl(Message.Tier.NODE, List.of("b", "a"), List.of(), List.of(files));
  }

  static Message.PolicyFile file(String name, String text) {
    return ControlSet.file(name, text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theDigestDependsOnContentNotOnListingOrder() {
    var x = file("policy-x.groovy", "x");
    var y = file("policy-y.groovy", "y");
    var cluster = new Message.TierControl(Message.Tier.CLUSTER, List.of(), List.of(), List.of());

    Message.Control one = ControlSet.of("k", "ml", List.of(node(x, y), cluster));
    Message.Control two = ControlSet.of("k", "ml", List.of(cluster, node(y, x)));
    Message.Control otherMode = ControlSet.of("k", "heuristic", List.of(node(x, y), cluster));
    Message.Control otherFile = ControlSet.of("k", "ml", List.of(node(x, file("policy-y.groovy",
        "y2")), cluster));

    assertThat(one.digest()).isEqualTo(two.digest()).hasSize(64);
    assertThat(otherMode.digest()).isNotEqualTo(one.digest());
    assertThat(otherFile.digest()).isNotEqualTo(one.digest());
    assertThat(ControlSet.problem(one)).isEmpty();
  }

  @Test
  void aFileWhoseBytesDoNotMatchItsHashIsRefusedNamingIt() {
    var good = file("policy-x.groovy", "x");
    var tampered = new Message.PolicyFile("policy-x.groovy", good.sha256(),
        ByteString.copyFromUtf8("evil"));
    Message.Control c = ControlSet.of("k", "ml", List.of(node(tampered)));

    assertThat(ControlSet.problem(c)).hasValueSatisfying(p -> assertThat(p)
        .startsWith("tiers.node.files.policy-x.groovy: content does not match its sha256"));
  }

  @Test
  void aDigestThatDoesNotMatchTheContentIsRefused() {
    Message.Control c = ControlSet.of("k", "ml", List.of(node()));
    Message.Control forged = new Message.Control("k", c.digest(), "heuristic", c.tiers());

    assertThat(ControlSet.problem(forged)).hasValueSatisfying(p -> assertThat(p)
        .startsWith("digest: "));
  }

  @Test
  void fileNamesThatCouldLeaveTheDirectoryAndUnknownModesAreRefused() {
    for (String name : List.of("../policy.groovy", ".hidden.groovy", "a/b.groovy", "x.sh")) {
      Message.Control c = ControlSet.of("k", "ml", List.of(node(file(name, "x"))));
      assertThat(ControlSet.problem(c)).as(name).hasValueSatisfying(p -> assertThat(p)
          .contains("not a plain .groovy or .jar file name"));
    }
    assertThat(ControlSet.problem(ControlSet.of("k", "turbo", List.of())))
        .hasValue("mode: \"turbo\" is neither heuristic nor ml");
  }
}
