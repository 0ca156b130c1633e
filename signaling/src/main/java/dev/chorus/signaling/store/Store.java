package dev.chorus.signaling.store;

import dev.chorus.signaling.webhook.WebhookOutbox;

/**
 * Durable control-plane state, one repository per aggregate: projects, keys, revocations, rooms, ACL entries, scope
 * overrides, access policies, the operator credential and the audit anchor (inherited, so callers use them flat),
 * and the webhook outbox and cluster state (node registry, room claims, session slots) through their accessors.
 *
 * <p>Every method that returns normally after a write has made that write durable. Implementations are
 * thread-safe. Two implementations share one contract ({@code StoreContract} in the tests): {@link SqliteStore},
 * the embedded default for one node, and {@link PostgresStore}, shared by the nodes of a cluster. Callers pass
 * identifiers already validated by {@code Identifiers}; implementations still bind every value as a parameter and
 * never build SQL (or paths, or URLs) from them.
 *
 * <p>When the database cannot be reached, every method throws {@link StoreException.Unavailable}; the store
 * reconnects by itself once the database is back.
 */
public interface Store extends ProjectRepository, KeyRepository, RevocationRepository, RoomRepository, AclRepository,
        ScopeOverrideRepository, AccessPolicyRepository, OperatorCredentialRepository, AuditAnchorRepository,
        AutoCloseable {

    /** Schema version this store is at (after migrations ran on open). */
    int schemaVersion();

    /** Webhook endpoints and their delivery queues. */
    WebhookOutbox webhooks();

    /** The cluster's nodes. */
    NodeRegistry nodes();

    /** Which node hosts which live room. */
    RoomClaims roomClaims();

    /** Cluster-wide session limits. */
    SessionSlots sessionSlots();

    /** True when the database answers now (a cheap round trip; readiness checks call it). */
    boolean reachable();

    @Override
    void close();
}
