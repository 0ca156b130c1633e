package dev.chorus.signaling.ws;

import dev.chorus.signaling.auth.AccessConditions;
import dev.chorus.signaling.auth.PeerPolicy;

import java.time.Instant;
import java.util.List;

/** What the {@link JoinGate} decided. */
public sealed interface JoinOutcome {

    /**
     * @param participantId server-assigned, unique per session
     * @param identity      the token's {@code sub} (opaque)
     * @param rights        effective scopes, e.g. {@code room:join media:subscribe}
     * @param keyId         {@code kid} that signed the token, so revoking the key can close this session
     * @param tokenId       {@code jti}
     * @param issuedAt      token {@code iat} (subject revocation compares against it)
     * @param expiresAt     token expiry
     * @param groups        the token's {@code grp} labels (peer policies select on them)
     * @param policy        the token's peer policy ({@link PeerPolicy#UNRESTRICTED} without a {@code policy} claim)
     * @param meta          the token's {@code meta} claim as compact JSON text, or null (shown to other participants)
     * @param conditions    the token's {@code cond} claim, re-checked during the session with the project's policy
     * @param name          the token's {@code name} claim (display name shown to the other participants), or null
     * @param p2p           the token's {@code p2p} claim: a private peer-to-peer room (docs/p2p.md)
     */
    record Admitted(String participantId, String projectId, String room, String identity, List<String> rights,
                    String keyId, String tokenId, Instant issuedAt, Instant expiresAt, List<String> groups,
                    PeerPolicy policy, String meta, AccessConditions conditions, String name, boolean p2p)
            implements JoinOutcome {
        public Admitted {
            groups = groups == null ? List.of() : List.copyOf(groups);
            policy = policy == null ? PeerPolicy.UNRESTRICTED : policy;
            conditions = conditions == null ? AccessConditions.NONE : conditions;
        }

        /** An SFU room. */
        public Admitted(String participantId, String projectId, String room, String identity, List<String> rights,
                        String keyId, String tokenId, Instant issuedAt, Instant expiresAt, List<String> groups,
                        PeerPolicy policy, String meta, AccessConditions conditions, String name) {
            this(participantId, projectId, room, identity, rights, keyId, tokenId, issuedAt, expiresAt, groups,
                    policy, meta, conditions, name, false);
        }

        /** Without a display name. */
        public Admitted(String participantId, String projectId, String room, String identity, List<String> rights,
                        String keyId, String tokenId, Instant issuedAt, Instant expiresAt, List<String> groups,
                        PeerPolicy policy, String meta, AccessConditions conditions) {
            this(participantId, projectId, room, identity, rights, keyId, tokenId, issuedAt, expiresAt, groups,
                    policy, meta, conditions, null);
        }

        /** Without token conditions. */
        public Admitted(String participantId, String projectId, String room, String identity, List<String> rights,
                        String keyId, String tokenId, Instant issuedAt, Instant expiresAt, List<String> groups,
                        PeerPolicy policy, String meta) {
            this(participantId, projectId, room, identity, rights, keyId, tokenId, issuedAt, expiresAt, groups,
                    policy, meta, AccessConditions.NONE);
        }

        /** Without groups, policy and meta (tests of the WebSocket layer alone). */
        public Admitted(String participantId, String projectId, String room, String identity, List<String> rights,
                        String keyId, String tokenId, Instant issuedAt, Instant expiresAt) {
            this(participantId, projectId, room, identity, rights, keyId, tokenId, issuedAt, expiresAt, List.of(),
                    PeerPolicy.UNRESTRICTED, null);
        }
    }

    /** @param reason stable reason code (audited, counted); the client only learns "join refused" */
    record Refused(String reason) implements JoinOutcome {}

    /**
     * Cluster mode: the room lives on (or is placed on) another node; the client is told where and rejoins there.
     *
     * @param url    the owning node's public base URL (https://host:port)
     * @param nodeId the owning node's id
     */
    record Redirected(String url, String nodeId) implements JoinOutcome {}

    /** The decision could not be made now (shared store unreachable): the client may retry later (close 1013). */
    record Unavailable(String reason) implements JoinOutcome {}
}
