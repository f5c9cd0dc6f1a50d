package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ReadOnlySqlTest {
  @Test
  void acceptsOneReadingStatementAndDropsItsSemicolon() {
    assertThat(ReadOnlySql.check("SELECT 1;")).isEqualTo("SELECT 1");
    assertThat(ReadOnlySql.check("  with x as (select 1) select * from x ;  -- done\n")).isEqualTo("with x as (select 1) select * from x");
    assertThat(ReadOnlySql.check("EXPLAIN SELECT * FROM silver.orders")).startsWith("EXPLAIN");
    assertThat(ReadOnlySql.check("DESCRIBE silver.orders")).isEqualTo("DESCRIBE silver.orders");
    assertThat(ReadOnlySql.check("/* why */ SELECT 'a;b', \"delete\" FROM t")).isEqualTo("/* why */ SELECT 'a;b', \"delete\" FROM t");
    assertThat(ReadOnlySql.check("SELECT 'it''s; DROP TABLE x' AS s")).isEqualTo("SELECT 'it''s; DROP TABLE x' AS s");
  }

  @Test
  void refusesStatementsThatWrite() {
    assertRefused("INSERT INTO t VALUES (1)", "Cannot run INSERT: the SQL console only reads the lake (start with"
        + " SELECT, WITH, EXPLAIN, DESCRIBE, SHOW or SUMMARIZE)");
    assertRefused("update t set a = 1", "Cannot run UPDATE: the SQL console only reads the lake");
    assertRefused("CREATE TABLE x AS SELECT 1", "Cannot run CREATE:");
    assertRefused("SET threads = 1", "Cannot run SET:");
    assertRefused("ATTACH 'x.db'", "Cannot run ATTACH:");
    assertRefused("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", "Cannot run a statement containing DELETE:"
        + " the SQL console only reads the lake (if delete is a column or table name, quote it as \"delete\")");
    assertRefused("EXPLAIN ANALYZE INSERT INTO t VALUES (1)", "Cannot run a statement containing INSERT");
    assertRefused("SELECT load FROM t", "Cannot run a statement containing LOAD");
  }

  @Test
  void refusesMoreThanOneStatement() {
    assertRefused("SELECT 1; SELECT 2", "Cannot run more than one statement at once (send them one by one)");
    assertRefused("SELECT 1;DROP TABLE x", "Cannot run more than one statement at once");
  }

  @Test
  void refusesWhatIsNotAStatement() {
    assertRefused("  ", "Cannot run an empty statement: type a SELECT");
    assertRefused("-- only a comment", "Cannot run this statement: it has no SQL keyword (type a SELECT)");
    assertRefused("SELECT 'open", "Cannot run this statement: a string starting at character 8 is not closed (add the closing ')");
    assertRefused("SELECT 1 /* open", "Cannot run this statement: a /* comment is not closed (add */)");
  }

  private static void assertRefused(String sql, String message) {
    assertThatThrownBy(() -> ReadOnlySql.check(sql)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(message);
  }
}
