package dev.chorus.signaling.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.signaling.project.Scope;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * What a backend asks the mint endpoint for. {@code scopes} and/or {@code role} (at least one); {@code policy},
 * {@code meta} optional (null); {@code ttl} null means the project's maximum; {@code conditions} the optional ABAC
 * {@code cond} claim (docs/live-authorization.md); {@code name} the optional display name ({@code name} claim);
 * {@code p2p} marks a private peer-to-peer room ({@code p2p} claim, docs/p2p.md).
 */
public record MintRequest(String room, String identity, Set<Scope> scopes, String role, List<String> groups,
                          PeerPolicy policy, JsonNode meta, Duration ttl, JsonNode conditions, String name,
                          boolean p2p) {
    public MintRequest {
        scopes = scopes == null ? Set.of() : Set.copyOf(scopes);
        groups = groups == null ? List.of() : List.copyOf(groups);
        meta = meta == null ? null : meta.deepCopy();
        conditions = conditions == null || conditions.isNull() ? null : conditions.deepCopy();
    }

    /** An SFU room. */
    public MintRequest(String room, String identity, Set<Scope> scopes, String role, List<String> groups,
                       PeerPolicy policy, JsonNode meta, Duration ttl, JsonNode conditions, String name) {
        this(room, identity, scopes, role, groups, policy, meta, ttl, conditions, name, false);
    }

    /** Without a display name. */
    public MintRequest(String room, String identity, Set<Scope> scopes, String role, List<String> groups,
                       PeerPolicy policy, JsonNode meta, Duration ttl, JsonNode conditions) {
        this(room, identity, scopes, role, groups, policy, meta, ttl, conditions, null);
    }

    /** Without ABAC conditions ({@code cond} claim). */
    public MintRequest(String room, String identity, Set<Scope> scopes, String role, List<String> groups,
                       PeerPolicy policy, JsonNode meta, Duration ttl) {
        this(room, identity, scopes, role, groups, policy, meta, ttl, null, null);
    }

    public static MintRequest of(String room, String identity, Set<Scope> scopes, Duration ttl) {
        return new MintRequest(room, identity, scopes, null, List.of(), null, null, ttl);
    }
}
