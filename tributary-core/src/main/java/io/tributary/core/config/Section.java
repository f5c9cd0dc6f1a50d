package io.tributary.core.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/** A mapping of the file (the top level, {@code lake}, one source) read key by key. */
final class Section {
  private final ConfigContext context;
  private final String key;
  private final int line;
  private final Map<String, Entry> entries;

  private record Entry(String name, Node keyNode, Node value) {}

  private Section(ConfigContext context, String key, int line, Map<String, Entry> entries) {
    this.context = context;
    this.key = key;
    this.line = line;
    this.entries = entries;
  }

  /** The top level of the file. */
  static Section root(ConfigContext context, Node root) {
    if (!(root instanceof MappingNode mapping)) {
      throw new ConfigException("Invalid configuration at line " + ConfigContext.line(root) + " of " + context.file()
          + ": expected a mapping of keys, found " + ConfigValue.kind(root) + " (start with lake: and sources:)",
          context.file(), Optional.empty(), OptionalInt.of(ConfigContext.line(root)));
    }
    return new Section(context, "", ConfigContext.line(root), entries(context, "", mapping));
  }

  /** A value that must be a mapping; {@code line} is where its key is, so "missing" errors point there. */
  static Section of(ConfigValue value, int line) {
    if (!(value.node() instanceof MappingNode mapping)) {
      throw value.invalid("expected a mapping of keys, found " + ConfigValue.kind(value.node()),
          "indent the keys of " + value.key() + " under it");
    }
    return new Section(value.context(), value.key(), line, entries(value.context(), value.key(), mapping));
  }

  private static Map<String, Entry> entries(ConfigContext context, String key, MappingNode mapping) {
    Map<String, Entry> explicit = new LinkedHashMap<>();
    Map<String, Entry> merged = new LinkedHashMap<>();
    for (NodeTuple tuple : mapping.getValue()) {
      Node keyNode = tuple.getKeyNode();
      if (Tag.MERGE.equals(keyNode.getTag())) {
        // "<<: *defaults" shares settings between sources; explicit keys win over merged ones.
        for (MappingNode source : mergeSources(context, key, tuple.getValueNode())) {
          for (Entry entry : entries(context, key, source).values()) {
            merged.putIfAbsent(entry.name(), entry);
          }
        }
        continue;
      }
      if (!(keyNode instanceof ScalarNode scalar)) {
        throw context.error("Invalid key in", key.isEmpty() ? "the top level" : key, ConfigContext.line(keyNode),
            "expected a name, found " + ConfigValue.kind(keyNode), "write keys as plain names");
      }
      String name = scalar.getValue();
      String path = key.isEmpty() ? name : key + "." + name;
      Entry first = explicit.putIfAbsent(name, new Entry(name, keyNode, tuple.getValueNode()));
      if (first != null) {
        throw context.error("Duplicate key", path, ConfigContext.line(keyNode),
            "already set at line " + ConfigContext.line(first.keyNode()), "keep only one of them");
      }
    }
    Map<String, Entry> entries = new LinkedHashMap<>(explicit);
    merged.forEach(entries::putIfAbsent);
    return entries;
  }

  private static List<MappingNode> mergeSources(ConfigContext context, String key, Node value) {
    List<Node> nodes = value instanceof SequenceNode sequence ? sequence.getValue() : List.of(value);
    List<MappingNode> mappings = new ArrayList<>();
    for (Node node : nodes) {
      if (!(node instanceof MappingNode mapping)) {
        throw context.error("Invalid merge key <<", key.isEmpty() ? "at the top level" : "in " + key,
            ConfigContext.line(node), "it must name a mapping, found " + ConfigValue.kind(node),
            "merge a mapping with <<: *anchor");
      }
      mappings.add(mapping);
    }
    return mappings;
  }

  String key() {
    return key;
  }

  int line() {
    return line;
  }

  String child(String name) {
    return key.isEmpty() ? name : key + "." + name;
  }

  /** The names in file order. */
  List<String> names() {
    return List.copyOf(entries.keySet());
  }

  /** The value under {@code name}, if the key is present. */
  Optional<ConfigValue> value(String name) {
    Entry entry = entries.get(name);
    return entry == null ? Optional.empty() : Optional.of(new ConfigValue(context, child(name), entry.value()));
  }

  int keyLine(String name) {
    Entry entry = entries.get(name);
    return entry == null ? line : ConfigContext.line(entry.keyNode());
  }

  void rejectUnknown(Collection<String> known) {
    for (Entry entry : entries.values()) {
      if (!known.contains(entry.name())) {
        String fix = Suggestions.closest(entry.name(), known)
            .map(suggestion -> "did you mean " + suggestion + "?")
            .orElseGet(() -> "known keys here: " + String.join(", ", known));
        throw context.error("Unknown key", child(entry.name()), ConfigContext.line(entry.keyNode()), "", fix);
      }
    }
  }

  void rejectUnknownKeys(List<ConfigKey<?>> known) {
    rejectUnknown(known.stream().map(ConfigKey::name).collect(Collectors.toList()));
  }

  /** The key's value, its default, or an error if it is required and missing. */
  <T> T get(ConfigKey<T> key) {
    return find(key).or(key::defaultValue).orElseThrow(() -> missing(key.name()));
  }

  /** The key's value if set; an explicit null ({@code key:} with nothing after it) counts as not set. */
  <T> Optional<T> find(ConfigKey<T> key) {
    Optional<ConfigValue> value = value(key.name());
    if (value.isEmpty() || isNull(value.get().node())) {
      if (key.required()) {
        throw missing(key.name());
      }
      return Optional.empty();
    }
    return Optional.of(key.valueType().parse(value.get()));
  }

  /** A required sub-mapping such as {@code lake}. */
  Section section(String name) {
    ConfigValue value = value(name).orElseThrow(() -> missing(name));
    if (isNull(value.node())) {
      throw missing(name);
    }
    return Section.of(value, keyLine(name));
  }

  ConfigException missing(String name) {
    Optional<ConfigValue> value = value(name);
    if (value.isPresent()) {
      return context.error("Missing value for", child(name), value.get().line(), "", "set a value after " + name + ":");
    }
    String where = key.isEmpty() ? "at the top level" : "under " + key;
    return context.error("Missing required key", child(name), line, "", "add " + name + " " + where);
  }

  static boolean isNull(Node node) {
    return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
  }

  ConfigContext context() {
    return context;
  }
}
