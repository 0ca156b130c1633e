package dev.chorus.signaling.store.jdbc;

import dev.chorus.signaling.admin.OperatorCredential;
import dev.chorus.signaling.store.OperatorCredentialRepository;
import java.time.Instant;
import java.util.Optional;

/** {@link OperatorCredentialRepository} in SQL shared by SQLite and PostgreSQL. */
final class JdbcOperatorCredentials implements OperatorCredentialRepository {
    private final Database db;

    JdbcOperatorCredentials(Database db) {
        this.db = db;
    }

    @Override
    public Optional<OperatorCredential> operatorCredential() {
        return db.run("read operator credential", sql -> sql.one("SELECT * FROM operator_credentials"
                + " WHERE id = 'operator'", rs -> new OperatorCredential(rs.getString("kdf"), rs.getInt("iterations"),
                rs.getBytes("salt"), rs.getBytes("hash"), Instant.ofEpochMilli(rs.getLong("created_ms")))));
    }

    @Override
    public void putOperatorCredential(OperatorCredential c) {
        db.run("put operator credential", sql -> sql.update("INSERT INTO operator_credentials (id, kdf, iterations,"
                        + " salt, hash, created_ms) VALUES ('operator',?,?,?,?,?) ON CONFLICT (id) DO UPDATE"
                        + " SET kdf = excluded.kdf, iterations = excluded.iterations, salt = excluded.salt,"
                        + " hash = excluded.hash, created_ms = excluded.created_ms", c.kdf(), c.iterations(), c.salt(),
                c.hash(), c.createdAt()));
    }
}
