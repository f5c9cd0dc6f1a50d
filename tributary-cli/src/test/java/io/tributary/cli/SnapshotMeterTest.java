package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class SnapshotMeterTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  @Test
  void theBarShowsWhileRowsArriveAndThenTheReadRateInsteadOfADecayingOne() {
    SnapshotMeter meter = new SnapshotMeter(7_000);
    assertThat(meter.line(0, T0)).isEqualTo("snapshot [....................] 0% 0/7,000 rows");
    assertThat(meter.line(3_500, T0.plusSeconds(1)))
        .isEqualTo("snapshot [##########..........] 50% 3,500/7,000 rows, 3,500 rows/s, about 1.0 s left");
    assertThat(meter.line(7_000, T0.plusSeconds(2)))
        .isEqualTo("snapshot [####################] 100% 7,000/7,000 rows, 3,500 rows/s");
    // all read, the commit not done yet: no bar whose rate sinks while nothing moves
    assertThat(meter.line(7_000, T0.plusSeconds(6)))
        .isEqualTo("snapshot read: 7,000 rows at 3,500 rows/s, waiting for the commit");
    assertThat(meter.line(7_000, T0.plusSeconds(20)))
        .isEqualTo("snapshot read: 7,000 rows at 3,500 rows/s, waiting for the commit");
  }

  @Test
  void aReplayKeepsItsBarToTheEnd() {
    SnapshotMeter meter = new SnapshotMeter("replay", 1_000, false);
    meter.line(0, T0);
    assertThat(meter.line(1_000, T0.plusSeconds(2))).isEqualTo("replay [####################] 100% 1,000/1,000 "
        + "rows, 500 rows/s");
    assertThat(meter.line(1_000, T0.plusSeconds(5))).isEqualTo("replay [####################] 100% 1,000/1,000 "
        + "rows, 500 rows/s");
  }
}
