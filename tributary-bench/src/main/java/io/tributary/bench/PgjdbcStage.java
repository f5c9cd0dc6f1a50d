package io.tributary.bench;

import io.tributary.testkit.EmbeddedPostgresServer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

/**
 * What a PostgreSQL fast path would start from: pgjdbc's replication API reading pgoutput (protocol 1) from a slot,
 * with the decoding such a path needs at least — message type, relation id, and every column of the new tuple
 * turned into a Java string (pgoutput sends text). No Kafka Connect structs, no Debezium. Counts insert, update and
 * delete messages until {@code changes} arrived; confirms the position as it goes, as a real consumer would.
 */
final class PgjdbcStage {
  private PgjdbcStage() {}

  static double run(EmbeddedPostgresServer server, String slot, String publication, long changes) throws Exception {
    Properties properties = new Properties();
    PGProperty.USER.set(properties, EmbeddedPostgresServer.USER);
    PGProperty.PASSWORD.set(properties, "postgres");
    PGProperty.ASSUME_MIN_SERVER_VERSION.set(properties, "10");
    PGProperty.REPLICATION.set(properties, "database");
    PGProperty.PREFER_QUERY_MODE.set(properties, "simple");
    long started = System.nanoTime();
    try (Connection connection = DriverManager.getConnection(server.jdbcUrl(Bench.DATABASE), properties)) {
      PGConnection replication = connection.unwrap(PGConnection.class);
      PGReplicationStream stream = replication.getReplicationAPI().replicationStream().logical()
          .withSlotName(slot)
          .withSlotOption("proto_version", "1")
          .withSlotOption("publication_names", publication)
          .withStatusInterval(1, TimeUnit.SECONDS)
          .start();
      long seen = 0;
      long decoded = 0;
      while (seen < changes) {
        ByteBuffer message = stream.readPending();
        if (message == null) {
          Thread.sleep(1);
          continue;
        }
        int offset = message.arrayOffset();
        byte[] bytes = message.array();
        int position = offset + message.position();
        int limit = offset + message.limit();
        char type = (char) bytes[position];
        switch (type) {
          case 'I', 'U', 'D' -> {
            seen++;
            // relation id (4), then for U/D an optional 'K'/'O' old tuple, then 'N' + tuple
            int p = position + 5;
            if (type != 'I' && p < limit && (bytes[p] == 'K' || bytes[p] == 'O')) {
              p = skipTuple(bytes, p + 1, null);
            }
            if (p < limit && bytes[p] == 'N') {
              String[] values = new String[16];
              skipTuple(bytes, p + 1, values);
              decoded += values[0] == null ? 0 : 1;
            }
          }
          default -> {
            // B, C, R, Y, O, T, M: transaction boundaries and relation descriptions
          }
        }
        LogSequenceNumber lsn = stream.getLastReceiveLSN();
        stream.setAppliedLSN(lsn);
        stream.setFlushedLSN(lsn);
      }
      stream.forceUpdateStatus();
      stream.close();
      if (decoded == 0) {
        throw new IllegalStateException("Decoded no tuple from slot " + slot + " (is the publication right?)");
      }
    }
    return Bench.seconds(System.nanoTime() - started);
  }

  /** Reads TupleData at {@code p} (Int16 count, then per column 'n', 'u' or 't' + Int32 length + text); returns the end. */
  private static int skipTuple(byte[] bytes, int p, String[] values) {
    int count = ((bytes[p] & 0xff) << 8) | (bytes[p + 1] & 0xff);
    p += 2;
    for (int i = 0; i < count; i++) {
      char kind = (char) bytes[p++];
      if (kind == 't' || kind == 'b') {
        int length = ((bytes[p] & 0xff) << 24) | ((bytes[p + 1] & 0xff) << 16) | ((bytes[p + 2] & 0xff) << 8) | (bytes[p + 3] & 0xff);
        p += 4;
        if (values != null && i < values.length) {
          values[i] = new String(bytes, p, length, StandardCharsets.UTF_8);
        }
        p += length;
      }
    }
    return p;
  }
}
