package io.tributary.cli;

import io.tributary.api.spi.Source;
import io.tributary.server.SourceInfo;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What {@code tributary demo --scenario NAME} captures: a system started in-process, the data it
 * starts with, a workload that keeps changing it, and the source that captures it. The demo command
 * runs the pipeline, the progress lines, the gold models and the summary the same way for every
 * scenario. Adding one: implement this, and register it in {@link DemoScenarios}.
 */
interface DemoScenario extends AutoCloseable {
  /** The size of the first load a scenario creates, from the demo's options. */
  record Options(int clients, int orders) {}

  /** Starts the system, prints where its data lives, and creates the first data unless it exists. */
  void start(PrintWriter out, Path warehouse) throws Exception;

  /** The source that captures the system into the lake at {@code warehouse}. */
  Source source(Path warehouse);

  /** The source as the web UI and REST API describe it; call after {@link #start}. */
  SourceInfo sourceInfo();

  /** What the source captures, for the "Capturing ..." line. */
  List<String> captured();

  /** Rows in the system right now, for the snapshot progress. */
  long sourceRows() throws Exception;

  /** The system's own count for the lake table {@code table} (no layer), when it has one. */
  OptionalLong sourceRows(String table) throws Exception;

  /** Lake tables (no layer) whose silver must match {@link #sourceRows(String)} before the summary. */
  List<String> tables();

  /** Opens a workload on a connection of its own; each step makes one change. */
  Workload workload() throws Exception;

  /** The directory of gold models the scenario ships, installed beside the lake, if any. */
  Optional<Path> models(Path warehouse);

  /** SQL over the lake to print under "Look around". */
  List<String> queries();

  /** Stops the system. */
  @Override
  void close();

  /** A stream of changes to the system. */
  interface Workload extends AutoCloseable {
    void step() throws Exception;

    @Override
    void close() throws Exception;
  }
}
