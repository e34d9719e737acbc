package eu.mlsysops.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;

/**
 * What a field means beyond its schema type, for the fields that carry quantities or frequencies.
 * Keyed by schema path (array indices written {@code []}).
 */
enum FieldMeaning {
  /** A Kubernetes CPU quantity (string or number). */
  CPU_QUANTITY("CPU quantity"),
  /** A Kubernetes memory quantity (string or number). */
  MEMORY_QUANTITY("memory quantity"),
  /** A microcontroller quantity (string or number). */
  MCU_QUANTITY("MCU quantity"),
  /** A size whose plain numbers mean GiB and whose suffixed quantities mean bytes. */
  MEMORY_SIZE("memory quantity"),
  /** Like MEMORY_SIZE, for disks. */
  DISK_SIZE("disk quantity"),
  /** A clock frequency, normalised to GHz. */
  FREQUENCY("frequency");

  private static final BigDecimal GIB = BigDecimal.valueOf(1L << 30);
  private static final String REQUIREMENTS = "components[].containers[].platform_requirements.";

  private static final Map<DescriptorKind, Map<String, FieldMeaning>> TABLE =
      Map.of(
          DescriptorKind.APP,
              Map.of(
                  REQUIREMENTS + "cpu.requests", CPU_QUANTITY,
                  REQUIREMENTS + "cpu.limits", CPU_QUANTITY,
                  REQUIREMENTS + "memory.requests", MEMORY_QUANTITY,
                  REQUIREMENTS + "memory.limits", MEMORY_QUANTITY,
                  REQUIREMENTS + "mcu.requests", MCU_QUANTITY,
                  REQUIREMENTS + "mcu.limits", MCU_QUANTITY,
                  REQUIREMENTS + "disk", DISK_SIZE,
                  REQUIREMENTS + "cpu.frequency", FREQUENCY,
                  REQUIREMENTS + "mcu.frequency", FREQUENCY),
          DescriptorKind.NODE,
              Map.of(
                  "hardware.memory", MEMORY_SIZE,
                  "hardware.disk", DISK_SIZE,
                  "hardware.cpu.frequency[]", FREQUENCY,
                  "hardware.mcu.frequency", FREQUENCY));

  private final String label;

  FieldMeaning(String label) {
    this.label = label;
  }

  /** How the value is named in messages, e.g. "CPU quantity". */
  String label() {
    return label;
  }

  boolean isQuantity() {
    return this == CPU_QUANTITY || this == MEMORY_QUANTITY || this == MCU_QUANTITY;
  }

  boolean isSize() {
    return this == MEMORY_SIZE || this == DISK_SIZE;
  }

  /** The meaning of the field at a schema path, or null for plain fields. */
  static FieldMeaning at(DescriptorKind kind, String schemaPath) {
    Map<String, FieldMeaning> fields = TABLE.get(kind);
    return fields == null ? null : fields.get(schemaPath);
  }

  /**
   * Reads a size in bytes: a number or plain numeric text is GiB (rounded up to whole bytes), a
   * suffixed quantity is bytes as written.
   *
   * @throws QuantityFormatException if the text is not a quantity or out of range
   */
  static Quantity bytes(JsonNode value) {
    String text = value.isNumber() ? ValueText.numberText(value) : value.asText();
    Quantity q = Quantity.parse(text);
    char last = text.strip().isEmpty() ? ' ' : text.strip().charAt(text.strip().length() - 1);
    if (Character.isDigit(last) || last == '.') {
      BigDecimal bytes = q.value().multiply(GIB).setScale(0, RoundingMode.CEILING);
      return Quantity.ofBytes(bytes);
    }
    return q;
  }
}
