package io.tributary.sources.mariadb;

/** Which server a binlog source reads: the same capture, each with its own Debezium connector. */
public enum BinlogServer {
  MARIADB("MariaDB", "io.debezium.connector.mariadb.MariaDbConnector"),
  MYSQL("MySQL", "io.debezium.connector.mysql.MySqlConnector");

  private final String displayName;
  private final String connectorClass;

  BinlogServer(String displayName, String connectorClass) {
    this.displayName = displayName;
    this.connectorClass = connectorClass;
  }

  /** The server's name in messages. */
  public String displayName() {
    return displayName;
  }

  String connectorClass() {
    return connectorClass;
  }

  /** The privilege that lets a user ask for the binlog position: MariaDB renamed REPLICATION CLIENT. */
  String binlogMonitorPrivilege() {
    return this == MARIADB ? "BINLOG MONITOR" : "REPLICATION CLIENT";
  }
}
