package io.tributary.core.feed;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A SQL condition over one record of a feed, such as {@code operation = 'DELETE'} (the {@code
 * delete-when} of a table). Supported: column names (plain, or in double quotes), string literals in
 * single quotes ({@code ''} for a quote), numbers, {@code TRUE}, {@code FALSE}, {@code NULL}; the
 * comparisons {@code = <> != < <= > >=}; {@code IS [NOT] NULL}; {@code [NOT] IN (literal, ...)};
 * {@code AND}, {@code OR}, {@code NOT} and parentheses. Keywords ignore case.
 *
 * <p>Evaluation follows SQL: a comparison with NULL (or a missing column) is unknown, and only a
 * condition that is true holds. A number compares with a string that reads as a number numerically
 * (CSV values are text); other values compare as text.
 */
public final class RecordCondition {
  private final String text;
  private final Node root;

  private RecordCondition(String text, Node root) {
    this.text = text;
    this.root = root;
  }

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException naming what is wrong and where, if it is not a supported condition
   */
  public static RecordCondition parse(String text) {
    requireNonNull(text, "text is null");
    Parser parser = new Parser(text, tokenize(text));
    Node root = parser.or();
    if (!parser.atEnd()) {
      throw parser.error("unexpected " + parser.peek().text());
    }
    return new RecordCondition(text, root);
  }

  /** Whether the condition is true for {@code record} (column name to value; missing columns are NULL). */
  public boolean test(Map<String, ?> record) {
    requireNonNull(record, "record is null");
    return root.eval(record) == Boolean.TRUE;
  }

  /** The columns the condition reads. */
  public List<String> columns() {
    List<String> columns = new ArrayList<>();
    root.columns(columns);
    return List.copyOf(columns);
  }

  @Override
  public String toString() {
    return text;
  }

  // ---- evaluation (Boolean.TRUE, Boolean.FALSE or null for unknown)

  private interface Node {
    Boolean eval(Map<String, ?> record);

    default void columns(List<String> into) {}
  }

  private interface Operand {
    Object value(Map<String, ?> record);

    default void columns(List<String> into) {}
  }

  private record ColumnRef(String name) implements Operand {
    @Override
    public Object value(Map<String, ?> record) {
      return record.get(name);
    }

    @Override
    public void columns(List<String> into) {
      if (!into.contains(name)) {
        into.add(name);
      }
    }
  }

  private record Literal(Object value) implements Operand {
    @Override
    public Object value(Map<String, ?> record) {
      return value;
    }
  }

  private record Compare(Operand left, String operator, Operand right) implements Node {
    @Override
    public Boolean eval(Map<String, ?> record) {
      Object a = left.value(record);
      Object b = right.value(record);
      if (a == null || b == null) {
        return null;
      }
      int order = compare(a, b);
      return switch (operator) {
        case "=" -> order == 0;
        case "<>", "!=" -> order != 0;
        case "<" -> order < 0;
        case "<=" -> order <= 0;
        case ">" -> order > 0;
        case ">=" -> order >= 0;
        default -> throw new IllegalStateException("operator " + operator);
      };
    }

    @Override
    public void columns(List<String> into) {
      left.columns(into);
      right.columns(into);
    }
  }

  private record IsNull(Operand operand, boolean negated) implements Node {
    @Override
    public Boolean eval(Map<String, ?> record) {
      return (operand.value(record) == null) != negated;
    }

    @Override
    public void columns(List<String> into) {
      operand.columns(into);
    }
  }

  private record In(Operand operand, List<Object> values, boolean negated) implements Node {
    @Override
    public Boolean eval(Map<String, ?> record) {
      Object value = operand.value(record);
      if (value == null) {
        return null;
      }
      boolean unknown = false;
      for (Object candidate : values) {
        if (candidate == null) {
          unknown = true;
        } else if (compare(value, candidate) == 0) {
          return !negated;
        }
      }
      return unknown ? null : negated;
    }

    @Override
    public void columns(List<String> into) {
      operand.columns(into);
    }
  }

  private record And(Node left, Node right) implements Node {
    @Override
    public Boolean eval(Map<String, ?> record) {
      Boolean a = left.eval(record);
      if (a == Boolean.FALSE) {
        return false;
      }
      Boolean b = right.eval(record);
      if (b == Boolean.FALSE) {
        return false;
      }
      return a == null || b == null ? null : true;
    }

    @Override
    public void columns(List<String> into) {
      left.columns(into);
      right.columns(into);
    }
  }

