package io.tributary.core.config;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** One value of the file with its key path and line, for parsing and for error messages. */
final class ConfigValue {
  private final ConfigContext context;
  private final String key;
  private final Node node;

  ConfigValue(ConfigContext context, String key, Node node) {
    this.context = requireNonNull(context, "context is null");
    this.key = requireNonNull(key, "key is null");
    this.node = requireNonNull(node, "node is null");
  }

  ConfigContext context() {
    return context;
  }

  String key() {
    return key;
  }

  Node node() {
    return node;
  }

  int line() {
    return ConfigContext.line(node);
  }

  /** The scalar's text with references resolved; {@code expected} names the wanted type for the error. */
  String text(String expected) {
    if (!(node instanceof ScalarNode scalar)) {
      throw invalid("expected " + expected + ", found " + kind(node), "write a single value");
    }
    return context.resolve(scalar.getValue(), key, line());
  }

  List<ConfigValue> elements(String expected, String fix) {
    if (!(node instanceof SequenceNode sequence)) {
      throw invalid("expected " + expected + ", found " + kind(node), fix);
    }
    List<ConfigValue> elements = new ArrayList<>();
    for (Node element : sequence.getValue()) {
      elements.add(new ConfigValue(context, key + "[" + elements.size() + "]", element));
    }
    return elements;
  }

  ConfigException invalid(String problem, String fix) {
    return context.error("Invalid value for", key, line(), problem, fix);
  }

  static String kind(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    return "a single value";
  }
}
