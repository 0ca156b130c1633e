package dev.chorus.signaling.store;

import dev.chorus.signaling.webhook.PendingDelivery;
import dev.chorus.signaling.webhook.WebhookEndpoint;
import dev.chorus.signaling.webhook.WebhookEventType;
import dev.chorus.signaling.webhook.WebhookOutbox;
import java.net.URI;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The webhook repository of {@link SqliteStore}: same connection and the same monitor (SQLite has one writer), its
 * own tables (migration 3 of {@link SqliteStore#MIGRATIONS}). Queue rows are deleted once delivered or dropped, so
 * the table holds only what is still owed to a receiver, bounded per endpoint by {@link #enqueue}'s limit.
 */
final class SqliteWebhookOutbox implements WebhookOutbox {
    static final List<String> MIGRATION = List.of(
            """
            CREATE TABLE webhook_endpoints (
              id TEXT PRIMARY KEY,
              project_id TEXT NOT NULL REFERENCES projects(id),
              url TEXT NOT NULL,
              secret BLOB NOT NULL,
              events TEXT NOT NULL,
              created_ms INTEGER NOT NULL
            ) STRICT""",
            "CREATE INDEX webhook_endpoints_by_project ON webhook_endpoints(project_id, created_ms)",
            """
            CREATE TABLE webhook_deliveries (
              seq INTEGER PRIMARY KEY AUTOINCREMENT,
              endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
              event_id TEXT NOT NULL,
              body TEXT NOT NULL,
              attempts INTEGER NOT NULL,
              queued_ms INTEGER NOT NULL,
              next_ms INTEGER NOT NULL
            ) STRICT""",
            "CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries(endpoint_id, seq)");

    private final Object lock;
    private final Sql sql;

    SqliteWebhookOutbox(Object lock, Sql sql) {
        this.lock = lock;
        this.sql = sql;
    }

    @Override
    public void addEndpoint(WebhookEndpoint e) {
        synchronized (lock) {
            SqliteStore.run("add webhook endpoint", () -> sql.update("INSERT INTO webhook_endpoints (id, project_id,"
                    + " url, secret, events, created_ms) VALUES (?,?,?,?,?,?)", e.id(), e.projectId(),
                    e.url().toString(), e.secret(), eventsWire(e.events()), e.createdAt()));
        }
    }

    @Override
    public List<WebhookEndpoint> endpoints(String projectId) {
        synchronized (lock) {
            return SqliteStore.run("list webhook endpoints", () -> sql.list("SELECT * FROM webhook_endpoints"
                    + " WHERE project_id = ? ORDER BY created_ms, id", SqliteWebhookOutbox::readEndpoint, projectId));
        }
    }

    @Override
    public Optional<WebhookEndpoint> endpoint(String endpointId) {
        synchronized (lock) {
            return SqliteStore.run("read webhook endpoint", () -> sql.one("SELECT * FROM webhook_endpoints"
                    + " WHERE id = ?", SqliteWebhookOutbox::readEndpoint, endpointId));
        }
    }

    @Override
    public boolean removeEndpoint(String projectId, String endpointId) {
        synchronized (lock) {
            return SqliteStore.run("remove webhook endpoint", () -> sql.transaction(() -> {
                sql.update("DELETE FROM webhook_deliveries WHERE endpoint_id IN (SELECT id FROM webhook_endpoints"
                        + " WHERE id = ? AND project_id = ?)", endpointId, projectId);
                return sql.update("DELETE FROM webhook_endpoints WHERE id = ? AND project_id = ?", endpointId,
                        projectId) > 0;
            }));
        }
    }

    @Override
    public boolean enqueue(String endpointId, String eventId, String body, Instant at, int maxPending) {
        synchronized (lock) {
            return SqliteStore.run("queue webhook", () -> sql.transaction(() -> {
                long queued = sql.one("SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = ?",
                        rs -> rs.getLong(1), endpointId).orElse(0L);
                if (queued >= maxPending) {
                    return false;
                }
                sql.update("INSERT INTO webhook_deliveries (endpoint_id, event_id, body, attempts, queued_ms, next_ms)"
                        + " VALUES (?,?,?,0,?,?)", endpointId, eventId, body, at, at);
                return true;
            }));
        }
    }

    @Override
    public List<PendingDelivery> dueHeads(Instant now) {
        synchronized (lock) {
            return SqliteStore.run("due webhooks", () -> sql.list("SELECT d.* FROM webhook_deliveries d"
                    + " JOIN (SELECT endpoint_id, min(seq) AS head FROM webhook_deliveries GROUP BY endpoint_id) h"
                    + " ON d.seq = h.head WHERE d.next_ms <= ? ORDER BY d.seq", SqliteWebhookOutbox::readDelivery,
                    now));
        }
    }

    @Override
    public void delivered(long seq) {
        drop(seq);
    }

    @Override
    public void retryLater(long seq, int attempts, Instant nextAttemptAt) {
        synchronized (lock) {
            SqliteStore.run("reschedule webhook", () -> sql.update("UPDATE webhook_deliveries SET attempts = ?,"
                    + " next_ms = ? WHERE seq = ?", attempts, nextAttemptAt, seq));
        }
    }

    @Override
    public void drop(long seq) {
        synchronized (lock) {
            SqliteStore.run("forget webhook", () -> sql.update("DELETE FROM webhook_deliveries WHERE seq = ?", seq));
        }
    }

    @Override
    public long pending() {
        synchronized (lock) {
            return SqliteStore.run("count webhooks", () -> sql.one("SELECT count(*) FROM webhook_deliveries",
                    rs -> rs.getLong(1)).orElse(0L));
        }
    }

    private static WebhookEndpoint readEndpoint(ResultSet rs) throws SQLException {
        return new WebhookEndpoint(rs.getString("id"), rs.getString("project_id"), URI.create(rs.getString("url")),
                rs.getBytes("secret"), events(rs.getString("events")),
                Instant.ofEpochMilli(rs.getLong("created_ms")));
    }

    private static PendingDelivery readDelivery(ResultSet rs) throws SQLException {
        return new PendingDelivery(rs.getLong("seq"), rs.getString("endpoint_id"), rs.getString("event_id"),
                rs.getString("body"), rs.getInt("attempts"), Instant.ofEpochMilli(rs.getLong("queued_ms")),
                Instant.ofEpochMilli(rs.getLong("next_ms")));
    }

    private static String eventsWire(Set<WebhookEventType> events) {
        return String.join(" ", events.stream().map(WebhookEventType::wire).sorted().toList());
    }

    private static Set<WebhookEventType> events(String wire) {
        Set<WebhookEventType> s = EnumSet.noneOf(WebhookEventType.class);
        if (!wire.isEmpty()) {
            for (String w : wire.split(" ")) {
                s.add(WebhookEventType.fromWire(w).orElseThrow(() -> new StoreException("unknown event in store")));
            }
        }
        return s;
    }
}
