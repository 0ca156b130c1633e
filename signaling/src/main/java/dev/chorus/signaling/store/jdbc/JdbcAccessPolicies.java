package dev.chorus.signaling.store.jdbc;

import dev.chorus.signaling.project.AccessPolicy;
import dev.chorus.signaling.store.AccessPolicyRepository;
import java.util.List;
import java.util.Optional;

/** {@link AccessPolicyRepository} in SQL shared by SQLite and PostgreSQL. */
final class JdbcAccessPolicies implements AccessPolicyRepository {
    private final Database db;

    JdbcAccessPolicies(Database db) {
        this.db = db;
    }

    @Override
    public Optional<AccessPolicy> accessPolicy(String projectId) {
        return db.run("read access policy", sql -> sql.one("SELECT * FROM access_policies WHERE project_id = ?",
                rs -> new AccessPolicy(rs.getInt("acl_mode") != 0, cidrs(rs.getString("allowed_cidrs")),
                        rs.getInt("max_sessions"), rs.getString("hours_utc"), rs.getInt("allow_pii") != 0,
                        rs.getInt("replace_same_token") != 0),
                projectId));
    }

    @Override
    public void putAccessPolicy(String projectId, AccessPolicy p) {
        db.run("put access policy", sql -> sql.update("INSERT INTO access_policies (project_id, acl_mode,"
                        + " allowed_cidrs, max_sessions, hours_utc, allow_pii, replace_same_token) VALUES (?,?,?,?,?,?,?)"
                        + " ON CONFLICT (project_id) DO UPDATE"
                        + " SET acl_mode = excluded.acl_mode, allowed_cidrs = excluded.allowed_cidrs,"
                        + " max_sessions = excluded.max_sessions, hours_utc = excluded.hours_utc,"
                        + " allow_pii = excluded.allow_pii, replace_same_token = excluded.replace_same_token",
                projectId, p.aclMode(), String.join(" ", p.allowedCidrs()), p.maxSessionsPerIdentity(), p.hoursUtc(),
                p.allowPiiIdentities(), p.replaceSameTokenSession()));
    }

    private static List<String> cidrs(String wire) {
        return wire.isEmpty() ? List.of() : List.of(wire.split(" "));
    }
}
