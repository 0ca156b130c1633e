package dev.chorus.turn.auth;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * Issues TURN REST API credentials ({@code expiry:opaque-id}, {@code base64(HMAC-SHA1(secret, username))}) for
 * admitted participants. Signaling calls {@link #issue} once per participant; the credential expires no later than
 * the participant's token and never more than {@link #MAX_TTL} from now. Thread-safe.
 */
public final class TurnCredentialIssuer {
    public static final Duration MAX_TTL = Duration.ofMinutes(10);

    private final SecretRing secrets;
    private final Duration ttl;
    private final List<String> urls;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param secrets the shared secrets of the TURN server (the first one issues)
     * @param ttl     lifetime of issued credentials, capped at {@link #MAX_TTL}
     * @param urls    what the client puts in {@code iceServers[].urls}, e.g. {@code turn:host:3478?transport=udp}
     */
    public TurnCredentialIssuer(SecretRing secrets, Duration ttl, List<String> urls, Clock clock) {
        if (ttl.isNegative() || ttl.isZero()) throw new IllegalArgumentException("ttl must be positive");
        this.secrets = secrets;
        this.ttl = ttl.compareTo(MAX_TTL) > 0 ? MAX_TTL : ttl;
        this.urls = List.copyOf(urls);
        this.clock = clock;
    }

    public TurnCredentialIssuer(String secret, Duration ttl, List<String> urls) {
        this(new SecretRing(List.of(secret)), ttl, urls, Clock.systemUTC());
    }

    /** A credential with a random opaque id (no identity inside the username). */
    public TurnCredential issue(Instant tokenExpiry) {
        byte[] id = new byte[12];
        random.nextBytes(id);
        return issue(HexFormat.of().formatHex(id), tokenExpiry);
    }

    /**
     * @param opaqueId    an opaque session id ({@code [A-Za-z0-9._~-]{1,64}}), never an e-mail or a name
     * @param tokenExpiry the join token's {@code exp}; the credential never outlives it
     */
    public TurnCredential issue(String opaqueId, Instant tokenExpiry) {
        if (!RestUsername.validId(opaqueId)) throw new IllegalArgumentException("opaque id must match [A-Za-z0-9._~-]{1,64}");
        Instant now = clock.instant();
        Instant expiry = now.plus(ttl);
        if (tokenExpiry != null && tokenExpiry.isBefore(expiry)) expiry = tokenExpiry;
        if (!expiry.isAfter(now)) throw new IllegalArgumentException("token already expired");
        long exp = expiry.getEpochSecond();
        String username = exp + ":" + opaqueId;
        return new TurnCredential(username, secrets.issuingPassword(username), exp, urls);
    }
}
