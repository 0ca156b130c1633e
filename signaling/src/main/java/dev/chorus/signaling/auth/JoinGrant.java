package dev.chorus.signaling.auth;

import dev.chorus.signaling.project.Scope;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What a verified join token allows: immutable, and the only thing the WebSocket and media plane should look at
 * after admission (never the raw claims).
 *
 * @param rights  effective rights: token scopes plus role expansion, intersected with the project ceiling
 * @param meta    the {@code meta} claim as compact JSON text (≤ 1 KiB), or null
 * @param conditions the {@code cond} claim (ABAC conditions), {@link AccessConditions#NONE} when absent
 * @param name    the {@code name} claim: display name shown to the other participants, or null
 * @param p2p     the {@code p2p} claim: a private peer-to-peer room (docs/p2p.md)
 */
public record JoinGrant(
        String projectId,
        String roomId,
        String identity,
        String jti,
        String kid,
        Instant issuedAt,
        Instant expiresAt,
        Set<Scope> rights,
        List<String> groups,
        PeerPolicy policy,
        String meta,
        AccessConditions conditions,
        String name,
        boolean p2p) {

    public JoinGrant(String projectId, String roomId, String identity, String jti, String kid, Instant issuedAt,
                     Instant expiresAt, Set<Scope> rights, List<String> groups, PeerPolicy policy, String meta,
                     AccessConditions conditions, String name) {
        this(projectId, roomId, identity, jti, kid, issuedAt, expiresAt, rights, groups, policy, meta, conditions,
                name, false);
    }

    public JoinGrant(String projectId, String roomId, String identity, String jti, String kid, Instant issuedAt,
                     Instant expiresAt, Set<Scope> rights, List<String> groups, PeerPolicy policy, String meta,
                     AccessConditions conditions) {
        this(projectId, roomId, identity, jti, kid, issuedAt, expiresAt, rights, groups, policy, meta, conditions,
                null);
    }

    public JoinGrant(String projectId, String roomId, String identity, String jti, String kid, Instant issuedAt,
                     Instant expiresAt, Set<Scope> rights, List<String> groups, PeerPolicy policy, String meta) {
        this(projectId, roomId, identity, jti, kid, issuedAt, expiresAt, rights, groups, policy, meta,
                AccessConditions.NONE);
    }

    public JoinGrant {
        conditions = conditions == null ? AccessConditions.NONE : conditions;
        rights = rights.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(rights));
        groups = List.copyOf(groups);
        policy = policy == null ? PeerPolicy.UNRESTRICTED : policy;
    }

    public boolean has(Scope scope) {
        return rights.contains(scope);
    }
}
