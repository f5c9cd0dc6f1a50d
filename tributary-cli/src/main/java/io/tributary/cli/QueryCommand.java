package io.tributary.cli;

import io.tributary.lake.Lake;
import io.tributary.sql.AsOf;
import io.tributary.sql.LakeSqlEngine;
import io.tributary.sql.QueryResult;
import io.tributary.sql.ResultFormat;
import io.tributary.sql.ResultWriter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tributary query}: one SQL statement over the lake's current snapshots, or over the lake as it was. */
@Command(name = "query", mixinStandardHelpOptions = true,
    description = "Run a SQL query over the lake. Tables are named layer.table: bronze.orders, silver.clients.")
final class QueryCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--lake", defaultValue = "lake", paramLabel = "DIR", description = "The lake's warehouse directory (default: ${DEFAULT-VALUE}).")
  Path lake;

  @Option(names = "--format", defaultValue = "table", paramLabel = "FORMAT", description = "table, csv or json (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--as-of", paramLabel = "WHEN", converter = AsOfConverter.class,
      description = "Read every table as it was at a time (2026-11-24T10:15:00Z, or a local date-time or date, taken as UTC) "
          + "or at a snapshot id of the table that has it.")
  AsOf asOf;

  @Parameters(paramLabel = "SQL", description = "The query, e.g. \"SELECT count(*) FROM silver.orders\".")
  String sql;

  @Override
  public Integer call() throws Exception {
    ResultFormat resultFormat = ResultFormat.parse(format);
    try (Lake opened = ExistingLake.open(lake, "query");
        LakeSqlEngine engine = new LakeSqlEngine(opened.catalog(), asOf == null ? AsOf.current() : asOf)) {
      QueryResult result = engine.query(sql);
      PrintWriter out = spec.commandLine().getOut();
      ResultWriter.write(result, resultFormat, out);
      out.flush();
    }
    return 0;
  }
}
