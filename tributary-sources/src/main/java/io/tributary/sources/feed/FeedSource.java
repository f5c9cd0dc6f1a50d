package io.tributary.sources.feed;

import static java.util.Objects.requireNonNull;

import io.tributary.api.ChangeEvent;
import io.tributary.api.DeadLetter;
import io.tributary.api.Position;
import io.tributary.api.spi.ChangeSink;
import io.tributary.api.spi.Source;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The common part of feed sources: one thread of the source's own that reads records and hands
 * changes to the sink, acknowledgements as sequence numbers, rejected records, and stopping.
 *
 * <p>Sources whose next records depend on what is available now (a topic's end offsets, a
 * directory's listing) make a <em>plan</em> of what they read next, record it in the lake as a
 * progress position whose token holds the plan ({@link #awaitRecorded}), and only then deliver the
 * planned records. A restart inside a plan reads the same plan again and gives each record the same
 * sequence number, so the lake skips exactly the records it holds.
 */
public abstract class FeedSource implements Source {
  private static final Logger log = LoggerFactory.getLogger(FeedSource.class);

  private final String name;
  private final FeedTable table;
  private final AtomicLong acknowledged = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong rejected = new AtomicLong();
  private final Object ackLock = new Object();
  private volatile boolean stopping;
  private volatile Thread thread;
  private ChangeSink sink;

  protected FeedSource(String name, FeedTable table) {
    this.name = requireNonNull(name, "name is null");
    this.table = requireNonNull(table, "table is null");
  }

  @Override
  public final String name() {
    return name;
  }

  protected final FeedTable table() {
    return table;
  }

  /** Records rejected since start. */
  public final long rejectedCount() {
    return rejected.get();
  }

  @Override
  public final synchronized void start(Optional<Position> resumeAfter, ChangeSink sink) {
    requireNonNull(resumeAfter, "resumeAfter is null");
    this.sink = requireNonNull(sink, "sink is null");
    if (thread != null) {
      throw new IllegalStateException("Cannot start source " + name + ": it is already started");
    }
    resumeAfter.ifPresent(position -> acknowledged.set(FeedPositions.sequence(position)));
    Thread reader = new Thread(() -> {
      try {
        run(resumeAfter);
      } catch (InterruptedException e) {
        // closing
      } catch (Throwable e) {
        if (!stopping) {
          log.error("Source {} failed: {}", name, e.getMessage(), e);
          sink.failed(e);
        }
      } finally {
        release();
      }
    }, "tributary-source-" + name);
    reader.setDaemon(true);
    thread = reader;
    reader.start();
  }

  /** Reads records until stopped; {@code resumeAfter} is the last position the lake holds. */
  protected abstract void run(Optional<Position> resumeAfter) throws Exception;

  /** Releases what {@link #run} opened; called on the source's thread when it ends. */
  protected void release() {}

  @Override
  public final void acknowledge(Position position) {
    long sequence = FeedPositions.sequence(position);
    acknowledged.accumulateAndGet(sequence, Math::max);
    synchronized (ackLock) {
      ackLock.notifyAll();
    }
  }

  protected final boolean stopping() {
    return stopping;
  }

  protected final void deliver(ChangeEvent event) throws InterruptedException {
    sink.accept(event);
  }

  protected final void progress(Position position) throws InterruptedException {
    sink.progress(position);
  }

  /** Hands {@code position} to the lake as progress and waits until a commit holds it. */
  protected final void awaitRecorded(Position position) throws InterruptedException {
    sink.progress(position);
    awaitAcknowledged(FeedPositions.sequence(position));
  }

  /** Waits until the lake holds everything up to {@code sequence}. */
  protected final void awaitAcknowledged(long sequence) throws InterruptedException {
    synchronized (ackLock) {
      while (acknowledged.get() < sequence) {
        if (stopping) {
          throw new InterruptedException("source " + name + " is closing");
        }
        ackLock.wait(100);
      }
    }
  }

  /**
   * A record that cannot become a change goes to {@code errors.<table>} with where it is ({@code file
   * users.jsonl line 3}), its raw text and why; the log says where and why, never its content. The
   * records after it flow on.
   */
  protected final void reject(FeedTable.Rejected rejected, Position position, String location, String payload)
      throws InterruptedException {
    long count = this.rejected.incrementAndGet();
    log.warn("Source {} rejected a record ({}): {}; {} rejected so far", name, location, rejected.reason(), count);
    sink.reject(new DeadLetter(table.id(), rejected.key(), position, location, Optional.of(payload),
        rejected.column(), rejected.value(), rejected.reason()));
  }

  /** Sleeps, waking up early when the source closes. */
  protected final void pause(Duration duration) throws InterruptedException {
    long deadline = System.nanoTime() + duration.toNanos();
    while (!stopping) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      Thread.sleep(Math.min(100, Math.max(1, left / 1_000_000)));
    }
    throw new InterruptedException("source " + name + " is closing");
  }

  @Override
  public void close() {
    stopping = true;
    Thread reader = thread;
    if (reader == null) {
      return;
    }
    synchronized (ackLock) {
      ackLock.notifyAll();
    }
    try {
      reader.join(Duration.ofSeconds(30).toMillis());
      if (reader.isAlive()) {
        reader.interrupt();
        reader.join(Duration.ofSeconds(10).toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
