package eu.mlsysops.model;

/**
 * A container's {@code platform_requirements}.
 *
 * @param cpu CPU requirements, or null
 * @param memory memory requirements, or null
 * @param mcu microcontroller requirements, or null
 * @param disk required disk space <em>in bytes</em>, or null. The descriptor writes GB: a plain
 *     number such as {@code "120"} means 120&nbsp;GiB (120&times;2<sup>30</sup> bytes); a suffixed
 *     quantity such as {@code 500Mi} is taken as written.
 * @param gpu GPU requirements, or null
 * @param fpga FPGA requirements, or null
 */
public record PlatformRequirements(
    CpuRequirements cpu,
    MemoryRequirements memory,
    McuRequirements mcu,
    Quantity disk,
    GpuRequirements gpu,
    FpgaRequirements fpga) {

  /**
   * Returns the required disk space in bytes.
   *
   * @return {@code disk} rounded up, or 0 when not given
   */
  public long diskBytes() {
    return disk == null ? 0 : disk.longValue();
  }
}
