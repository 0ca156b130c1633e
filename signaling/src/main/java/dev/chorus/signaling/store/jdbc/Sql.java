package dev.chorus.signaling.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The JDBC plumbing every repository method needs, written once: bind parameters, run, map rows. One {@code Sql}
 * wraps the connection a {@link Database} lent for one unit of work (SQLite and PostgreSQL alike).
 *
 * <p>Parameters bind by Java type: {@link Instant} as epoch milliseconds (null as SQL NULL), booleans as 0/1,
 * {@code byte[]} as a blob. Every value is a bound parameter; SQL text never contains input.
 */
public final class Sql {
    @FunctionalInterface
    public interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private final Connection conn;

    public Sql(Connection conn) {
        this.conn = conn;
    }

    /** Runs an INSERT/UPDATE/DELETE and returns the number of rows it changed. */
    public int update(String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(sql, args)) {
            return ps.executeUpdate();
        }
    }

    /** The first row of a query, mapped, or empty. */
    public <T> Optional<T> one(String sql, Row<T> row, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(sql, args); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(row.read(rs)) : Optional.empty();
        }
    }

    /** Every row of a query, mapped, in the query's order. */
    public <T> List<T> list(String sql, Row<T> row, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(sql, args); ResultSet rs = ps.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) {
                out.add(row.read(rs));
            }
            return out;
        }
    }

    /** A nullable epoch-millisecond column as an {@link Instant}. */
    public static Instant instant(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }

    private PreparedStatement prepare(String sql, Object[] args) throws SQLException {
        PreparedStatement ps = conn.prepareStatement(sql);
        try {
            for (int i = 0; i < args.length; i++) {
                bind(ps, i + 1, args[i]);
            }
            return ps;
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
    }

    private static void bind(PreparedStatement ps, int i, Object v) throws SQLException {
        switch (v) {
            case null -> ps.setNull(i, Types.NULL); // untyped: PostgreSQL infers the column's type
            case Instant t -> ps.setLong(i, t.toEpochMilli());
            case Boolean b -> ps.setInt(i, b ? 1 : 0);
            case String s -> ps.setString(i, s);
            case Integer n -> ps.setInt(i, n);
            case Long n -> ps.setLong(i, n);
            case byte[] bytes -> ps.setBytes(i, bytes);
            default -> throw new IllegalArgumentException("unsupported SQL parameter type " + v.getClass());
        }
    }
}
