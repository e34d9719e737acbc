package eu.mlsysops.model;

import java.util.List;

/**
 * A component's {@code storage} (the continuum storage service).
 *
 * @param buckets the buckets the component uses
 */
public record Storage(List<StorageBucket> buckets) {

  /**
   * Copies the list; null becomes an empty list.
   *
   * @param buckets see the record description
   */
  public Storage {
    buckets = Immutable.list(buckets);
  }
}
