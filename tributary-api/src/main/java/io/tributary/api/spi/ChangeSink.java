package io.tributary.api.spi;

import io.tributary.api.ChangeEvent;
import io.tributary.api.DeadLetter;
import io.tributary.api.Position;

/** Where a {@link Source} delivers its changes. Calls block while the pipeline is full. */
public interface ChangeSink {

  void accept(ChangeEvent event) throws InterruptedException;

  /**
   * A record the source could not turn into a change (malformed, without its key, a value of the
   * wrong type): the lake writes it to {@code errors.<table>} in order with the changes around it,
   * and acknowledges its position like a change's. Deliver it where the change would have gone, in
   * source order; the source goes on with the next record.
   */
  void reject(DeadLetter deadLetter) throws InterruptedException;

  /**
   * The source has delivered every change up to {@code position}, though none of them may be for
   * a captured table (a heartbeat). Lets the lake record progress while the tables are idle.
   */
  void progress(Position position) throws InterruptedException;

  /** The source stopped because of {@code error}; it delivers nothing more. */
  void failed(Throwable error);
}
