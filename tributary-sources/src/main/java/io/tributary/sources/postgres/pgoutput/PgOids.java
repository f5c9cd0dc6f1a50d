package io.tributary.sources.postgres.pgoutput;

import java.util.Map;

/** OIDs of PostgreSQL's built-in types (fixed in {@code pg_type.dat}), and of their array types. */
public final class PgOids {
  public static final int BOOL = 16;
  public static final int BYTEA = 17;
  public static final int CHAR = 18;
  public static final int NAME = 19;
  public static final int INT8 = 20;
  public static final int INT2 = 21;
  public static final int INT4 = 23;
  public static final int TEXT = 25;
  public static final int OID = 26;
  public static final int JSON = 114;
  public static final int XML = 142;
  public static final int FLOAT4 = 700;
  public static final int FLOAT8 = 701;
  public static final int MONEY = 790;
  public static final int MACADDR = 829;
  public static final int INET = 869;
  public static final int CIDR = 650;
  public static final int MACADDR8 = 774;
  public static final int BPCHAR = 1042;
  public static final int VARCHAR = 1043;
  public static final int DATE = 1082;
  public static final int TIME = 1083;
  public static final int TIMESTAMP = 1114;
  public static final int TIMESTAMPTZ = 1184;
  public static final int INTERVAL = 1186;
  public static final int TIMETZ = 1266;
  public static final int BIT = 1560;
  public static final int VARBIT = 1562;
  public static final int NUMERIC = 1700;
  public static final int UUID = 2950;
  public static final int JSONB = 3802;

  /** Built-in array type OID to element type OID. */
  private static final Map<Integer, Integer> ARRAYS = Map.ofEntries(
      Map.entry(1000, BOOL), Map.entry(1001, BYTEA), Map.entry(1002, CHAR), Map.entry(1003, NAME),
      Map.entry(1016, INT8), Map.entry(1005, INT2), Map.entry(1007, INT4), Map.entry(1009, TEXT),
      Map.entry(1028, OID), Map.entry(199, JSON), Map.entry(143, XML), Map.entry(1021, FLOAT4),
      Map.entry(1022, FLOAT8), Map.entry(791, MONEY), Map.entry(1040, MACADDR), Map.entry(1041, INET),
      Map.entry(651, CIDR), Map.entry(775, MACADDR8), Map.entry(1014, BPCHAR), Map.entry(1015, VARCHAR),
      Map.entry(1182, DATE), Map.entry(1183, TIME), Map.entry(1115, TIMESTAMP), Map.entry(1185, TIMESTAMPTZ),
      Map.entry(1187, INTERVAL), Map.entry(1270, TIMETZ), Map.entry(1561, BIT), Map.entry(1563, VARBIT),
      Map.entry(1231, NUMERIC), Map.entry(2951, UUID), Map.entry(3807, JSONB));

  private static final Map<Integer, String> NAMES = Map.ofEntries(
      Map.entry(BOOL, "bool"), Map.entry(BYTEA, "bytea"), Map.entry(CHAR, "char"), Map.entry(NAME, "name"),
      Map.entry(INT8, "int8"), Map.entry(INT2, "int2"), Map.entry(INT4, "int4"), Map.entry(TEXT, "text"),
      Map.entry(OID, "oid"), Map.entry(JSON, "json"), Map.entry(XML, "xml"), Map.entry(FLOAT4, "float4"),
      Map.entry(FLOAT8, "float8"), Map.entry(MONEY, "money"), Map.entry(MACADDR, "macaddr"), Map.entry(INET, "inet"),
      Map.entry(CIDR, "cidr"), Map.entry(MACADDR8, "macaddr8"), Map.entry(BPCHAR, "bpchar"),
      Map.entry(VARCHAR, "varchar"), Map.entry(DATE, "date"), Map.entry(TIME, "time"),
      Map.entry(TIMESTAMP, "timestamp"), Map.entry(TIMESTAMPTZ, "timestamptz"), Map.entry(INTERVAL, "interval"),
      Map.entry(TIMETZ, "timetz"), Map.entry(BIT, "bit"), Map.entry(VARBIT, "varbit"), Map.entry(NUMERIC, "numeric"),
      Map.entry(UUID, "uuid"), Map.entry(JSONB, "jsonb"));

  private PgOids() {}

  /** The element type of a built-in array type, or 0 when {@code oid} is not one. */
  public static int arrayElement(int oid) {
    return ARRAYS.getOrDefault(oid, 0);
  }

  /** Whether {@code oid} is a built-in scalar type with a mapping of its own. */
  public static boolean isKnown(int oid) {
    return NAMES.containsKey(oid);
  }

  static String name(int oid) {
    String name = NAMES.get(oid);
    if (name != null) {
      return name;
    }
    Integer element = ARRAYS.get(oid);
    return element != null ? "_" + NAMES.get(element) : "oid " + oid;
  }
}
