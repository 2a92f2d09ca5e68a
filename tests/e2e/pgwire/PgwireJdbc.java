// The PostgreSQL JDBC driver against tarn's wire protocol, run by pgwire_test.py in
// source-file mode: java -cp postgresql.jar PgwireJdbc.java PORT ADMIN_TOKEN CURATED_TOKEN
// Prints "ok ..." or "FAIL ..." per check; exits 1 if any check failed.
import java.math.BigDecimal;
import java.sql.*;
import java.util.*;

public class PgwireJdbc {
  static int failures = 0;

  static void check(boolean ok, String what) {
    System.out.println((ok ? "ok " : "FAIL ") + what);
    if (!ok) failures++;
  }

  static String sqlState(Connection c, String sql) {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      return "no error";
    } catch (SQLException e) {
      return e.getSQLState();
    }
  }

  static Connection connect(String port, String token) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "jdbc-analyst");
    p.setProperty("password", token);
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/lake", p);
  }

  public static void main(String[] args) throws Exception {
    String port = args[0];
    try (Connection c = connect(port, args[1])) {
      DatabaseMetaData md = c.getMetaData();
      check(md.getDatabaseProductVersion().startsWith("15.0"), "server version 15.0");

      Set<String> schemas = new TreeSet<>();
      try (ResultSet rs = md.getSchemas()) {
        while (rs.next()) schemas.add(rs.getString("TABLE_SCHEM"));
      }
      check(schemas.containsAll(List.of("curated", "serving")), "getSchemas lists the zones: " + schemas);

      Set<String> tables = new TreeSet<>();
      try (ResultSet rs = md.getTables(null, null, "%", new String[] {"TABLE"})) {
        while (rs.next()) tables.add(rs.getString("TABLE_SCHEM") + "." + rs.getString("TABLE_NAME"));
      }
      check(tables.equals(Set.of("curated.orders", "serving.revenue")), "getTables: " + tables);
      try (ResultSet rs = md.getTables(null, "curated", "ord%", null)) {
        check(rs.next() && rs.getString("TABLE_NAME").equals("orders") && !rs.next(),
              "getTables with schema and name patterns");
      }

      Map<String, String> columns = new LinkedHashMap<>();
      try (ResultSet rs = md.getColumns(null, "curated", "orders", "%")) {
        while (rs.next()) {
          columns.put(rs.getString("COLUMN_NAME"), rs.getInt("DATA_TYPE") + " "
              + rs.getString("TYPE_NAME") + " " + rs.getInt("COLUMN_SIZE") + " "
              + rs.getInt("DECIMAL_DIGITS") + " " + rs.getInt("ORDINAL_POSITION"));
        }
      }
      check(columns.keySet().equals(new LinkedHashSet<>(List.of("order_id", "customer", "amount",
                "qty", "price", "paid", "order_day", "order_ts", "tags"))),
            "getColumns names in order: " + columns.keySet());
      check(columns.get("order_id").startsWith(Types.BIGINT + " int8"), "order_id is int8: " + columns.get("order_id"));
      check(columns.get("amount").startsWith(Types.NUMERIC + " numeric 10 2"), "amount is numeric(10,2): " + columns.get("amount"));
      check(columns.get("order_ts").startsWith(Types.TIMESTAMP + " timestamptz"), "order_ts is timestamptz: " + columns.get("order_ts"));
      check(columns.get("order_day").startsWith(Types.DATE + " date"), "order_day is date: " + columns.get("order_day"));
      check(columns.get("tags").startsWith(Types.ARRAY + " _text"), "tags is text[]: " + columns.get("tags"));
      check(columns.get("paid").startsWith(Types.BIT + " bool"), "paid is bool: " + columns.get("paid"));

      // What BI tools ask next: keys, indexes, types (empty, but answered).
      try (ResultSet pk = md.getPrimaryKeys(null, "curated", "orders");
           ResultSet ix = md.getIndexInfo(null, "curated", "orders", false, true);
           ResultSet fk = md.getImportedKeys(null, "curated", "orders");
           ResultSet ti = md.getTypeInfo()) {
        int types = 0;
        while (ti.next()) types++;
        check(!pk.next() && !ix.next() && !fk.next() && types > 20,
              "getPrimaryKeys, getIndexInfo, getImportedKeys, getTypeInfo (" + types + " types)");
      }

      // Executed more often than prepareThreshold (5): the driver switches to a named server
      // statement and binary results; every execution must read the same values.
      String sql = "SELECT order_id, customer, amount, qty, price, paid, order_day, order_ts, tags "
          + "FROM curated.orders WHERE qty >= ? AND customer = ? ORDER BY order_id";
      List<String> first = null;
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (int i = 0; i < 8; i++) {
          ps.setInt(1, 3);
          ps.setString(2, "ann");
          List<String> rows = new ArrayList<>();
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              Array tags = rs.getArray(9);
              rows.add(rs.getLong(1) + "|" + rs.getString(2) + "|" + rs.getBigDecimal(3) + "|"
                  + rs.getInt(4) + "|" + rs.getDouble(5) + "|" + rs.getBoolean(6) + "|"
                  + rs.getDate(7) + "|" + rs.getObject(8, java.time.OffsetDateTime.class) + "|"
                  + Arrays.toString((Object[]) tags.getArray()));
            }
          }
          if (first == null) {
            first = rows;
            check(rows.size() == 6, "prepared query rows: " + rows.size());
            check(rows.get(0).equals("3|ann|3.75|3|0.75|false|2024-03-04|2024-03-04T10:00Z|[a, b c]"),
                  "first row decoded: " + rows.get(0));
          } else if (!rows.equals(first)) {
            check(false, "execution " + (i + 1) + " differs: " + rows + " vs " + first);
          }
        }
        check(ps.unwrap(org.postgresql.PGStatement.class).isUseServerPrepare(),
              "the driver uses a server-prepared statement");
      }
      check(first != null, "8 executions of a prepared statement agree");

      // Parameters of many types, sent in binary once server-prepared.
      String filter = "SELECT count(*) FROM curated.orders WHERE order_ts >= ? AND amount > ? "
          + "AND paid = ? AND order_day <= ? AND price < ? AND order_id <> ?";
      try (PreparedStatement ps = c.prepareStatement(filter)) {
        Set<Long> counts = new TreeSet<>();
        for (int i = 0; i < 7; i++) {
          ps.setTimestamp(1, Timestamp.from(java.time.Instant.parse("2024-03-05T00:00:00Z")));
          ps.setBigDecimal(2, new BigDecimal("5.00"));
          ps.setBoolean(3, true);
          ps.setDate(4, java.sql.Date.valueOf("2024-03-20"));
          ps.setDouble(5, 4.5);
          ps.setLong(6, 10L);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            counts.add(rs.getLong(1));
          }
        }
        check(counts.equals(Set.of(Long.valueOf(args[3]))), "typed parameters filter alike every time: " + counts);
      }

      c.setAutoCommit(false);
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM serving.revenue")) {
        check(rs.next() && rs.getLong(1) > 0, "a query inside a transaction block");
      }
      c.commit();
      c.setAutoCommit(true);

      // Statement.cancel() from another thread interrupts a long query.
      try (Statement s = c.createStatement()) {
        Thread canceller = new Thread(() -> {
          try {
            Thread.sleep(1500);
            s.cancel();
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        });
        long start = System.nanoTime();
        canceller.start();
        String state = "no error";
        try (ResultSet rs = s.executeQuery(
                 "SELECT count(*) FROM range(1000000000000) t(x) WHERE x % 7 = 3")) {
          rs.next();
        } catch (SQLException e) {
          state = e.getSQLState();
        }
        canceller.join();
        double secs = (System.nanoTime() - start) / 1e9;
        check("57014".equals(state), "cancel answers 57014: " + state);
        check(secs < 30, "the query stopped after the cancel (" + secs + " s)");
      }
      check(sqlState(c, "SELECT 1").equals("no error"), "the connection works after a cancel");

      check(sqlState(c, "SELEC 1").equals("42601"), "syntax error is 42601");
      check(sqlState(c, "SELECT * FROM curated.nope").equals("42P01"), "unknown table is 42P01");
      check(sqlState(c, "SELECT nosuchcol FROM curated.orders").equals("42703"), "unknown column is 42703");
      check(sqlState(c, "SELECT * FROM read_csv('/etc/passwd')").equals("42501"), "reading /etc/passwd is 42501");
    }

    try (Connection c = connect(port, args[2])) {
      check(sqlState(c, "SELECT count(*) FROM curated.orders").equals("no error"), "curated token reads curated");
      check(sqlState(c, "SELECT * FROM serving.revenue").equals("42501"), "curated token cannot read serving: 42501");
    }

    try {
      connect(port, "tarn_not_a_token").close();
      check(false, "a wrong token is refused");
    } catch (SQLException e) {
      check("28P01".equals(e.getSQLState()), "a wrong token is 28P01: " + e.getSQLState());
    }
    System.exit(failures == 0 ? 0 : 1);
  }
}
