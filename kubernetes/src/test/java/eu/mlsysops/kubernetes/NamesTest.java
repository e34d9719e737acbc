package eu.mlsysops.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NamesTest {
  static final String DNS_LABEL = "[a-z]([-a-z0-9]{0,61}[a-z0-9])?";
  static final String LABEL_VALUE = "([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?";

  @Test
  void validNamesStayAsTheyAre() {
    assertThat(Names.dnsLabel("smart-camera")).isEqualTo("smart-camera");
    assertThat(Names.labelValue("edge-1.local")).isEqualTo("edge-1.local");
  }

  @Test
  void anyInputBecomesAValidNameAndChangedNamesDoNotCollide() {
    List<String> inputs =
        List.of(
            "shop/web/0",
            "shop/web/0.1",
            "Shop/Web/0",
            "shop-web-0",
            "9lives",
            "---",
            "a".repeat(300),
            "a".repeat(299) + "b",
            "ünïcode app",
            "");
    Set<String> dns = new HashSet<>();
    Set<String> labels = new HashSet<>();
    for (String in : inputs) {
      assertThat(Names.dnsLabel(in)).as(in).matches(DNS_LABEL);
      assertThat(Names.labelValue(in)).as(in).matches(LABEL_VALUE).hasSizeLessThanOrEqualTo(63);
      dns.add(Names.dnsLabel(in));
      labels.add(Names.labelValue(in));
    }
    assertThat(dns).hasSameSizeAs(inputs);
    assertThat(labels).hasSameSizeAs(inputs);
  }
}
