package io.tributary.sources.feed;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * The rows of a Parquet file, numbered from 1 as lines. Top-level columns map to record values by
 * their Parquet types: strings, whole numbers, doubles, booleans, decimals, dates and timestamps;
 * nested groups and repeated fields become JSON-like text, other binaries base64.
 */
final class ParquetRecords implements FileRecords {
  private final ParquetReader<Group> reader;
  private int row;

  private ParquetRecords(ParquetReader<Group> reader) {
    this.reader = reader;
  }

  static ParquetRecords open(Path file) throws IOException {
    return new ParquetRecords(new GroupReaderBuilder(new LocalInputFile(file)).build());
  }

  @Override
  public Item next() throws IOException {
    Group group;
    try {
      group = reader.read();
    } catch (RuntimeException e) {
      row++;
      return new Item(row, "", null, "cannot read row: " + e.getMessage());
    }
    if (group == null) {
      return null;
    }
    row++;
    try {
      Map<String, Object> values = values(group);
      return new Item(row, group.toString(), values, null);
    } catch (RuntimeException e) {
      return new Item(row, group.toString(), null, "cannot read row: " + e.getMessage());
    }
  }

  private static Map<String, Object> values(Group group) {
    GroupType type = group.getType();
    Map<String, Object> values = new LinkedHashMap<>();
    for (int i = 0; i < type.getFieldCount(); i++) {
      Type field = type.getType(i);
      int count = group.getFieldRepetitionCount(i);
      if (count == 0) {
        values.put(field.getName(), null);
      } else if (!field.isPrimitive() || field.isRepetition(Type.Repetition.REPEATED)) {
        values.put(field.getName(), new JsonText(group.getGroup(i, 0) == null ? "" : describe(group, i)));
      } else {
        values.put(field.getName(), primitive(group, i, field.asPrimitiveType()));
      }
    }
    return values;
  }

  private static String describe(Group group, int field) {
    try {
      return group.getGroup(field, 0).toString().strip();
    } catch (ClassCastException e) {
      return group.getValueToString(field, 0);
    }
  }

  private static Object primitive(Group group, int i, PrimitiveType type) {
    LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
    if (logical instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation decimal) {
      BigInteger unscaled = switch (type.getPrimitiveTypeName()) {
        case INT32 -> BigInteger.valueOf(group.getInteger(i, 0));
        case INT64 -> BigInteger.valueOf(group.getLong(i, 0));
        default -> new BigInteger(group.getBinary(i, 0).getBytes());
      };
      return new BigDecimal(unscaled, decimal.getScale());
    }
    switch (type.getPrimitiveTypeName()) {
      case BOOLEAN:
        return group.getBoolean(i, 0);
      case INT32:
        if (logical instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation) {
          return LocalDate.ofEpochDay(group.getInteger(i, 0));
        }
        return group.getInteger(i, 0);
      case INT64:
        if (logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation timestamp) {
          long value = group.getLong(i, 0);
          Instant instant = switch (timestamp.getUnit()) {
            case MILLIS -> Instant.ofEpochMilli(value);
            case MICROS -> Instant.ofEpochSecond(Math.floorDiv(value, 1_000_000L), Math.floorMod(value, 1_000_000L) * 1000);
            case NANOS -> Instant.ofEpochSecond(Math.floorDiv(value, 1_000_000_000L), Math.floorMod(value, 1_000_000_000L));
          };
          return timestamp.isAdjustedToUTC() ? instant.atOffset(ZoneOffset.UTC) : instant.atOffset(ZoneOffset.UTC).toLocalDateTime();
        }
        return group.getLong(i, 0);
      case FLOAT:
        return (double) group.getFloat(i, 0);
      case DOUBLE:
        return group.getDouble(i, 0);
      case BINARY:
      case FIXED_LEN_BYTE_ARRAY:
        Binary binary = group.getBinary(i, 0);
        if (logical instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
            || logical instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation
            || logical instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation) {
          return binary.toStringUsingUTF8();
        }
        return Base64.getEncoder().encodeToString(binary.getBytes());
      default:
        return group.getValueToString(i, 0);
    }
  }

  @Override
  public void close() throws IOException {
    reader.close();
  }

  private static final class GroupReaderBuilder extends ParquetReader.Builder<Group> {
    GroupReaderBuilder(InputFile file) {
      super(file);
    }

    @Override
    protected ReadSupport<Group> getReadSupport() {
      return new GroupReadSupport();
    }
  }
}
