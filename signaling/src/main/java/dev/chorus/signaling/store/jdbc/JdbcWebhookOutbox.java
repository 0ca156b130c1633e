package dev.chorus.signaling.store.jdbc;

import dev.chorus.signaling.store.StoreException;
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
 * {@link WebhookOutbox} in SQL shared by SQLite and PostgreSQL (its tables come with schema version 3). Queue rows
 * are deleted once delivered or dropped, so the table holds only what is still owed to a receiver, bounded per
 * endpoint by {@link #enqueue}'s limit (the endpoint's row is locked while counting, so concurrent nodes keep it).
 */
final class JdbcWebhookOutbox implements WebhookOutbox {
    private final Database db;

    JdbcWebhookOutbox(Database db) {
        this.db = db;
    }

    @Override
    public void addEndpoint(WebhookEndpoint e) {
        db.run("add webhook endpoint", sql -> sql.update("INSERT INTO webhook_endpoints (id, project_id,"
                + " url, secret, events, created_ms) VALUES (?,?,?,?,?,?)", e.id(), e.projectId(),
                e.url().toString(), e.secret(), eventsWire(e.events()), e.createdAt()));
    }

    @Override
    public List<WebhookEndpoint> endpoints(String projectId) {
        return db.run("list webhook endpoints", sql -> sql.list("SELECT * FROM webhook_endpoints"
                + " WHERE project_id = ? ORDER BY created_ms, id", JdbcWebhookOutbox::readEndpoint, projectId));
    }

    @Override
    public Optional<WebhookEndpoint> endpoint(String endpointId) {
        return db.run("read webhook endpoint", sql -> sql.one("SELECT * FROM webhook_endpoints"
                + " WHERE id = ?", JdbcWebhookOutbox::readEndpoint, endpointId));
    }

    @Override
    public boolean removeEndpoint(String projectId, String endpointId) {
        return db.transaction("remove webhook endpoint", sql -> {
            sql.update("DELETE FROM webhook_deliveries WHERE endpoint_id IN (SELECT id FROM webhook_endpoints"
                    + " WHERE id = ? AND project_id = ?)", endpointId, projectId);
            return sql.update("DELETE FROM webhook_endpoints WHERE id = ? AND project_id = ?", endpointId,
                    projectId) > 0;
        });
    }

    @Override
    public boolean enqueue(String endpointId, String eventId, String body, Instant at, int maxPending) {
        return db.transaction("queue webhook", sql -> {
            sql.update("UPDATE webhook_endpoints SET id = id WHERE id = ?", endpointId); // row lock while counting
            long queued = sql.one("SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = ?",
                    rs -> rs.getLong(1), endpointId).orElse(0L);
            if (queued >= maxPending) {
                return false;
            }
            sql.update("INSERT INTO webhook_deliveries (endpoint_id, event_id, body, attempts, queued_ms, next_ms)"
                    + " VALUES (?,?,?,0,?,?)", endpointId, eventId, body, at, at);
            return true;
        });
    }

    @Override
    public List<PendingDelivery> dueHeads(Instant now) {
        return db.run("due webhooks", sql -> sql.list("SELECT d.* FROM webhook_deliveries d"
                + " JOIN (SELECT endpoint_id, min(seq) AS head FROM webhook_deliveries GROUP BY endpoint_id) h"
                + " ON d.seq = h.head WHERE d.next_ms <= ? ORDER BY d.seq", JdbcWebhookOutbox::readDelivery,
                now));
    }

    @Override
    public void delivered(long seq) {
        drop(seq);
    }

    @Override
    public void retryLater(long seq, int attempts, Instant nextAttemptAt) {
        db.run("reschedule webhook", sql -> sql.update("UPDATE webhook_deliveries SET attempts = ?,"
                + " next_ms = ? WHERE seq = ?", attempts, nextAttemptAt, seq));
    }

    @Override
    public void drop(long seq) {
        db.run("forget webhook", sql -> sql.update("DELETE FROM webhook_deliveries WHERE seq = ?", seq));
    }

    @Override
    public long pending() {
        return db.run("count webhooks", sql -> sql.one("SELECT count(*) FROM webhook_deliveries",
                rs -> rs.getLong(1)).orElse(0L));
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
