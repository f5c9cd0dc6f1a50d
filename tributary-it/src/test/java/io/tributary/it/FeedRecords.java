package io.tributary.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.Record;

/**
 * The records a feed test produces ({@code id}, {@code name}, {@code n}, {@code operation}), what
 * silver must hold after them, and the lake's view of them, compared record by record.
 */
final class FeedRecords {
  private final Random random;
  private final int keys;
  private final List<Produced> produced = new ArrayList<>();
  private int serial;

  /** One produced record; {@code n} numbers the records in production order. */
  record Produced(int id, String name, int n, boolean delete) {
    String json() {
      return "{\"id\": " + id + ", \"name\": \"" + name + "\", \"n\": " + n + ", \"operation\": \""
          + (delete ? "DELETE" : "UPSERT") + "\"}";
    }

    String csv() {
      return id + "," + name + "," + n + "," + (delete ? "DELETE" : "UPSERT");
    }
  }

  FeedRecords(long seed, int keys) {
    this.random = new Random(seed);
    this.keys = keys;
  }

  /** The next {@code count} records: upserts of random keys, one in ten a delete. */
  List<Produced> next(int count) {
    List<Produced> batch = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      serial++;
      int id = 1 + random.nextInt(keys);
      boolean delete = random.nextInt(10) == 0;
      String name = "name-" + id + "-" + serial + (serial % 7 == 0 ? ", with a comma" : "");
      Produced record = new Produced(id, name, serial, delete);
      batch.add(record);
      produced.add(record);
    }
    return batch;
  }

  /** Every record produced, in order. */
  List<Produced> produced() {
    return List.copyOf(produced);
  }

  /** Silver after every produced record: the last record of each key unless it deletes it. */
  Map<Integer, List<String>> expectedSilver() {
    Map<Integer, List<String>> rows = new TreeMap<>();
    for (Produced record : produced) {
      if (record.delete()) {
        rows.remove(record.id());
      } else {
        rows.put(record.id(), List.of(Integer.toString(record.id()), record.name(), Integer.toString(record.n())));
      }
    }
    return rows;
  }

  /** Bronze after every produced record: each record's n once, in order. */
  List<Integer> expectedBronze() {
    return produced.stream().map(Produced::n).toList();
  }

  static Map<Integer, List<String>> silver(Catalog catalog, String table) {
    Map<Integer, List<String>> rows = new TreeMap<>();
    for (Record record : LakeComparison.records(catalog, "silver", table)) {
      int id = ((Number) record.getField("id")).intValue();
      List<String> values = List.of(Integer.toString(id), record.getField("name").toString(),
          Long.toString(Long.parseLong(record.getField("n").toString())));
      if (rows.put(id, values) != null) {
        throw new AssertionError("silver." + table + " holds key " + id + " twice");
      }
    }
    return rows;
  }

  /** The n of each bronze row, in position order. */
  static List<Integer> bronze(Catalog catalog, String table) {
    List<Record> records = new ArrayList<>(LakeComparison.records(catalog, "bronze", table));
    records.sort(java.util.Comparator.comparing(record -> record.getField("_position").toString()));
    return records.stream().map(record -> Integer.parseInt(record.getField("n").toString())).toList();
  }
}
