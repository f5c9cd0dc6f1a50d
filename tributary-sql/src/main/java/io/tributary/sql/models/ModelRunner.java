package io.tributary.sql.models;

import static java.util.Objects.requireNonNull;

import io.tributary.lake.Lake;
import io.tributary.sql.LakeSqlEngine;
import io.tributary.sql.QueryException;
import io.tributary.sql.QueryResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.iceberg.ContentFile;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileMetadata;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.RowDelta;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.UpdateSchema;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.parquet.ParquetUtil;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs models into {@code gold.*} Iceberg tables. DuckDB computes each model's result, writes it as Parquet
 * files carrying the gold table's field ids, and Iceberg commits them: a full refresh overwrites the table,
 * an incremental run commits one row delta of the rows that changed by unique key. A run that fails commits
 * nothing, so the gold table keeps its previous rows. After a successful run the model's tests run.
 */
public final class ModelRunner {
  /** Table property: the model file a gold table comes from. */
  public static final String MODEL_PROPERTY = "tributary.model";
  /** Table property of a gold table: its model's last test outcome, e.g. {@code 3 passed}. */
  public static final String TESTS_PROPERTY = "tributary.tests";
  private static final Logger LOG = LoggerFactory.getLogger(ModelRunner.class);
  private static final Pattern URI_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:.*");

  private final Catalog catalog;
  private final LakeSqlEngine engine;
  private final Map<String, ModelRunResult> lastResults = new ConcurrentHashMap<>();
  private final Map<String, List<TestResult>> lastTests = new ConcurrentHashMap<>();
  private final Map<String, String> fallbacks = new ConcurrentHashMap<>();

  public ModelRunner(Lake lake, LakeSqlEngine engine) {
    this(requireNonNull(lake, "lake is null").catalog(), engine);
  }

  public ModelRunner(Catalog catalog, LakeSqlEngine engine) {
    this.catalog = requireNonNull(catalog, "catalog is null");
    this.engine = requireNonNull(engine, "engine is null");
    if (!engine.asOf().isCurrent()) {
      throw new IllegalArgumentException("Invalid SQL engine for models: it reads the lake " + engine.asOf()
          + " (models read the current lake; use an engine without time travel)");
    }
  }

  /** The last run of each model, by model name. */
  public Map<String, ModelRunResult> lastResults() {
    return Map.copyOf(lastResults);
  }

  /** The test results after the last successful run of each model, by model name. */
  public Map<String, List<TestResult>> lastTests() {
    return Map.copyOf(lastTests);
  }

  /** Runs the models in graph order; a model reading one that failed or was skipped is skipped. */
  public List<ModelRunResult> runAll(List<Model> models) {
    requireNonNull(models, "models is null");
    List<Model> ordered = graphOrder(models);
    Map<String, ModelRunResult> results = new HashMap<>();
    List<ModelRunResult> list = new ArrayList<>();
    for (Model model : ordered) {
      Optional<String> broken = model.goldReferences().stream()
          .filter(name -> results.containsKey(name) && !results.get(name).succeeded())
          .findFirst();
      ModelRunResult result;
      if (broken.isPresent()) {
        ModelRunResult upstream = results.get(broken.get());
        String reason = "skipped: upstream model " + upstream.model() + " "
            + upstream.outcome().name().toLowerCase(Locale.ROOT) + " (fix it and run again)";
        LOG.warn("Model {} {}", model.name(), reason);
        result = ModelRunResult.skipped(model.name(), reason);
        lastResults.put(model.name(), result);
      } else {
        result = run(model);
      }
      results.put(model.name().toLowerCase(Locale.ROOT), result);
      list.add(result);
    }
    return list;
  }

  /** The models in an order where every model comes after the given models it reads. */
  private static List<Model> graphOrder(List<Model> models) {
    Map<String, Model> byName = new HashMap<>();
    models.forEach(model -> byName.put(model.name().toLowerCase(Locale.ROOT), model));
    List<Model> ordered = new ArrayList<>();
    java.util.Set<String> done = new java.util.HashSet<>();
    for (Model model : models) {
      visit(model, byName, done, new java.util.HashSet<>(), ordered);
    }
    return ordered;
  }

