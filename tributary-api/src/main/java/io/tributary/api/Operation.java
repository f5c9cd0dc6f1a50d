package io.tributary.api;

/** The kind of a change, with the one-letter code stored in bronze's {@code _op} column. */
public enum Operation {
  /** A row read by the initial snapshot. */
  READ("r"),
  CREATE("c"),
  UPDATE("u"),
  DELETE("d");

  private final String code;

  Operation(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }

  public static Operation fromCode(String code) {
    for (Operation operation : values()) {
      if (operation.code.equals(code)) {
        return operation;
      }
    }
    throw new IllegalArgumentException("Invalid operation code: " + code + " (expected r, c, u or d)");
  }
}
