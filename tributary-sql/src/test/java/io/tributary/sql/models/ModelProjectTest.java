package io.tributary.sql.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.lake.Lake;
import io.tributary.sql.LakeSqlEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelProjectTest {
  @TempDir Path directory;

  private Path models() throws IOException {
    return Files.createDirectories(directory.resolve("models"));
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(models().resolve(name), text);
  }

  @Test
  void ordersModelsUpstreamFirstAndDrawsTheGraph() throws IOException {
    write("client_revenue.sql", "SELECT c.id, r.total\nFROM silver.clients c\nJOIN gold.revenue r ON r.client_id = c.id");
    write("revenue.sql", "-- materialized: incremental, unique-key: client_id\n"
        + "SELECT client_id, sum(amount) AS total FROM silver.orders GROUP BY client_id;\n");
    write("top.sql", "SELECT * FROM gold.client_revenue ORDER BY total DESC LIMIT 10");

    ModelProject project = ModelProject.load(models());

    assertThat(project.models()).extracting(Model::name).containsExactly("revenue", "client_revenue", "top");
    assertThat(project.graph()).isEqualTo("gold.revenue <- silver.orders\n"
        + "gold.client_revenue <- gold.revenue, silver.clients\n"
        + "gold.top <- gold.client_revenue\n");
    Model revenue = project.model("gold.revenue").orElseThrow();
    assertThat(revenue.materialization()).isEqualTo(Materialization.INCREMENTAL);
    assertThat(revenue.uniqueKey()).containsExactly("client_id");
    assertThat(revenue.sql()).doesNotEndWith(";").endsWith("GROUP BY client_id");
    assertThat(revenue.refresh()).isEqualTo(RefreshPolicy.eventDriven());
    assertThat(project.select("revenue+")).extracting(Model::name).containsExactly("revenue", "client_revenue", "top");
    assertThat(project.select("+client_revenue")).extracting(Model::name).containsExactly("revenue", "client_revenue");
    assertThat(project.select("client_revenue")).extracting(Model::name).containsExactly("client_revenue");
    assertThatThrownBy(() -> project.select("nope+"))
        .hasMessageContaining("Invalid model selector 'nope+': no model nope (models: revenue, client_revenue, top)");
  }

  @Test
  void aCycleNamesTheFileAndLineOfTheReference() throws IOException {
    write("a.sql", "SELECT *\nFROM gold.b");
    write("b.sql", "SELECT *\n\nFROM gold.c");
    write("c.sql", "SELECT * FROM gold.a");
    write("d.sql", "SELECT * FROM silver.orders");

    assertThatThrownBy(() -> ModelProject.load(models()))
        .isInstanceOf(ModelException.class)
        .hasMessage(models().resolve("a.sql") + ", line 2: Cannot order the models: they form a cycle, "
            + "gold.a reads gold.b reads gold.c reads gold.a (a model cannot depend on itself through other models;"
            + " break the cycle)")
        .satisfies(e -> assertThat(((ModelException) e).line()).isEqualTo(OptionalInt.of(2)));
  }

  @Test
  void readsSettingsFromYaml() throws IOException {
    write("clients_orders.sql", "SELECT client_id, count(*) AS orders FROM silver.orders GROUP BY client_id");
    write("clients_orders.yml", """
        materialized: incremental
        unique-key: [client_id]
        refresh:
          schedule: "*/5 * * * *"
        tests:
          - not_null: client_id
          - unique: client_id
          - accepted_values: {column: status, values: [new, paid]}
          - relationships: {column: client_id, to: silver.clients.id}
          - sql: "SELECT * FROM gold.clients_orders WHERE orders < 0"
        """);
    Model model = ModelProject.load(models()).models().get(0);
    assertThat(model.materialization()).isEqualTo(Materialization.INCREMENTAL);
    assertThat(model.refresh().schedule().orElseThrow().expression()).isEqualTo("*/5 * * * *");
    assertThat(model.tests()).containsExactly(
        new ModelTest.NotNull("client_id"),
        new ModelTest.Unique(List.of("client_id")),
        new ModelTest.AcceptedValues("status", List.of("new", "paid")),
        new ModelTest.Relationships("client_id", "silver.clients", "id"),
        new ModelTest.CustomSql("#1", "SELECT * FROM gold.clients_orders WHERE orders < 0", java.util.Optional.empty()));
    assertThat(model.references()).isEqualTo(Set.of("silver.orders"));
  }

  @Test
  void readsMinIntervalFromTheHeader() throws IOException {
    write("x.sql", "-- a comment\n-- refresh: {min-interval: 10s}\nSELECT 1 AS one");
    assertThat(ModelProject.load(models()).models().get(0).refresh())
        .isEqualTo(RefreshPolicy.minInterval(Duration.ofSeconds(10)));
  }

  @Test
  void aBadYamlKeyNamesItsLine() throws IOException {
    write("x.sql", "SELECT 1 AS id");
    Path yaml = write("x.yml", "materialized: table\nrefresh:\n  every: 10s\n");
    assertThatThrownBy(() -> ModelProject.load(models()))
        .isInstanceOf(ModelException.class)
        .hasMessageStartingWith(yaml + ", line 3: Invalid refresh setting 'every'");
    write("x.yml", "materialized: incremental\n");
    assertThatThrownBy(() -> ModelProject.load(models()))
        .hasMessageStartingWith(yaml + ", line 1: Invalid model x: incremental materialization needs a unique key");
    write("x.yml", "materialized: table\ntests:\n  - not_nul: id\n");
    assertThatThrownBy(() -> ModelProject.load(models()))
        .hasMessageStartingWith(yaml + ", line 3: Invalid test kind 'not_nul'");
    write("x.yml", "refresh:\n  schedule: '61 * * * *'\n");
    assertThatThrownBy(() -> ModelProject.load(models()))
        .hasMessageStartingWith(yaml + ", line 2: Invalid cron expression '61 * * * *': minute '61' is outside 0-59");
  }

  @Test
  void aModelIsOneSelect() throws IOException {
    Path file = write("x.sql", "-- header\nDELETE FROM silver.orders");
    assertThatThrownBy(() -> ModelProject.load(models()))
        .hasMessageStartingWith(file + ", line 2: Invalid model: it does not start with SELECT or WITH");
    write("x.sql", "SELECT 1;\nSELECT 2");
    assertThatThrownBy(() -> ModelProject.load(models()))
        .hasMessageStartingWith(file + ", line 1: Invalid model: more than one statement");
  }

  @Test
  void validateNamesUnknownTablesAndInvalidSqlWithTheirLines() throws IOException {
    try (Lake lake = Lake.open(directory.resolve("lake"))) {
      SilverTables silver = new SilverTables(lake);
      silver.create("orders", SilverTables.ORDERS);
      write("a.sql", "SELECT id, amount\nFROM silver.orders");
      write("b.sql", "SELECT a.id\nFROM gold.a a\nJOIN silver.ordrs o ON o.id = a.id");
      try (LakeSqlEngine engine = new LakeSqlEngine(lake.catalog())) {
        assertThatThrownBy(() -> ModelProject.load(models()).validate(engine))
            .isInstanceOf(ModelException.class)
            .hasMessageStartingWith(models().resolve("b.sql") + ", line 3: Cannot read table silver.ordrs: it is not"
                + " in the lake and no model makes it (tables: silver.orders; models: gold.a, gold.b)");

        write("b.sql", "SELECT a.id,\n  a.amount\nFROM gold.a a\nWHERE a.nope > 1");
        assertThatThrownBy(() -> ModelProject.load(models()).validate(engine))
            .isInstanceOf(ModelException.class)
            .hasMessageStartingWith(models().resolve("b.sql") + ", line 4: Invalid SQL in model b: Binder Error")
            .hasMessageContaining("nope");

        write("b.sql", "SELECT a.id\nFROM gold.a a\nWHERE a.id >");
        assertThatThrownBy(() -> ModelProject.load(models()).validate(engine))
            .hasMessageStartingWith(models().resolve("b.sql") + ", line 3: Invalid SQL in model b: Parser Error");

        write("b.sql", "SELECT a.id\nFROM gold.a a");
        ModelProject.load(models()).validate(engine);
        assertThat(engine.tables()).containsExactly("silver.orders");
      }
    }
  }
}
