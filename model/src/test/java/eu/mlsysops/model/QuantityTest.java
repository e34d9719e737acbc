package eu.mlsysops.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class QuantityTest {

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource({
    "250m, 0.25",
    "0.5, 0.5",
    "1, 1",
    "64Mi, 67108864",
    "1Gi, 1073741824",
    "1.5Gi, 1610612736",
    "1G, 1000000000",
    "500k, 500000",
    "1e3, 1000",
    "1E3, 1000",
    "2.5e-3, 0.0025",
    "1E, 1000000000000000000",
    "100n, 0.0000001",
    "5u, 0.000005",
    "+2, 2",
    "-250m, -0.25",
    ".5, 0.5",
    "3., 3",
    "' 250m ', 0.25",
    "0, 0",
  })
  void parsesKubernetesQuantities(String text, String expected) {
    assertThat(Quantity.parse(text).value()).isEqualByComparingTo(new BigDecimal(expected));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "250x",
        "",
        " ",
        "m",
        "1.2.3",
        "1e",
        "Mi",
        "1 Mi",
        "1mi",
        "1KI",
        "0x10",
        "1e9999",
        "1_000",
        "--1",
        "1e3m",
        "∞",
        "1234567890123456789012345678901234567890"
      })
  void rejectsWhatIsNotAQuantity(String text) {
    assertThatThrownBy(() -> Quantity.parse(text))
        .isInstanceOf(QuantityFormatException.class)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(ValueText.quote(text) + " is not a quantity");
  }

  @Test
  void namesTheTextInTheMessage() {
    assertThatThrownBy(() -> Quantity.parse("250x")).hasMessage("\"250x\" is not a quantity");
    assertThatThrownBy(() -> Quantity.parse(null)).hasMessage("null is not a quantity");
  }

  @Test
  void addsExactly() {
    assertThat(Quantity.parse("0.1").plus(Quantity.parse("0.2"))).isEqualTo(Quantity.parse("300m"));
    assertThat(Quantity.parse("1Gi").minus(Quantity.parse("512Mi")))
        .isEqualTo(Quantity.parse("512Mi"));
    assertThat(Quantity.parse("250m").times(3)).isEqualTo(Quantity.parse("750m"));
    assertThat(Quantity.parse("250m").minus(Quantity.parse("0.25")).isZero()).isTrue();
  }

  @Test
  void equalsByValueAcrossNotations() {
    assertThat(Quantity.parse("0.5")).isEqualTo(Quantity.parse("500m"));
    assertThat(Quantity.parse("0.5").hashCode()).isEqualTo(Quantity.parse("500m").hashCode());
    assertThat(Quantity.parse("1k")).isEqualTo(Quantity.parse("1e3")).isEqualTo(Quantity.of(1000));
    assertThat(Quantity.parse("1Ki")).isEqualTo(Quantity.of(1024));
    assertThat(Quantity.ofMillis(250)).isEqualTo(Quantity.parse("250m"));
    assertThat(Quantity.parse("1Ki")).isNotEqualTo(Quantity.parse("1k"));
  }

  @Test
  void comparesByValue() {
    assertThat(Quantity.parse("1Ki")).isLessThan(Quantity.parse("1.1k"));
    assertThat(Quantity.parse("500m")).isEqualByComparingTo(Quantity.parse("0.5"));
    assertThat(Quantity.parse("2")).isGreaterThan(Quantity.parse("1999m"));
  }

  @Test
  void roundsMillisAndWholeValuesUp() {
    assertThat(Quantity.parse("250m").millis()).isEqualTo(250);
    assertThat(Quantity.parse("0.0001").millis()).isEqualTo(1);
    assertThat(Quantity.parse("2").millis()).isEqualTo(2000);
    assertThat(Quantity.parse("64Mi").longValue()).isEqualTo(67_108_864L);
    assertThat(Quantity.parse("100m").longValue()).isEqualTo(1);
    assertThat(Quantity.parse("-1.5").longValue()).isEqualTo(-1);
    assertThat(Quantity.parse("100E").longValue()).isEqualTo(Long.MAX_VALUE);
  }

  @ParameterizedTest(name = "{0} prints as {1}")
  @CsvSource({
    "250m, 250m",
    "0.5, 500m",
    "64Mi, 64Mi",
    "1536Mi, 1536Mi",
    "1.5Gi, 1536Mi",
    "1024Mi, 1Gi",
    "1000Ki, 1000Ki",
    "0.5Ki, 512",
    "0.1Ki, 102400m",
    "1G, 1G",
    "1000, 1k",
    "1500, 1500",
    "1e3, 1e3",
    "1.5e3, 1500",
    "500k, 500k",
    "0, 0",
    "0Mi, 0",
    "-250m, -250m",
    "1n, 1n",
    "1000E, 1000E",
  })
  void printsCanonicalKubernetesForm(String text, String printed) {
    assertThat(Quantity.parse(text).toString()).isEqualTo(printed);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "250m",
        "0.5",
        "64Mi",
        "1.5Gi",
        "0.1Ki",
        "1e3",
        "7",
        "123456789n",
        "0.0000000001",
        "999999E",
        "-3Ki"
      })
  void printsFormsThatParseBackEqual(String text) {
    Quantity q = Quantity.parse(text);
    assertThat(Quantity.parse(q.toString())).isEqualTo(q);
    assertThat(Quantity.parse(q.toString()).toString()).isEqualTo(q.toString());
  }

  @Test
  void keepsTheNotationOfTheNonZeroOperandWhenSumming() {
    assertThat(Quantity.ZERO.plus(Quantity.parse("64Mi")).plus(Quantity.parse("64Mi")).toString())
        .isEqualTo("128Mi");
  }
}