  private static void visit(Model model, Map<String, Model> byName, java.util.Set<String> done,
      java.util.Set<String> visiting, List<Model> ordered) {
    String key = model.name().toLowerCase(Locale.ROOT);
    if (done.contains(key) || !visiting.add(key)) {
      return;
    }
    for (String upstream : model.goldReferences()) {
      Model other = byName.get(upstream);
      if (other != null) {
        visit(other, byName, done, visiting, ordered);
      }
    }
    done.add(key);
    ordered.add(model);
  }

  /** Runs one model and, when it succeeds, its tests. Never throws for a model's own failure. */
  public ModelRunResult run(Model model) {
    requireNonNull(model, "model is null");
    long start = System.nanoTime();
    ModelRunResult result;
    try {
      synchronized (engine) {
        result = refresh(model, start);
      }
      LOG.info("Model {} ({}) refreshed {}: +{} -{} rows{}, snapshot {}, {} ms", model.name(),
          model.materialization().configName(), model.table(), result.rowsWritten(), result.rowsDeleted(),
          result.recomputedKeys().map(keys -> " (" + keys + " keys recomputed)").orElse(""),
          result.snapshotId().map(String::valueOf).orElse("none"), result.duration().toMillis());
    } catch (RuntimeException e) {
      if (interrupted(e)) {
        // A stopping process interrupts the refresh: not the model's failure, and it runs again on the next start.
        Thread.currentThread().interrupt();
        LOG.info("Model {} was interrupted (the process is stopping); {} keeps its previous rows", model.name(),
            model.table());
        return ModelRunResult.skipped(model.name(), "interrupted: the process is stopping");
      }
      String message = Optional.ofNullable(e.getMessage()).orElse(e.getClass().getName());
      result = ModelRunResult.failed(model.name(), elapsed(start), message);
      LOG.error("Model {} failed, {} keeps its previous rows: {}", model.name(), model.table(), message, e);
    }
    lastResults.put(model.name(), result);
    if (result.succeeded()) {
      lastTests.put(model.name(), test(model));
    }
    return result;
  }

