package io.tributary.core.alert;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The alerts of a running process in a file, {@code <warehouse>/_work/alerts/<pipeline>.json},
 * rewritten whenever an alert fires or resolves, so that another process ({@code tributary status})
 * can show them. The file says which process wrote it, so a reader can tell a live process's
 * alerts from those of one that is gone.
 */
public final class AlertJournal {
  private final Path file;

  public AlertJournal(Path file) {
    this.file = requireNonNull(file, "file is null");
  }

  /** The journal of pipeline {@code pipeline} in the lake {@code warehouse}. */
  public static AlertJournal of(Path warehouse, String pipeline) {
    return new AlertJournal(directory(warehouse).resolve(pipeline + ".json"));
  }

  private static Path directory(Path warehouse) {
    return warehouse.resolve("_work").resolve("alerts");
  }

  public Path file() {
    return file;
  }

  /**
   * What a journal holds.
   *
   * @param running false once the process stopped cleanly
   * @param process the writing process's id; a process that is gone left {@code running} true
   */
  public record Entry(String pipeline, boolean running, long process, Instant updated, List<Alert> active,
      List<AlertEvent> recent) {
    public Entry {
      requireNonNull(pipeline, "pipeline is null");
      requireNonNull(updated, "updated is null");
      active = List.copyOf(requireNonNull(active, "active is null"));
      recent = List.copyOf(requireNonNull(recent, "recent is null"));
    }

    /** Whether the process that wrote it still runs (on this machine). */
    public boolean live() {
      return running && ProcessHandle.of(process).map(ProcessHandle::isAlive).orElse(false);
    }
  }

  /** Replaces the file with the given state, atomically. */
  synchronized void write(String pipeline, boolean running, List<Alert> active, List<AlertEvent> recent) {
    StringBuilder json = new StringBuilder("{\"pipeline\":").append(Json.string(pipeline))
        .append(",\"running\":").append(running)
        .append(",\"process\":").append(ProcessHandle.current().pid())
        .append(",\"updated\":").append(Json.string(Instant.now().toString()))
        .append(",\"active\":[");
    for (int i = 0; i < active.size(); i++) {
      json.append(i == 0 ? "" : ",").append(alert(active.get(i)));
    }
    json.append("],\"recent\":[");
    for (int i = 0; i < recent.size(); i++) {
      AlertEvent event = recent.get(i);
      json.append(i == 0 ? "" : ",").append("{\"alert\":").append(alert(event.alert()))
          .append(",\"resolved\":").append(event.resolved())
          .append(",\"message\":").append(Json.string(event.message()))
          .append(",\"at\":").append(Json.string(event.at().toString())).append('}');
    }
    json.append("]}\n");
    try {
      Files.createDirectories(file.getParent());
      Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(temporary, json, StandardCharsets.UTF_8);
      try {
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the alert journal " + file + ": " + e.getMessage()
          + " (check free space and permissions of " + file.getParent() + ")", e);
    }
  }

  private static String alert(Alert alert) {
    return "{\"key\":" + Json.string(alert.key()) + ",\"severity\":" + Json.string(alert.severity().name())
        + ",\"title\":" + Json.string(alert.title()) + ",\"message\":" + Json.string(alert.message())
        + ",\"since\":" + Json.string(alert.since().toString()) + "}";
  }

  /** The journal's content, or empty when there is no file. */
  public Optional<Entry> read() {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      Object loaded = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
      if (!(loaded instanceof Map<?, ?> root)) {
        throw new IllegalStateException("not a JSON object");
      }
      List<Alert> active = new ArrayList<>();
      for (Object alert : (List<?>) root.get("active")) {
        active.add(alert((Map<?, ?>) alert));
      }
      List<AlertEvent> recent = new ArrayList<>();
      String pipeline = (String) root.get("pipeline");
      for (Object item : (List<?>) root.get("recent")) {
        Map<?, ?> event = (Map<?, ?>) item;
        recent.add(new AlertEvent(pipeline, alert((Map<?, ?>) event.get("alert")), (Boolean) event.get("resolved"),
            (String) event.get("message"), Instant.parse((String) event.get("at"))));
      }
      return Optional.of(new Entry(pipeline, (Boolean) root.get("running"), ((Number) root.get("process")).longValue(),
          Instant.parse((String) root.get("updated")), active, recent));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the alert journal " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new IllegalStateException("Cannot read the alert journal " + file + ": " + e.getMessage()
          + " (it is damaged; the pipeline writes it again with its next alert, or remove it)", e);
    }
  }

  /** The journals of every pipeline that has written one in lake {@code warehouse}, by pipeline name. */
  public static List<AlertJournal> all(Path warehouse) {
    Path directory = directory(warehouse);
    if (!Files.isDirectory(directory)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(path -> path.getFileName().toString().endsWith(".json")).sorted()
          .map(AlertJournal::new).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list alert journals in " + directory + ": " + e.getMessage(), e);
    }
  }

  private static Alert alert(Map<?, ?> alert) {
    return new Alert((String) alert.get("key"),
        AlertSeverity.valueOf(((String) alert.get("severity")).toUpperCase(Locale.ROOT)), (String) alert.get("title"),
        (String) alert.get("message"), Instant.parse((String) alert.get("since")));
  }
}
