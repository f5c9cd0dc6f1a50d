package io.tributary.sources.feed;

import static java.util.Objects.requireNonNull;

import io.tributary.api.Position;
import io.tributary.core.config.GeneratorSourceConfig;
import java.time.Instant;
import java.util.Optional;

/**
 * Fake client records at a set rate ({@code type: generator}), for demos and load tests. The records
 * are a function of the seed and their number, so a restart makes the records after the lake's
 * position again, the same as before.
 */
public final class GeneratorSource extends FeedSource {
  private static final String TOKEN = "{\"generator\":true}";

  private final GeneratorSourceConfig config;

  public GeneratorSource(GeneratorSourceConfig config, FeedTable table) {
    super(config.name(), table);
    this.config = requireNonNull(config, "config is null");
  }

  @Override
  protected void run(Optional<Position> resumeAfter) throws Exception {
    ClientRecords records = new ClientRecords(config.seed(), config.clients());
    long resumeAt = resumeAfter.map(FeedPositions::sequence).orElse(0L);
    while (records.made() < resumeAt) {
      records.next();
    }
    long started = System.nanoTime();
    long made = 0;
    while (!stopping() && (config.limit().isEmpty() || records.made() < config.limit().get())) {
      var record = records.next();
      Position position = FeedPositions.position(records.made(), TOKEN);
      FeedTable.Result result = table().record(record, position, Instant.now());
      if (result instanceof FeedTable.Accepted accepted) {
        deliver(accepted.event());
      } else {
        reject((FeedTable.Rejected) result, position, "generated record " + records.made(), ClientRecords.json(record));
      }
      made++;
      long due = started + made * 1_000_000_000L / config.rate();
      long wait = due - System.nanoTime();
      if (wait > 1_000_000) {
        Thread.sleep(wait / 1_000_000);
      }
    }
  }
}