  /** Whether {@code error} comes from an interrupt of the running thread rather than from the model. */
  private static boolean interrupted(Throwable error) {
    if (Thread.currentThread().isInterrupted()) {
      return true;
    }
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof java.nio.channels.ClosedByInterruptException || cause instanceof InterruptedException
          || cause instanceof java.io.InterruptedIOException) {
        return true;
      }
    }
    return false;
  }

  /** Runs the model's tests against its gold table; failures are logged at ERROR with count and sample. */
  public List<TestResult> test(Model model) {
    requireNonNull(model, "model is null");
    List<TestResult> results = new ArrayList<>();
    String table = ModelProject.ident(Model.GOLD) + "." + ModelProject.ident(model.name());
    for (ModelTest test : model.tests()) {
      String failing = test.failingRowsSql(table);
      TestResult result;
      try {
        long count = ((Number) engine.query("SELECT count(*) FROM (\n" + failing + "\n) t").rows().get(0).get(0))
            .longValue();
        List<List<Object>> sample = count == 0
            ? List.of()
            : engine.query("SELECT * FROM (\n" + failing + "\n) t LIMIT " + TestResult.SAMPLE_SIZE).rows();
        result = new TestResult(model.name(), test.name(), count == 0, count, sample, Optional.empty());
      } catch (QueryException e) {
        result = new TestResult(model.name(), test.name(), false, 0, List.of(), Optional.of(e.getMessage()));
      }
      if (result.error().isPresent()) {
        LOG.error("Test {} of model {} could not run: {}", test.name(), model.name(), result.error().get());
      } else if (!result.passed()) {
        LOG.error("Test {} of model {} failed: {} failing rows, e.g. {}", test.name(), model.name(),
            result.failingRows(), result.sample());
      } else {
        LOG.debug("Test {} of model {} passed", test.name(), model.name());
      }
      results.add(result);
    }
    recordTests(model, results);
    return List.copyOf(results);
  }

  /**
   * Keeps the outcome of the model's tests on its gold table ({@value #TESTS_PROPERTY}), so that
   * {@code tributary status} can show it from the lake alone. Unchanged outcomes are not rewritten.
   */
  private void recordTests(Model model, List<TestResult> results) {
    TableIdentifier identifier = TableIdentifier.of(Model.GOLD, model.name());
    if (results.isEmpty() || !catalog.tableExists(identifier)) {
      return;
    }
    List<String> failed = new ArrayList<>();
    for (TestResult result : results) {
      if (!result.passed()) {
        failed.add(result.test() + (result.error().isPresent() ? " could not run" : " " + result.failingRows() + " rows"));
      }
    }
    String summary = failed.isEmpty()
        ? results.size() + " passed"
        : (results.size() - failed.size()) + " passed, " + failed.size() + " failed: " + String.join("; ", failed);
    org.apache.iceberg.Table table = catalog.loadTable(identifier);
    if (!summary.equals(table.properties().get(TESTS_PROPERTY))) {
      table.updateProperties().set(TESTS_PROPERTY, summary).commit();
    }
  }

  // ---- one run

  private ModelRunResult refresh(Model model, long start) {
    UpstreamLog.Sources sources = model.incrementalBy().isEmpty()
        ? UpstreamLog.Sources.fallback("")
        : UpstreamLog.sources(catalog, model);
    engine.refresh();
    Connection connection = engine.connection();
    List<Types.NestedField> fields = resultFields(connection, model);
    String result = "__tributary_model_" + model.name();
    String resultTable = ModelProject.ident(result);
    try {
      Map<String, String> summary = Map.of();
      Map<String, String> positions = Map.of();
      if (sources.fallback().isEmpty()) {
        try {
          positions = UpstreamLog.positions(connection, sources.sources());
        } catch (SQLException e) {
          throw new IllegalStateException("Cannot read the bronze positions of model " + model.name() + ": "
              + e.getMessage(), e);
        }
        summary = UpstreamLog.summary(sources.sources(), positions);
      }
      TableIdentifier identifier = TableIdentifier.of(Model.GOLD, model.name());
      boolean created = false;
      Table table;
      try {
        table = catalog.loadTable(identifier);
      } catch (NoSuchTableException e) {
        table = create(identifier, model, fields);
        created = true;
      }
      try {
        boolean sameSchema = sameColumns(table.schema(), fields);
        boolean incremental = model.materialization() == Materialization.INCREMENTAL && sameSchema
            && table.currentSnapshot() != null;
        if (incremental && sources.fallback().isEmpty()) {
          Optional<String> unusable = UpstreamLog.unusable(catalog, table.currentSnapshot(), sources.sources(),
              positions);
          if (unusable.isEmpty()) {
            fallbacks.remove(model.name());
            return byKey(connection, model, table, sources.sources(), fields, resultTable, summary, start);
          }
          logFallback(model, unusable.get());
        } else if (!model.incrementalBy().isEmpty() && sources.fallback().isPresent()) {
          logFallback(model, sources.fallback().get());
        }
        compute(connection, model, fields, resultTable, model.sql());
        if (model.materialization() == Materialization.INCREMENTAL) {
          checkUniqueKey(connection, model, resultTable, fields);
        }
        if (incremental) {
          return incremental(connection, model, table, resultTable, goldView(model), summary, Optional.empty(),
              start);
        }
        return fullRefresh(connection, model, table, resultTable, fields, sameSchema, summary, start);
      } catch (RuntimeException e) {
        if (created) {
          dropQuietly(identifier, e);
        }
        throw e;
      }
    } finally {
      executeQuietly(connection, "DROP TABLE IF EXISTS " + resultTable);
    }
  }

  /** Logs once per reason why an {@code incremental-by} model recomputes its whole query. */
  private void logFallback(Model model, String reason) {
    if (!reason.equals(fallbacks.put(model.name(), reason))) {
      LOG.info("Model {} recomputes its whole query, not only the keys touched since the last run: {}", model.name(),
          reason);
    }
  }

  /** Fills the result table with the rows of {@code query} (the model's, or some of them) in the gold types. */
  private static void compute(Connection connection, Model model, List<Types.NestedField> fields, String resultTable,
      String query) {
    execute(connection, "CREATE OR REPLACE TEMP TABLE " + resultTable + " AS SELECT " + fields.stream()
        .map(field -> "CAST(q." + ModelProject.ident(field.name()) + " AS " + GoldTypes.duckDb(field.type())
            + ") AS " + ModelProject.ident(field.name()))
        .collect(Collectors.joining(", ")) + " FROM (" + query + "\n) q", model);
  }

  /**
   * Recomputes only the unique keys fed by source rows that changed since the last run, and replaces those keys'
   * rows in the gold table.
   */
  private ModelRunResult byKey(Connection connection, Model model, Table table, List<UpstreamLog.Source> sources,
      List<Types.NestedField> fields, String resultTable, Map<String, String> summary, long start) {
    List<Types.NestedField> goldKeys = keyFields(model, table.schema().columns());
    String affected = ModelProject.ident("__tributary_affected_" + model.name());
    try {
      execute(connection, "CREATE OR REPLACE TEMP TABLE " + affected + " AS "
          + UpstreamLog.affectedKeys(table.currentSnapshot(), sources, goldKeys), model);
      long keys = count(connection, model, affected);
      boolean nullKeys = count(connection, model, "(SELECT 1 FROM " + affected + " WHERE "
          + UpstreamLog.hasNull(goldKeys) + ")") > 0;
      compute(connection, model, fields, resultTable, UpstreamLog.restrict(model.sql(), affected, goldKeys, nullKeys));
      checkUniqueKey(connection, model, resultTable, fields);
      String goldRows = "(" + UpstreamLog.restrict("SELECT * FROM " + goldView(model), affected, goldKeys, nullKeys)
          + ")";
      LOG.debug("Model {} recomputes {} keys touched since the last run", model.name(), keys);
      return incremental(connection, model, table, resultTable, goldRows, summary, Optional.of(keys), start);
    } finally {
      executeQuietly(connection, "DROP TABLE IF EXISTS " + affected);
    }
  }

  private List<Types.NestedField> resultFields(Connection connection, Model model) {
    List<Types.NestedField> fields = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement("DESCRIBE " + model.sql());
        ResultSet columns = statement.executeQuery()) {
      int id = 0;
      while (columns.next()) {
        String name = columns.getString(1);
        String type = columns.getString(2);
        Type iceberg = GoldTypes.iceberg(type).orElseThrow(() -> new IllegalStateException("Cannot write column "
            + name + " of model " + model.name() + ": DuckDB type " + type + " has no Iceberg type in gold tables"
            + " (cast it, e.g. to VARCHAR)"));
        fields.add(Types.NestedField.optional(++id, name, iceberg));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(ModelProject.invalidSql(model, e).getMessage(), e);
    }
    java.util.Set<String> names = new java.util.HashSet<>();
    for (Types.NestedField field : fields) {
      if (!names.add(field.name().toLowerCase(Locale.ROOT))) {
        throw new IllegalStateException("Cannot write model " + model.name() + ": column " + field.name()
            + " appears twice in its result (give the columns distinct aliases)");
      }
    }
    for (String key : model.uniqueKey()) {
      if (!names.contains(key.toLowerCase(Locale.ROOT))) {
        throw new IllegalStateException("Cannot refresh model " + model.name() + ": unique key column " + key
            + " is not in its result (columns: " + fields.stream().map(Types.NestedField::name)
                .collect(Collectors.joining(", ")) + ")");
      }
    }
    return fields;
  }

  private void checkUniqueKey(Connection connection, Model model, String resultTable, List<Types.NestedField> fields) {
    String keys = keyColumns(model, fields);
    String sql = "SELECT " + keys + ", count(*) FROM " + resultTable + " GROUP BY " + keys
        + " HAVING count(*) > 1 LIMIT " + TestResult.SAMPLE_SIZE;
    List<String> duplicates = new ArrayList<>();
    try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
      while (rows.next()) {
        List<Object> key = new ArrayList<>();
        for (int i = 1; i <= model.uniqueKey().size(); i++) {
          key.add(rows.getObject(i));
        }
        duplicates.add(key + " x" + rows.getLong(model.uniqueKey().size() + 1));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot check the unique key of model " + model.name() + ": "
          + e.getMessage(), e);
    }
    if (!duplicates.isEmpty()) {
      throw new IllegalStateException("Cannot refresh model " + model.name() + " incrementally: its unique key "
          + model.uniqueKey() + " is not unique in the result, e.g. " + String.join(", ", duplicates)
          + " (fix the query or the unique-key)");
    }
  }

  /** The unique key columns, spelled as the result names them. */
  private static String keyColumns(Model model, List<Types.NestedField> fields) {
    return keyFields(model, fields).stream()
        .map(field -> ModelProject.ident(field.name()))
        .collect(Collectors.joining(", "));
  }

  /** The unique key columns among {@code fields}, in unique-key order. */
  private static List<Types.NestedField> keyFields(Model model, List<Types.NestedField> fields) {
    return model.uniqueKey().stream()
        .map(key -> fields.stream().filter(field -> field.name().equalsIgnoreCase(key)).findFirst().orElseThrow())
        .toList();
  }

  private Table create(TableIdentifier identifier, Model model, List<Types.NestedField> fields) {
    if (catalog instanceof SupportsNamespaces namespaces && !namespaces.namespaceExists(Namespace.of(Model.GOLD))) {
      try {
        namespaces.createNamespace(Namespace.of(Model.GOLD));
      } catch (AlreadyExistsException e) {
        // created concurrently: what we wanted
      }
    }
    Map<String, String> properties = new HashMap<>();
    properties.put(TableProperties.FORMAT_VERSION, "2");
    properties.put(TableProperties.DEFAULT_FILE_FORMAT, "parquet");
    properties.put("write.metadata.delete-after-commit.enabled", "true");
    properties.put(MODEL_PROPERTY, model.file().toString());
    Table table = catalog.buildTable(identifier, new Schema(fields))
        .withPartitionSpec(PartitionSpec.unpartitioned())
        .withProperties(properties)
        .create();
    LOG.info("Created gold table {} for model {}", identifier, model.file());
    return table;
  }

  private static boolean sameColumns(Schema schema, List<Types.NestedField> fields) {
    List<Types.NestedField> columns = schema.columns();
    if (columns.size() != fields.size()) {
      return false;
    }
    for (int i = 0; i < columns.size(); i++) {
      if (!columns.get(i).name().equals(fields.get(i).name()) || !columns.get(i).type().equals(fields.get(i).type())) {
        return false;
      }
    }
    return true;
  }

  private ModelRunResult fullRefresh(Connection connection, Model model, Table table, String resultTable,
      List<Types.NestedField> fields, boolean sameSchema, Map<String, String> summary, long start) {
    long previous = table.currentSnapshot() == null ? 0 : count(connection, model, goldView(model));
    Transaction transaction = table.newTransaction();
    if (!sameSchema) {
      evolve(transaction.updateSchema(), table.schema(), fields);
      LOG.info("Gold table {} takes the new columns of model {}: {}", model.table(), model.name(),
          fields.stream().map(field -> field.name() + " " + field.type()).collect(Collectors.joining(", ")));
    }
    Table target = transaction.table();
    long rows = count(connection, model, resultTable);
    List<DataFile> files = rows == 0
        ? List.of()
        : List.of(writeData(connection, model, target, "SELECT * FROM " + resultTable));
    OverwriteFiles overwrite = transaction.newOverwrite().overwriteByRowFilter(Expressions.alwaysTrue());
    files.forEach(overwrite::addFile);
    overwrite.set(MODEL_PROPERTY, model.name());
    summary.forEach(overwrite::set);
    overwrite.commit();
    commit(table, transaction::commitTransaction, files);
    table.refresh();
    return succeeded(model, rows, previous, table, Optional.empty(), start);
  }

  /**
   * Commits the difference between the result table and {@code gold} (the gold rows the result replaces) as one
   * row delta, recording {@code summary}; commits nothing when neither the rows nor the summary changed.
   */
  private ModelRunResult incremental(Connection connection, Model model, Table table, String resultTable, String gold,
      Map<String, String> summary, Optional<Long> recomputedKeys, long start) {
    List<Types.NestedField> columns = table.schema().columns();
    String list = columns.stream().map(field -> ModelProject.ident(field.name())).collect(Collectors.joining(", "));
    String keys = keyColumns(model, columns);
    String deletes = ModelProject.ident("__tributary_deletes_" + model.name());
    String upserts = ModelProject.ident("__tributary_upserts_" + model.name());
    try {
      // Old rows that are not in the new result unchanged: their keys changed or vanished.
      execute(connection, "CREATE OR REPLACE TEMP TABLE " + deletes + " AS SELECT DISTINCT " + keys + " FROM (SELECT "
          + list + " FROM " + gold + " EXCEPT SELECT " + list + " FROM " + resultTable + ")", model);
      // New rows not in the old table unchanged: new keys and the new versions of changed ones.
      execute(connection, "CREATE OR REPLACE TEMP TABLE " + upserts + " AS SELECT " + list + " FROM " + resultTable
          + " EXCEPT SELECT " + list + " FROM " + gold, model);
      long deleted = count(connection, model, deletes);
      long written = count(connection, model, upserts);
      Map<String, String> recorded = table.currentSnapshot().summary();
      boolean moved = summary.entrySet().stream()
          .anyMatch(entry -> !entry.getValue().equals(recorded.get(entry.getKey())));
      if (deleted == 0 && written == 0 && !moved) {
        return succeeded(model, 0, 0, table, recomputedKeys, start);
      }
      List<ContentFile<?>> files = new ArrayList<>();
      RowDelta delta = table.newRowDelta();
      if (written > 0) {
        DataFile data = writeData(connection, model, table, "SELECT * FROM " + upserts);
        files.add(data);
        delta.addRows(data);
      }
      if (deleted > 0) {
        DeleteFile delete = writeDeletes(connection, model, table, "SELECT * FROM " + deletes);
        files.add(delete);
        delta.addDeletes(delete);
      }
      delta.set(MODEL_PROPERTY, model.name());
      summary.forEach(delta::set);
      Long base = table.currentSnapshot().snapshotId();
      delta.validateFromSnapshot(base);
      commit(table, delta::commit, files);
      table.refresh();
      return succeeded(model, written, deleted, table, recomputedKeys, start);
    } finally {
      executeQuietly(connection, "DROP TABLE IF EXISTS " + deletes);
      executeQuietly(connection, "DROP TABLE IF EXISTS " + upserts);
    }
  }

  /** Gives the table the result's columns: same names keep their field ids when the type stays or widens. */
  private static void evolve(UpdateSchema update, Schema current, List<Types.NestedField> fields) {
    Map<String, Types.NestedField> wanted = new HashMap<>();
    fields.forEach(field -> wanted.put(field.name(), field));
    for (Types.NestedField column : current.columns()) {
      Types.NestedField field = wanted.get(column.name());
      if (field == null) {
        update.deleteColumn(column.name());
      } else if (!field.type().equals(column.type())) {
        if (canWiden(column.type(), field.type())) {
          update.updateColumn(column.name(), field.type().asPrimitiveType());
        } else {
          update.deleteColumn(column.name());
          update.addColumn(field.name(), field.type());
        }
      }
    }
    for (Types.NestedField field : fields) {
      if (current.findField(field.name()) == null) {
        update.addColumn(field.name(), field.type());
      }
    }
    update.moveFirst(fields.get(0).name());
    for (int i = 1; i < fields.size(); i++) {
      update.moveAfter(fields.get(i).name(), fields.get(i - 1).name());
    }
    update.commit();
  }

  private static boolean canWiden(Type from, Type to) {
    if (from.typeId() == Type.TypeID.INTEGER) {
      return to.typeId() == Type.TypeID.LONG;
    }
    if (from.typeId() == Type.TypeID.FLOAT) {
      return to.typeId() == Type.TypeID.DOUBLE;
    }
    if (from instanceof Types.DecimalType a && to instanceof Types.DecimalType b) {
      return a.scale() == b.scale() && b.precision() > a.precision();
    }
    return false;
  }

  private ModelRunResult succeeded(Model model, long written, long deleted, Table table,
      Optional<Long> recomputedKeys, long start) {
    Optional<Long> snapshot = Optional.ofNullable(table.currentSnapshot()).map(s -> s.snapshotId());
    engine.refresh();
    return new ModelRunResult(model.name(), ModelRunResult.Outcome.SUCCEEDED, written, deleted, snapshot,
        elapsed(start), Optional.empty(), recomputedKeys);
  }

  private static void commit(Table table, Runnable commit, List<? extends ContentFile<?>> files) {
    try {
      commit.run();
    } catch (CommitStateUnknownException e) {
      // the commit may have succeeded: its files must stay
      throw e;
    } catch (RuntimeException e) {
      for (ContentFile<?> file : files) {
        try {
          table.io().deleteFile(file.location());
        } catch (RuntimeException ignored) {
          // an orphan file is harmless: no snapshot references it
        }
      }
      throw e;
    }
  }

  // ---- files

  private DataFile writeData(Connection connection, Model model, Table table, String select) {
    String location = copy(connection, model, table, select, table.schema().columns());
    InputFile input = table.io().newInputFile(location);
    Metrics metrics = ParquetUtil.fileMetrics(input, MetricsConfig.forTable(table));
    return DataFiles.builder(table.spec())
        .withPath(location)
        .withFormat(FileFormat.PARQUET)
        .withFileSizeInBytes(input.getLength())
        .withMetrics(metrics)
        .build();
  }

  private DeleteFile writeDeletes(Connection connection, Model model, Table table, String select) {
    Schema schema = table.schema();
    List<Types.NestedField> keys = model.uniqueKey().stream()
        .map(key -> schema.columns().stream().filter(field -> field.name().equalsIgnoreCase(key)).findFirst()
            .orElseThrow())
        .toList();
    String location = copy(connection, model, table, select, keys);
    InputFile input = table.io().newInputFile(location);
    Metrics metrics = ParquetUtil.fileMetrics(input, MetricsConfig.forTable(table));
    return FileMetadata.deleteFileBuilder(table.spec())
        .ofEqualityDeletes(keys.stream().mapToInt(Types.NestedField::fieldId).toArray())
        .withPath(location)
        .withFormat(FileFormat.PARQUET)
        .withFileSizeInBytes(input.getLength())
        .withMetrics(metrics)
        .build();
  }

  /** Writes the rows of {@code select} (whose columns are {@code fields}, in order) as one Parquet file. */
  private String copy(Connection connection, Model model, Table table, String select, List<Types.NestedField> fields) {
    String location = table.locationProvider().newDataLocation("gold-" + UUID.randomUUID() + ".parquet");
    Path path = localPath(model, location);
    try {
      Files.createDirectories(path.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create directory " + path.getParent() + ": " + e.getMessage(), e);
    }
    String fieldIds = fields.stream()
        .map(field -> ModelProject.ident(field.name()) + ": " + field.fieldId())
        .collect(Collectors.joining(", ", "{", "}"));
    String columns = fields.stream().map(field -> ModelProject.ident(field.name())).collect(Collectors.joining(", "));
    execute(connection, "COPY (SELECT " + columns + " FROM (" + select + ")) TO '"
        + path.toString().replace("'", "''") + "' (FORMAT parquet, FIELD_IDS " + fieldIds + ")", model);
    return location;
  }

  private static Path localPath(Model model, String location) {
    if (location.startsWith("file:")) {
      return Path.of(java.net.URI.create(location));
    }
    if (URI_SCHEME.matcher(location).matches()) {
      throw new IllegalStateException("Cannot write gold table of model " + model.name() + " to " + location
          + ": only local warehouses are supported for models for now");
    }
    return Path.of(location);
  }

  // ---- DuckDB helpers

  private static String goldView(Model model) {
    return ModelProject.ident(Model.GOLD) + "." + ModelProject.ident(model.name());
  }

  private static long count(Connection connection, Model model, String table) {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + table)) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot count the rows of " + table + " for model " + model.name() + ": "
          + e.getMessage(), e);
    }
  }

  private static void execute(Connection connection, String sql, Model model) {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(ModelProject.invalidSql(model, e).getMessage(), e);
    }
  }

  private static void executeQuietly(Connection connection, String sql) {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      LOG.debug("Cleanup statement {} failed", sql, e);
    }
  }

  private void dropQuietly(TableIdentifier identifier, RuntimeException failure) {
    try {
      catalog.dropTable(identifier, true);
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  private static Duration elapsed(long start) {
    return Duration.ofNanos(System.nanoTime() - start);
  }
}
