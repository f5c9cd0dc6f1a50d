package io.tributary.api.spi;

import io.tributary.api.Position;
import java.util.Optional;

/**
 * Captures changes from one configured source and hands them to a {@link ChangeSink}.
 *
 * <p>A source never releases data on its side (a replication slot's flushed position, a consumer
 * offset) beyond what {@link #acknowledge(Position)} has confirmed: the lake is the only record of
 * progress.
 */
public interface Source extends AutoCloseable {

  /** The source's name in the configuration. */
  String name();

  /**
   * Starts capturing on threads of the source's own and returns. Changes go to {@code sink} in
   * source order. With {@code resumeAfter} present, the first change delivered is the one right
   * after it (changes at or before it may be delivered again; the lake skips them).
   */
  void start(Optional<Position> resumeAfter, ChangeSink sink);

  /** Every change up to and including {@code position} is committed in the lake. */
  void acknowledge(Position position);

  /** Stops capturing and releases connections; changes not acknowledged will be delivered again. */
  @Override
  void close();
}
