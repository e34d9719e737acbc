package eu.mlsysops.model;

import java.util.List;

/**
 * A node's {@code environment}.
 *
 * @param nodeType {@code virtualized}, {@code native} or {@code bare_metal}, or null
 * @param os {@code ubuntu}, {@code kali} or {@code zephyr}, or null
 * @param containerRuntime available runtimes ({@code containerd}, {@code docker}, {@code
 *     emb_serve})
 */
public record Environment(String nodeType, String os, List<String> containerRuntime) {

  /**
   * Copies the list; null becomes an empty list.
   *
   * @param nodeType see the record description
   * @param os see the record description
   * @param containerRuntime see the record description
   */
  public Environment {
    containerRuntime = Immutable.list(containerRuntime);
  }
}