  private record Or(Node left, Node right) implements Node {
    @Override
    public Boolean eval(Map<String, ?> record) {
      Boolean a = left.eval(record);
      if (a == Boolean.TRUE) {
        return true;
      }
      Boolean b = right.eval(record);
      if (b == Boolean.TRUE) {
        return true;
      }
      return a == null || b == null ? null : false;
    }

    @Override
    public void columns(List<String> into) {
      left.columns(into);
      right.columns(into);
    }
  }

  private record Not(Node operand) implements Node {
    @Override
    public Boolean eval(Map<String, ?> record) {
      Boolean value = operand.eval(record);
      return value == null ? null : !value;
    }

    @Override
    public void columns(List<String> into) {
      operand.columns(into);
    }
  }

  private record Truth(Operand operand) implements Node {
    @Override
    public Boolean eval(Map<String, ?> record) {
      Object value = operand.value(record);
      if (value == null) {
        return null;
      }
      if (value instanceof Boolean bool) {
        return bool;
      }
      String text = value.toString().trim().toLowerCase(Locale.ROOT);
      return text.equals("true") ? Boolean.TRUE : text.equals("false") ? Boolean.FALSE : null;
    }

    @Override
    public void columns(List<String> into) {
      operand.columns(into);
    }
  }

  private static int compare(Object a, Object b) {
    Optional<BigDecimal> x = number(a);
    Optional<BigDecimal> y = number(b);
    if ((a instanceof Number || b instanceof Number) && x.isPresent() && y.isPresent()) {
      return x.get().compareTo(y.get());
    }
    if (a instanceof Boolean || b instanceof Boolean) {
      return text(a).equalsIgnoreCase(text(b)) ? 0 : text(a).toLowerCase(Locale.ROOT).compareTo(text(b).toLowerCase(Locale.ROOT));
    }
    return text(a).compareTo(text(b));
  }

  private static String text(Object value) {
    return value.toString();
  }

  private static Optional<BigDecimal> number(Object value) {
    if (value instanceof BigDecimal decimal) {
      return Optional.of(decimal);
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      return Double.isFinite(d) ? Optional.of(BigDecimal.valueOf(d)) : Optional.empty();
    }
    if (value instanceof Number number) {
      return Optional.of(BigDecimal.valueOf(number.longValue()));
    }
    if (value instanceof String text) {
      try {
        return Optional.of(new BigDecimal(text.trim()));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  // ---- tokens and parsing

  private enum Kind { WORD, QUOTED_NAME, STRING, NUMBER, SYMBOL }

  private record Token(Kind kind, String text, int at) {
    boolean is(String keyword) {
      return kind == Kind.WORD && text.equalsIgnoreCase(keyword);
    }

    boolean isSymbol(String symbol) {
      return kind == Kind.SYMBOL && text.equals(symbol);
    }
  }

  private static List<Token> tokenize(String text) {
    List<Token> tokens = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '\'' || c == '"') {
        StringBuilder value = new StringBuilder();
        int start = i++;
        while (true) {
          if (i >= text.length()) {
            throw new IllegalArgumentException("Invalid condition '" + text + "': the quote at character "
                + (start + 1) + " is not closed (close it with " + c + ")");
          }
          char d = text.charAt(i++);
          if (d == c) {
            if (i < text.length() && text.charAt(i) == c) {
              value.append(c);
              i++;
              continue;
            }
            break;
          }
          value.append(d);
        }
        tokens.add(new Token(c == '\'' ? Kind.STRING : Kind.QUOTED_NAME, value.toString(), start));
      } else if (Character.isDigit(c) || (c == '-' && i + 1 < text.length() && Character.isDigit(text.charAt(i + 1))
          && (tokens.isEmpty() || tokens.get(tokens.size() - 1).kind() == Kind.SYMBOL
              && !tokens.get(tokens.size() - 1).text().equals(")")))) {
        int start = i++;
        while (i < text.length() && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '.'
            || text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
          i++;
        }
        tokens.add(new Token(Kind.NUMBER, text.substring(start, i), start));
      } else if (Character.isLetter(c) || c == '_') {
        int start = i++;
        while (i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_'
            || text.charAt(i) == '$')) {
          i++;
        }
        tokens.add(new Token(Kind.WORD, text.substring(start, i), start));
      } else {
        String two = i + 1 < text.length() ? text.substring(i, i + 2) : "";
        if (two.equals("<=") || two.equals(">=") || two.equals("<>") || two.equals("!=")) {
          tokens.add(new Token(Kind.SYMBOL, two, i));
          i += 2;
        } else if ("=<>(),".indexOf(c) >= 0) {
          tokens.add(new Token(Kind.SYMBOL, String.valueOf(c), i));
          i++;
        } else {
          throw new IllegalArgumentException("Invalid condition '" + text + "': unexpected character '" + c
              + "' at character " + (i + 1) + " (supported: comparisons, IS NULL, IN, AND, OR, NOT, parentheses)");
        }
      }
    }
    return tokens;
  }

