package eu.mlsysops.model;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Kubernetes resource quantity such as {@code 250m}, {@code 0.5}, {@code 64Mi}, {@code 1G} or
 * {@code 1e3}, held as an exact {@link BigDecimal}.
 *
 * <p>Arithmetic is exact ({@code 0.1 + 0.2} equals {@code 300m}). Two quantities are equal when
 * their values are equal, whatever suffix they were written with ({@code 0.5} equals {@code 500m}).
 * {@link #toString()} gives a canonical form in the suffix family the quantity was written in
 * (binary {@code Ki..Ei}, decimal {@code n..E}, or exponent {@code e3}); it always parses back to
 * an equal quantity.
 *
 * <p>Accepted grammar (surrounding whitespace ignored): an optionally signed decimal number
 * followed by nothing, a binary suffix {@code Ki Mi Gi Ti Pi Ei}, a decimal suffix {@code n u m k M
 * G T P E}, or an exponent {@code e}/{@code E} with an integer. Magnitudes are limited to below
 * 10<sup>24</sup> and precision to 10<sup>-24</sup> so that no input can make arithmetic expensive.
 */
public final class Quantity implements Comparable<Quantity> {

  /** The suffix family a quantity was written in; only affects {@link #toString()}. */
  private enum Format {
    DECIMAL_SI,
    BINARY_SI,
    DECIMAL_EXPONENT
  }

  /** Zero, in decimal notation. */
  static final Quantity ZERO = new Quantity(BigDecimal.ZERO, Format.DECIMAL_SI);

  private static final int MAX_TEXT_LENGTH = 100;
  private static final BigDecimal MAX_MAGNITUDE = BigDecimal.TEN.pow(24);
  private static final int MAX_SCALE = 24;
  private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);
  private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);

  private static final Pattern SYNTAX =
      Pattern.compile(
          "([+-]?)(\\d+(?:\\.\\d*)?|\\.\\d+)"
              + "(?:[eE]([+-]?\\d{1,4})|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?");

  private static final String[] BINARY_SUFFIXES = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};

  private final BigDecimal value;
  private final Format format;

  private Quantity(BigDecimal value, Format format) {
    this.value = value;
    this.format = format;
  }

  /**
   * Parses a Kubernetes quantity.
   *
   * @param text the quantity text, e.g. {@code "250m"}, {@code "64Mi"}, {@code "0.5"}
   * @return the quantity
   * @throws QuantityFormatException if {@code text} is null or not a quantity; the message reads
   *     {@code "250x" is not a quantity}
   */
  public static Quantity parse(String text) {
    if (text == null) {
      throw new QuantityFormatException(null, null);
    }
    String trimmed = text.strip();
    if (trimmed.isEmpty() || trimmed.length() > MAX_TEXT_LENGTH) {
      throw new QuantityFormatException(text, null);
    }
    Matcher m = SYNTAX.matcher(trimmed);
    if (!m.matches()) {
      throw new QuantityFormatException(text, null);
    }
    BigDecimal number = new BigDecimal(m.group(2));
    if (m.group(1).equals("-")) {
      number = number.negate();
    }
    Format format = Format.DECIMAL_SI;
    if (m.group(3) != null) {
      int exponent = Integer.parseInt(m.group(3));
      if (Math.abs(exponent) > 2 * MAX_SCALE) {
        throw new QuantityFormatException(text, "out of range");
      }
      number = number.scaleByPowerOfTen(exponent);
      format = Format.DECIMAL_EXPONENT;
    } else if (m.group(4) != null) {
      String suffix = m.group(4);
      if (suffix.length() == 2) {
        format = Format.BINARY_SI;
        number =
            number.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(10 * binaryPower(suffix))));
      } else {
        number = number.scaleByPowerOfTen(decimalPower(suffix.charAt(0)));
      }
    }
    return checked(number, format, text);
  }

  /**
   * Returns the quantity with the given whole value, e.g. {@code of(2)} is {@code 2} CPUs or 2
   * bytes.
   *
   * @param value the value
   * @return the quantity
   */
  public static Quantity of(long value) {
    return new Quantity(BigDecimal.valueOf(value), Format.DECIMAL_SI);
  }

  /**
   * Returns the quantity of {@code millis} thousandths, e.g. {@code ofMillis(250)} is {@code 250m}.
   *
   * @param millis the value in thousandths
   * @return the quantity
   */
  public static Quantity ofMillis(long millis) {
    return new Quantity(BigDecimal.valueOf(millis, 3), Format.DECIMAL_SI);
  }

  /** A quantity of bytes, printed with binary suffixes; {@code bytes} must be within range. */
  static Quantity ofBytes(BigDecimal bytes) {
    return checked(bytes, Format.BINARY_SI, bytes.toString());
  }

  private static Quantity checked(BigDecimal number, Format format, String text) {
    BigDecimal stripped = number.signum() == 0 ? BigDecimal.ZERO : number.stripTrailingZeros();
    if (stripped.abs().compareTo(MAX_MAGNITUDE) >= 0 || stripped.scale() > MAX_SCALE) {
      throw new QuantityFormatException(text, "out of range");
    }
    return new Quantity(stripped, format);
  }

  private static int binaryPower(String suffix) {
    for (int i = 1; i < BINARY_SUFFIXES.length; i++) {
      if (BINARY_SUFFIXES[i].equals(suffix)) {
        return i;
      }
    }
    throw new IllegalStateException(suffix);
  }

  private static int decimalPower(char suffix) {
    return switch (suffix) {
      case 'n' -> -9;
      case 'u' -> -6;
      case 'm' -> -3;
      case 'k' -> 3;
      case 'M' -> 6;
      case 'G' -> 9;
      case 'T' -> 12;
      case 'P' -> 15;
      case 'E' -> 18;
      default -> throw new IllegalStateException(String.valueOf(suffix));
    };
  }

  /**
   * Returns the exact value, e.g. {@code 0.25} for {@code 250m} and {@code 67108864} for {@code
   * 64Mi}.
   *
   * @return the value
   */
  public BigDecimal value() {
    return value;
  }

  /**
   * Returns the value in thousandths rounded up, i.e. CPU millicores: {@code 250m} gives 250,
   * {@code 0.0001} gives 1. Saturates at {@link Long#MAX_VALUE}/{@link Long#MIN_VALUE}.
   *
   * @return the value times 1000, rounded towards positive infinity
   */
  public long millis() {
    return saturated(value.multiply(THOUSAND).setScale(0, RoundingMode.CEILING));
  }

  /**
   * Returns the value rounded up to a whole number, e.g. bytes for a memory quantity. Saturates at
   * {@link Long#MAX_VALUE}/{@link Long#MIN_VALUE}.
   *
   * @return the value rounded towards positive infinity
   */
  public long longValue() {
    return saturated(value.setScale(0, RoundingMode.CEILING));
  }

  private static long saturated(BigDecimal whole) {
    if (whole.compareTo(LONG_MAX) > 0) {
      return Long.MAX_VALUE;
    }
    if (whole.compareTo(LONG_MIN) < 0) {
      return Long.MIN_VALUE;
    }
    return whole.longValueExact();
  }

  /**
   * Returns the exact sum.
   *
   * @param other the quantity to add
   * @return {@code this + other}, in this quantity's notation (or {@code other}'s if this is zero)
   */
  public Quantity plus(Quantity other) {
    return combine(value.add(other.value), other);
  }

  /**
   * Returns the exact difference.
   *
   * @param other the quantity to subtract
   * @return {@code this - other}, in this quantity's notation (or {@code other}'s if this is zero)
   */
  public Quantity minus(Quantity other) {
    return combine(value.subtract(other.value), other);
  }

  /**
   * Returns the exact product with a whole factor, e.g. per-instance requests times instances.
   *
   * @param factor the factor
   * @return {@code this * factor}
   * @throws ArithmeticException if the result exceeds the supported range
   */
  public Quantity times(long factor) {
    return withinRange(value.multiply(BigDecimal.valueOf(factor)), format);
  }

  private Quantity combine(BigDecimal result, Quantity other) {
    return withinRange(result, isZero() ? other.format : format);
  }

  private static Quantity withinRange(BigDecimal result, Format format) {
    try {
      return checked(result, format, result.toString());
    } catch (QuantityFormatException e) {
      throw new ArithmeticException("quantity out of range: " + result);
    }
  }

  /**
   * Tells whether the value is zero.
   *
   * @return true for zero in any notation
   */
  public boolean isZero() {
    return value.signum() == 0;
  }

  /** Compares by value: {@code 500m} equals {@code 0.5}, {@code 1Ki} is less than {@code 1.1k}. */
  @Override
  public int compareTo(Quantity other) {
    return value.compareTo(other.value);
  }

  /** Equal when the values are equal, whatever the notation. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Quantity q && value.compareTo(q.value) == 0;
  }

  @Override
  public int hashCode() {
    // value is kept stripped of trailing zeros, so equal values hash alike.
    return Objects.hashCode(value);
  }

  /**
   * Returns the canonical Kubernetes form: the largest suffix of the original family that keeps the
   * number whole, e.g. {@code 250m}, {@code 64Mi}, {@code 1k}, {@code 1e3}; a binary quantity that
   * is not whole falls back to decimal suffixes; a value finer than nano is printed as a plain
   * decimal.
   */
  @Override
  public String toString() {
    if (value.signum() == 0) {
      return "0";
    }
    if (format == Format.BINARY_SI && value.scale() <= 0) {
      BigInteger whole = value.toBigIntegerExact();
      for (int power = BINARY_SUFFIXES.length - 1; power >= 1; power--) {
        BigInteger[] qr = whole.divideAndRemainder(BigInteger.ONE.shiftLeft(10 * power));
        if (qr[1].signum() == 0) {
          return qr[0] + BINARY_SUFFIXES[power];
        }
      }
      return whole.toString();
    }
    // value = unscaled * 10^-scale; the number is whole after dividing by 10^e iff e <= -scale.
    int exponent = Math.min(18, Math.floorDiv(-value.scale(), 3) * 3);
    if (exponent < -9) {
      return value.toPlainString();
    }
    BigInteger mantissa = value.scaleByPowerOfTen(-exponent).toBigIntegerExact();
    if (format == Format.DECIMAL_EXPONENT) {
      return exponent == 0 ? mantissa.toString() : mantissa + "e" + exponent;
    }
    return mantissa + decimalSuffix(exponent);
  }

  private static String decimalSuffix(int exponent) {
    return switch (exponent) {
      case -9 -> "n";
      case -6 -> "u";
      case -3 -> "m";
      case 0 -> "";
      case 3 -> "k";
      case 6 -> "M";
      case 9 -> "G";
      case 12 -> "T";
      case 15 -> "P";
      case 18 -> "E";
      default -> throw new IllegalStateException(String.valueOf(exponent));
    };
  }
}
