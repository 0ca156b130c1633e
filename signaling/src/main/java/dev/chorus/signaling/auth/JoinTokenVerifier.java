package dev.chorus.signaling.auth;

import dev.chorus.signaling.store.Store;
import java.time.Clock;
import java.time.Duration;

/**
 * Verifies join tokens in the order TOKENS.md fixes (each step refuses with its {@link RefusalReason} before the
 * next runs): size and strict parsing → {@code typ} → exact {@code kid} lookup → algorithm pinned by the key →
 * signature → claims → key state, jti deny-list, subject watermark, room state. Pure: reads the store, writes
 * nothing (auditing and metrics are {@link JoinAdmission}'s job).
 */
public final class JoinTokenVerifier {
    public static final String TYPE = "chorus-join+jwt";
    public static final Duration MAX_LEEWAY = Duration.ofSeconds(60);

    private final Store store;
    private final String audience;
    private final Clock clock;
    private final Duration leeway;

    /**
     * @param audience this deployment's id; the {@code aud} claim must equal it exactly
     * @param leeway   clock skew tolerated on exp/nbf/iat, at most 60 s
     */
    public JoinTokenVerifier(Store store, String audience, Clock clock, Duration leeway) {
        if (leeway.isNegative() || leeway.compareTo(MAX_LEEWAY) > 0) {
            throw new IllegalArgumentException("leeway must be within [0, 60s]");
        }
        this.store = store;
        this.audience = audience;
        this.clock = clock;
        this.leeway = leeway;
    }

    /**
     * @param token the compact JWT exactly as received
     * @param room  the room the client asks to join; must equal the token's {@code room} claim exactly
     * @throws TokenRefusedException with the reason of the first failed check
     */
    public JoinGrant verify(String token, String room) {
        throw new UnsupportedOperationException("in progress");
    }
}
