package dev.chorus.signaling.ws;

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
     */
    record Admitted(String participantId, String projectId, String room, String identity, List<String> rights,
                    String keyId, String tokenId, Instant issuedAt, Instant expiresAt) implements JoinOutcome {}

    /** @param reason stable reason code (audited, counted); the client only learns "join refused" */
    record Refused(String reason) implements JoinOutcome {}
}
