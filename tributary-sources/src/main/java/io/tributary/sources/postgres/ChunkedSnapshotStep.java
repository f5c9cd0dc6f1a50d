package io.tributary.sources.postgres;

import static java.util.Objects.requireNonNull;

import io.tributary.api.Position;
import io.tributary.api.spi.ChangeSink;
import io.tributary.sources.debezium.LakeOffsetStore;
import io.tributary.sources.postgres.snapshot.ChunkedSnapshotReader;
import io.tributary.sources.postgres.snapshot.ExportedSnapshot;
import io.tributary.sources.postgres.snapshot.PgConnections;
import io.tributary.sources.postgres.snapshot.PgTextColumnDecoders;
import io.tributary.sources.postgres.snapshot.SnapshotEvents;
import io.tributary.sources.postgres.snapshot.SnapshotSettings;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The initial snapshot read by {@link ChunkedSnapshotReader}: the step creates the replication slot with {@code
 * EXPORT_SNAPSHOT} on a replication connection, holds that connection open until every reading connection has
 * imported the snapshot, and delivers the rows as {@link SnapshotEvents} does, decoded by {@link
 * PgTextColumnDecoders}. The slot then sits at its consistent point, where streaming starts.
 *
 * <p>The last row's resume token is a Debezium-style offset holding only the consistent point ({@code lsn}), which
 * both streaming paths resume from. A snapshot that did not finish is read again from its start: the lake wiped
 * what it held of it.
 */
final class ChunkedSnapshotStep implements PostgresSnapshotStep {
  private static final Logger log = LoggerFactory.getLogger(ChunkedSnapshotStep.class);

  private final PostgresSourceSettings settings;
  private final SnapshotSettings snapshot;
  private volatile Position last;
  private volatile Thread running;

  ChunkedSnapshotStep(PostgresSourceSettings settings, SnapshotSettings snapshot) {
    this.settings = requireNonNull(settings, "settings is null");
    this.snapshot = requireNonNull(snapshot, "snapshot is null");
  }

  @Override
  public void run(Optional<Position> resumeAfter, ChangeSink sink) throws InterruptedException {
    requireNonNull(resumeAfter, "resumeAfter is null");
    requireNonNull(sink, "sink is null");
    running = Thread.currentThread();
    PgConnections connections = new PgConnections(settings, "snapshot");
    ChunkedSnapshotReader reader = new ChunkedSnapshotReader(settings.name(), connections, snapshot);
    Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
    try (ExportedSnapshot exported = ExportedSnapshot.create(connections.openReplication(), settings.slotName(), false)) {
      String streamFrom = LakeOffsetStore.encode(Map.of("lsn", exported.consistentPoint(), "txId", 0L,
          "ts_usec", ChronoUnit.MICROS.between(Instant.EPOCH, at)));
      last = new SnapshotEvents(settings.name(), settings.tablePrefix(), new PgTextColumnDecoders())
          .deliver(reader, exported.snapshotName(), settings.tables(), at, "", streamFrom, sink, exported::close);
      log.info("Source {}: snapshot delivered up to {}; streaming starts at the slot's consistent point {}",
          settings.name(), last.sortKey(), exported.consistentPointText());
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot take the initial snapshot of source " + settings.name() + " at "
          + connections.describe() + ": " + e.getMessage() + " (the user needs the REPLICATION attribute and a free "
          + "replication slot: see docs/operations.md)", e);
    } finally {
      running = null;
    }
  }

  @Override
  public Optional<Position> lastPosition() {
    return Optional.ofNullable(last);
  }

  /** Nothing to confirm: the slot stays at its consistent point until streaming confirms past it. */
  @Override
  public void acknowledge(Position position) {
    requireNonNull(position, "position is null");
  }

  /** Stops a read in progress (its reading connections are closed as it ends). */
  @Override
  public void close() {
    Thread thread = running;
    if (thread != null && thread != Thread.currentThread()) {
      thread.interrupt();
    }
  }
}
