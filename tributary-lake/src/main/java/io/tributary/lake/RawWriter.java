package io.tributary.lake;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Appends changes to the raw layer: one JSON object per line, a new file per batch and table, each
 * forced to disk before the batch goes on to Iceberg. Raw keeps every change delivered, duplicates
 * included; {@code position} tells them apart.
 */
final class RawWriter {
  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
      .build();

  private final Path root;

  RawWriter(Path root) {
    this.root = requireNonNull(root, "root is null");
  }

  /** One change as raw holds it: values already resolved (no UNAVAILABLE). */
  record RawChange(
      String op,
      String position,
      Instant commitTime,
      long transactionId,
      Optional<Map<String, Object>> before,
      Optional<Map<String, Object>> after) {}

  /** Writes {@code changes} of one table to a new file and forces it to disk; returns the file. */
  Path write(String source, String table, Instant ingestedAt, List<RawChange> changes) {
    Path directory = root.resolve(source).resolve(table)
        .resolve("capture_date=" + ingestedAt.atOffset(ZoneOffset.UTC).toLocalDate());
    Path file = directory.resolve(String.format("%013d-%s.jsonl", ingestedAt.toEpochMilli(), UUID.randomUUID()));
    try {
      boolean created = !Files.isDirectory(directory);
      Files.createDirectories(directory);
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
        try (JsonGenerator json = JSON.createGenerator(out)) {
          json.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
          json.setRootValueSeparator(null);
          // The changes of a transaction, and every row of a snapshot, share their commit time: format it once.
          Instant time = null;
          String timeText = null;
          for (RawChange change : changes) {
            if (!change.commitTime().equals(time)) {
              time = change.commitTime();
              timeText = time.toString();
            }
            writeChange(json, change, timeText);
            json.writeRaw('\n');
          }
        }
        out.flush();
        channel.force(true);
      }
      forceDirectory(directory);
      if (created) {
        forceDirectory(directory.getParent());
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write raw changes of " + source + ":" + table + " to " + file + ": "
          + e.getMessage() + " (check free space and permissions of " + root + ")", e);
    }
  }

  private static void writeChange(JsonGenerator json, RawChange change, String commitTime) throws IOException {
    json.writeStartObject();
    json.writeStringField("op", change.op());
    json.writeStringField("position", change.position());
    json.writeStringField("commit_ts", commitTime);
    json.writeNumberField("txid", change.transactionId());
    json.writeFieldName("before");
    writeImage(json, change.before());
    json.writeFieldName("after");
    writeImage(json, change.after());
    json.writeEndObject();
  }

  /** {@code values} as one JSON object, in the form raw files hold values. */
  static String json(Map<String, Object> values) {
    java.io.StringWriter text = new java.io.StringWriter();
    try (JsonGenerator json = JSON.createGenerator(text)) {
      writeImage(json, Optional.of(values));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write values as JSON: " + e.getMessage(), e);
    }
    return text.toString();
  }

  private static void writeImage(JsonGenerator json, Optional<Map<String, Object>> image) throws IOException {
    if (image.isEmpty()) {
      json.writeNull();
      return;
    }
    json.writeStartObject();
    for (Map.Entry<String, Object> entry : image.get().entrySet()) {
      json.writeFieldName(entry.getKey());
      writeValue(json, entry.getValue());
    }
    json.writeEndObject();
  }

  private static void writeValue(JsonGenerator json, Object value) throws IOException {
    if (value == null) {
      json.writeNull();
    } else if (value instanceof Boolean bool) {
      json.writeBoolean(bool);
    } else if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      json.writeNumber(((Number) value).longValue());
    } else if (value instanceof Float number) {
      json.writeNumber(number);
    } else if (value instanceof Double number) {
      json.writeNumber(number);
    } else if (value instanceof BigDecimal number) {
      json.writeNumber(number);
    } else if (value instanceof ByteBuffer buffer) {
      ByteBuffer copy = buffer.duplicate();
      byte[] bytes = new byte[copy.remaining()];
      copy.get(bytes);
      json.writeString(Base64.getEncoder().encodeToString(bytes));
    } else if (value instanceof byte[] bytes) {
      json.writeString(Base64.getEncoder().encodeToString(bytes));
    } else if (value instanceof List<?> list) {
      json.writeStartArray();
      for (Object element : list) {
        writeValue(json, element);
      }
      json.writeEndArray();
    } else {
      // String, JSON text, UUID and java.time values: their toString is the ISO form
      json.writeString(value.toString());
    }
  }

  private static void forceDirectory(Path directory) {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Not every file system lets a directory be opened for syncing; the file itself is synced.
    }
  }
}
