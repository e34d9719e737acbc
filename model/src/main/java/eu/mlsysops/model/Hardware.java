package eu.mlsysops.model;

/**
 * A node's {@code hardware}.
 *
 * <p><b>Units of memory and disk.</b> The CRD gives both in GB and the reference examples write
 * plain numbers ({@code memory: "4"}). A plain number is therefore read as GiB (&times;2<sup>30
 * </sup> bytes); a suffixed quantity such as {@code 512Mi} or {@code 4G} is taken as written, in
 * bytes. Both components hold <em>bytes</em>.
 *
 * @param cpu the CPU, or null
 * @param mcu the microcontroller, or null
 * @param memory memory size in bytes, or null
 * @param disk local disk size in bytes, or null
 * @param gpu the GPU, or null
 * @param fpga the FPGA, or null
 */
public record Hardware(
    CpuHardware cpu,
    McuHardware mcu,
    Quantity memory,
    Quantity disk,
    GpuHardware gpu,
    FpgaHardware fpga) {

  /**
   * Returns the memory size in bytes.
   *
   * @return {@code memory} rounded up, or 0 when not given
   */
  public long memoryBytes() {
    return memory == null ? 0 : memory.longValue();
  }

  /**
   * Returns the disk size in bytes.
   *
   * @return {@code disk} rounded up, or 0 when not given
   */
  public long diskBytes() {
    return disk == null ? 0 : disk.longValue();
  }
}
