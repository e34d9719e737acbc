package eu.mlsysops.telemetry.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.mlsysops.telemetry.Labels;
import org.junit.jupiter.api.Test;

class OtlpCredentialsTest {
  private static final OtlpCredentials.Source WEB =
      new OtlpCredentials.Source("n1", "shop", "web", "shop-web-0");

  @Test
  void aMintedTokenNamesItsInstanceAndAForgedOneNamesNobody() {
    OtlpCredentials c = OtlpCredentials.randomTokens();
    String token = c.mint(WEB);
    assertThat(c.verify("Bearer " + token)).contains(WEB);
    assertThat(c.verify("bearer " + token)).as("the scheme is case-insensitive").contains(WEB);
    assertThat(c.verify(null)).isEmpty();
    assertThat(c.verify("Basic " + token)).isEmpty();
    assertThat(c.verify("Bearer " + token + "x")).isEmpty();
    assertThat(c.verify("Bearer mlsotel_.")).isEmpty();
    // Another agent's key, or the claims of another instance under this signature: nobody.
    assertThat(OtlpCredentials.randomTokens().verify("Bearer " + token)).isEmpty();
    String other = c.mint(new OtlpCredentials.Source("n1", "bank", "api", "bank-api-0"));
    String spliced = token.substring(0, token.lastIndexOf('.'))
        + other.substring(other.lastIndexOf('.'));
    assertThat(c.verify("Bearer " + spliced)).isEmpty();
  }

  @Test
  void aSourceWritesOnlyItsOwnSeries() {
    assertThat(WEB.permits(Labels.of("app", "shop", "component", "web", "instance",
        "shop-web-0", "node", "n1"))).isTrue();
    assertThat(WEB.permits(Labels.of("app", "shop", "route", "/cart"))).isTrue();
    assertThat(WEB.permits(Labels.of("app", "bank"))).isFalse();
    assertThat(WEB.permits(Labels.of("app", "shop", "instance", "shop-web-1"))).isFalse();
    assertThat(WEB.permits(Labels.of("node", "n2"))).isFalse();
    assertThat(OtlpCredentials.Source.ANYONE.permits(Labels.of("app", "bank"))).isTrue();
    assertThat(OtlpCredentials.anyone().verify(null)).contains(OtlpCredentials.Source.ANYONE);
    assertThatThrownBy(() -> OtlpCredentials.tokens(new byte[8]))
        .hasMessage("key: at least 32 bytes");
  }

  @Test
  void whatASourceSendsIsStoredAsItsOwnAndTheNodesOwnMetricsAreNotItsToWrite() {
    Labels full = Labels.of("app", "shop", "component", "web", "instance", "shop-web-0", "node",
        "n1");
    // Naming nobody is naming itself: the series counts against its app and is seen by its tenant.
    assertThat(WEB.own("requests_total", Labels.of("route", "/cart")))
        .isEqualTo(Labels.of("route", "/cart", "app", "shop", "component", "web", "instance",
            "shop-web-0", "node", "n1"));
    assertThat(WEB.own("requests_total", full)).isSameAs(full);
    assertThat(WEB.own("requests_total", Labels.of("app", "bank"))).isNull();
    // The host's figures, trust and agent health are the node's, whatever the labels say.
    assertThat(WEB.own("node_cpu_utilization", Labels.of("node", "n1"))).isNull();
    assertThat(WEB.own("mlsysops_node_trust", full)).isNull();
    assertThat(WEB.own("mls_telemetry_dropped_total", Labels.EMPTY)).isNull();
    assertThat(OtlpCredentials.Source.ANYONE.own("node_cpu_utilization", Labels.of("node", "n1")))
        .isEqualTo(Labels.of("node", "n1"));
  }
}
