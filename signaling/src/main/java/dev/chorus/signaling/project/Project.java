package dev.chorus.signaling.project;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * A tenant: its limits, its scope ceiling and its role table. Immutable; change it with the {@code with…} methods
 * and {@code Store.updateProject}.
 *
 * @param maxTokenTtl          longest allowed {@code exp - iat} of a join token; never above {@link #MAX_TOKEN_TTL}
 * @param scopeCeiling         the most any token of this project can grant; role expansion is capped by it and
 *                             explicit scopes beyond it are refused
 * @param roles                role name → scopes (a token's {@code role} claim is expanded through this table)
 * @param hs256JoinTokens      whether an HS256 (API) key may sign join tokens; when false only ES256/EdDSA tokens
 *                             minted by the backend itself are accepted and the mint endpoint refuses
 * @param autoCreateRooms      whether a valid join for a room that has no record yet creates it (dev convenience);
 *                             when false the backend must create the room first
 */
public record Project(
        String id,
        String name,
        Duration maxTokenTtl,
        int maxParticipantsPerRoom,
        int maxRooms,
        Set<Scope> scopeCeiling,
        Map<String, Set<Scope>> roles,
        boolean hs256JoinTokens,
        boolean autoCreateRooms,
        Instant createdAt) {

    /** Hard upper bound for any project's token lifetime (TOKENS.md: ≤ 24 h). */
    public static final Duration MAX_TOKEN_TTL = Duration.ofHours(24);

    public Project {
        Identifiers.requireProjectId(id);
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(maxTokenTtl, "maxTokenTtl");
        Objects.requireNonNull(createdAt, "createdAt");
        if (maxTokenTtl.isNegative() || maxTokenTtl.isZero() || maxTokenTtl.compareTo(MAX_TOKEN_TTL) > 0) {
            throw new IllegalArgumentException("maxTokenTtl must be in (0, 24h]");
        }
        if (maxParticipantsPerRoom < 1 || maxRooms < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        scopeCeiling = scopeCeiling.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(scopeCeiling));
        TreeMap<String, Set<Scope>> r = new TreeMap<>();
        roles.forEach((k, v) -> {
            if (!k.matches("[a-z][a-z0-9_-]{0,31}")) {
                throw new IllegalArgumentException("bad role name");
            }
            r.put(k, Set.copyOf(v));
        });
        roles = java.util.Collections.unmodifiableMap(r);
    }

    /** A project with sensible defaults: 1 h tokens, 50 participants, 100 rooms, every scope, three roles. */
    public static Project withDefaults(String id, String name, Instant now) {
        return new Project(id, name, Duration.ofHours(1), 50, 100, Scope.all(), defaultRoles(), false, false, now);
    }

    public static Map<String, Set<Scope>> defaultRoles() {
        return Map.of(
                "viewer", Set.of(Scope.ROOM_JOIN, Scope.SUBSCRIBE, Scope.DATA_SUBSCRIBE),
                "speaker", Set.of(Scope.ROOM_JOIN, Scope.SUBSCRIBE, Scope.PUBLISH_AUDIO, Scope.PUBLISH_VIDEO,
                        Scope.DATA_PUBLISH, Scope.DATA_SUBSCRIBE, Scope.META_UPDATE_SELF),
                "host", Scope.all());
    }

    public Project withMaxTokenTtl(Duration ttl) {
        return new Project(id, name, ttl, maxParticipantsPerRoom, maxRooms, scopeCeiling, roles, hs256JoinTokens,
                autoCreateRooms, createdAt);
    }

    public Project withScopeCeiling(Set<Scope> ceiling) {
        return new Project(id, name, maxTokenTtl, maxParticipantsPerRoom, maxRooms, ceiling, roles, hs256JoinTokens,
                autoCreateRooms, createdAt);
    }

    public Project withRoles(Map<String, Set<Scope>> newRoles) {
        return new Project(id, name, maxTokenTtl, maxParticipantsPerRoom, maxRooms, scopeCeiling, newRoles,
                hs256JoinTokens, autoCreateRooms, createdAt);
    }

    public Project withHs256JoinTokens(boolean allowed) {
        return new Project(id, name, maxTokenTtl, maxParticipantsPerRoom, maxRooms, scopeCeiling, roles, allowed,
                autoCreateRooms, createdAt);
    }

    public Project withAutoCreateRooms(boolean allowed) {
        return new Project(id, name, maxTokenTtl, maxParticipantsPerRoom, maxRooms, scopeCeiling, roles,
                hs256JoinTokens, allowed, createdAt);
    }

    public Project withLimits(int participantsPerRoom, int rooms) {
        return new Project(id, name, maxTokenTtl, participantsPerRoom, rooms, scopeCeiling, roles, hs256JoinTokens,
                autoCreateRooms, createdAt);
    }
}
