package io.tributary.api.spi;

import io.tributary.api.ChangeEvent;
import io.tributary.api.DeadLetter;
import io.tributary.api.Position;
import java.util.List;
import java.util.Optional;

/**
 * Writes batches of changes into the lake's layers and records, with each commit, the source
 * position up to which the lake holds the source's changes.
 */
public interface LakeWriter extends AutoCloseable {

  /**
   * The position after which {@code source} must resume: the last position whose batch was fully
   * committed. Empty when the lake has nothing from this source. If that position lies inside an
   * unfinished snapshot, the snapshot's partial rows are discarded here and the result is empty,
   * so that the source reads its snapshot again from the start.
   */
  Optional<Position> recover(String source);

  /**
   * Writes {@code events} (all from {@code source}, in source order) and commits them to every
   * layer, skipping changes a table already holds, writes {@code deadLetters} (from {@code source},
   * in source order) to their tables' {@code errors.<table>}, skipping those it already holds,
   * then records {@code end} (at or after the last event's and dead letter's position) as the
   * source's committed position. Returns once all of it is durable.
   */
  CommitSummary commit(String source, List<ChangeEvent> events, List<DeadLetter> deadLetters, Position end);

  /** {@link #commit(String, List, List, Position)} of a batch without dead letters. */
  default CommitSummary commit(String source, List<ChangeEvent> events, Position end) {
    return commit(source, events, List.of(), end);
  }

  @Override
  void close();
}
