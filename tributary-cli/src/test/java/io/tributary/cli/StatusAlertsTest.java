package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.alert.AlertJournal;
import io.tributary.core.alert.AlertSeverity;
import io.tributary.core.alert.Alerts;
import io.tributary.lake.Lake;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code status} shows the alerts a pipeline process keeps in its journal, while it runs and after it stopped. */
class StatusAlertsTest {
  @TempDir Path warehouse;

  @Test
  void statusListsTheActiveAlertsOfARunningPipelineAndSaysWhenItStopped() {
    Lake.open(warehouse).close();
    try (Alerts alerts = new Alerts("shop", List.of(), Optional.of(AlertJournal.of(warehouse, "shop")))) {
      assertThat(status()).contains("Alerts" + nl() + "  pipeline shop: no alert is active" + nl())
          .contains("No failing checks, tests or active alerts");

      alerts.raise("wal:shop", AlertSeverity.WARNING, "Slot of shop retains 9 MB of WAL", "above wal-warning");
      alerts.raise("wal:shop", AlertSeverity.CRITICAL, "Slot of shop retains 60 MB of WAL", "above wal-critical");
      alerts.raise("lag:shop", AlertSeverity.WARNING, "Source shop lags 7 min", "its last commit is 7 min old");
      alerts.resolve("lag:shop", "lag is 1.2 s again");
      String status = status();
      assertThat(status)
          .containsPattern("  CRITICAL wal:shop +Slot of shop retains 60 MB of WAL: above wal-critical \\(since \\S+, ")
          .doesNotContain("  WARNING  lag:shop")
          .contains("pipeline shop: 1 alerts resolved since it started, the last lag:shop at ")
          .contains("Failing" + nl() + "  alert wal:shop: Slot of shop retains 60 MB of WAL" + nl());
    }
    assertThat(status()).contains("  pipeline shop is not running (stopped ")
        .contains(": when it stopped, 1 alerts were active (wal:shop)")
        .contains("No failing checks, tests or active alerts");
  }

  private String status() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.execute(new PrintWriter(out), new PrintWriter(err), "status", "--lake", warehouse.toString());
    assertThat(err.toString()).isEmpty();
    assertThat(exit).isZero();
    return out.toString();
  }

  private static String nl() {
    return System.lineSeparator();
  }
}