  private static final class Parser {
    private final String text;
    private final List<Token> tokens;
    private int next;

    Parser(String text, List<Token> tokens) {
      this.text = text;
      this.tokens = tokens;
    }

    boolean atEnd() {
      return next >= tokens.size();
    }

    Token peek() {
      return tokens.get(next);
    }

    IllegalArgumentException error(String problem) {
      String where = atEnd() ? "at the end" : "at character " + (peek().at() + 1);
      return new IllegalArgumentException("Invalid condition '" + text + "': " + problem + " " + where
          + " (supported: column = 'text', column <> 1, <, <=, >, >=, IS [NOT] NULL, [NOT] IN (...), AND, OR, NOT, "
          + "parentheses)");
    }

    private boolean accept(String keyword) {
      if (!atEnd() && peek().is(keyword)) {
        next++;
        return true;
      }
      return false;
    }

    private boolean acceptSymbol(String symbol) {
      if (!atEnd() && peek().isSymbol(symbol)) {
        next++;
        return true;
      }
      return false;
    }

    Node or() {
      Node left = and();
      while (accept("OR")) {
        left = new Or(left, and());
      }
      return left;
    }

    Node and() {
      Node left = not();
      while (accept("AND")) {
        left = new And(left, not());
      }
      return left;
    }

    Node not() {
      if (accept("NOT")) {
        return new Not(not());
      }
      return predicate();
    }

    Node predicate() {
      if (atEnd()) {
        throw error("a condition is missing");
      }
      if (acceptSymbol("(")) {
        Node inner = or();
        if (!acceptSymbol(")")) {
          throw error("expected )");
        }
        return inner;
      }
      Operand left = operand();
      if (accept("IS")) {
        boolean negated = accept("NOT");
        if (!accept("NULL")) {
          throw error("expected NULL after IS");
        }
        return new IsNull(left, negated);
      }
      boolean negated = false;
      if (!atEnd() && peek().is("NOT") && next + 1 < tokens.size() && tokens.get(next + 1).is("IN")) {
        next++;
        negated = true;
      }
      if (accept("IN")) {
        if (!acceptSymbol("(")) {
          throw error("expected ( after IN");
        }
        List<Object> values = new ArrayList<>();
        do {
          Operand value = operand();
          if (!(value instanceof Literal literal)) {
            throw error("IN lists literals only");
          }
          values.add(literal.value());
        } while (acceptSymbol(","));
        if (!acceptSymbol(")")) {
          throw error("expected ) to close the IN list");
        }
        return new In(left, values, negated);
      }
      if (!atEnd() && peek().kind() == Kind.SYMBOL && List.of("=", "<>", "!=", "<", "<=", ">", ">=").contains(peek().text())) {
        String operator = tokens.get(next++).text();
        return new Compare(left, operator, operand());
      }
      if (left instanceof ColumnRef || left instanceof Literal literal && literal.value() instanceof Boolean) {
        return new Truth(left);
      }
      throw error(atEnd() ? "expected a comparison" : "expected a comparison, found " + peek().text());
    }

    Operand operand() {
      if (atEnd()) {
        throw error("expected a column or a value");
      }
      Token token = tokens.get(next++);
      switch (token.kind()) {
        case STRING:
          return new Literal(token.text());
        case NUMBER:
          try {
            return new Literal(new BigDecimal(token.text()));
          } catch (NumberFormatException e) {
            next--;
            throw error("'" + token.text() + "' is not a number");
          }
        case QUOTED_NAME:
          return new ColumnRef(token.text());
        case WORD:
          if (token.is("NULL")) {
            return new Literal(null);
          }
          if (token.is("TRUE") || token.is("FALSE")) {
            return new Literal(token.is("TRUE"));
          }
          if (List.of("AND", "OR", "NOT", "IS", "IN").stream().anyMatch(token::is)) {
            next--;
            throw error("expected a column or a value, found " + token.text());
          }
          return new ColumnRef(token.text());
        default:
          next--;
          throw error("expected a column or a value, found " + token.text());
      }
    }
  }
}
