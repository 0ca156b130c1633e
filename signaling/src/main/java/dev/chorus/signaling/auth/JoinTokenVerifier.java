package dev.chorus.signaling.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.signaling.project.Identifiers;
import dev.chorus.signaling.project.Project;
import dev.chorus.signaling.project.ProjectKey;
import dev.chorus.signaling.project.Room;
import dev.chorus.signaling.project.Scope;
import dev.chorus.signaling.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Verifies join tokens in the order TOKENS.md fixes (each step refuses with its {@link RefusalReason} before the
 * next runs): size and strict parsing → {@code typ} → exact {@code kid} lookup → algorithm pinned by the key →
 * signature → claims → key state, jti deny-list, subject watermark, room state. Pure: reads the store, writes
 * nothing (auditing and metrics are {@link JoinAdmission}'s job).
 */
public final class JoinTokenVerifier {
    public static final String TYPE = "chorus-join+jwt";
    public static final Duration MAX_LEEWAY = Duration.ofSeconds(60);
    /** jti: 16–128 characters of a URL-safe alphabet (22 base64url characters carry 128 bits; UUIDs fit too). */
    static final Pattern JTI = Pattern.compile("[A-Za-z0-9_.:-]{16,128}");

    private final Store store;
    /** The hot reads (key, project, deny-list, watermark, room): pass-through until a cluster node follows its bus. */
    private final VerificationCache reads;
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
        this.reads = new VerificationCache(store);
        this.audience = audience;
        this.clock = clock;
        this.leeway = leeway;
    }

    /** The node's cache of the hot reads (a cluster node makes it follow its bus: docs/cluster.md). */
    public VerificationCache cache() {
        return reads;
    }

    /**
     * @param token the compact JWT exactly as received
     * @param room  the room the client asks to join; must equal the token's {@code room} claim exactly
     * @throws TokenRefusedException with the reason of the first failed check
     */
    public JoinGrant verify(String token, String room) {
        ParsedJwt jwt = StrictJwtParser.parse(token);
        ProjectKey key = SignedJwtCheck.verify(reads::key, jwt, TYPE);
        String subject = jwt.payload().path("sub").textValue();
        try {
            Project project = reads.project(key.projectId())
                    .orElseThrow(() -> new TokenRefusedException(RefusalReason.UNKNOWN_KID));
            JoinGrant grant = checkClaims(jwt.payload(), key, project, room);
            checkLiveState(grant, key, project);
            return grant;
        } catch (TokenRefusedException e) {
            throw e.withContext(key.projectId(), key.kid(), Identifiers.isSubject(subject) ? subject : null);
        }
    }

    private JoinGrant checkClaims(ObjectNode c, ProjectKey key, Project project, String room) {
        long now = clock.instant().getEpochSecond();
        long skew = leeway.toSeconds();
        long exp = Claims.seconds(c, "exp");
        long iat = Claims.seconds(c, "iat");
        Long nbf = Claims.optionalSeconds(c, "nbf");
        if (now >= exp + skew) {
            throw new TokenRefusedException(RefusalReason.EXPIRED);
        }
        if (iat > now + skew || (nbf != null && nbf > now + skew)) {
            throw new TokenRefusedException(RefusalReason.NOT_YET_VALID);
        }
        if (exp <= iat) {
            throw new TokenRefusedException(RefusalReason.INVALID_CLAIM);
        }
        if (exp - iat > project.maxTokenTtl().toSeconds()) {
            throw new TokenRefusedException(RefusalReason.TTL_TOO_LONG);
        }
        JsonNode aud = c.get("aud");
        if (aud == null || aud.isNull()) {
            throw new TokenRefusedException(RefusalReason.MISSING_CLAIM);
        }
        if (!aud.isTextual() || !audience.equals(aud.textValue())) {
            throw new TokenRefusedException(RefusalReason.BAD_AUDIENCE);
        }
        JsonNode iss = c.get("iss");
        if (iss == null || iss.isNull()) {
            throw new TokenRefusedException(RefusalReason.MISSING_CLAIM);
        }
        if (!iss.isTextual() || !key.projectId().equals(iss.textValue())) {
            throw new TokenRefusedException(RefusalReason.BAD_ISSUER);
        }
        String tokenRoom = Claims.text(c, "room");
        // the canonical form the mint API enforces (NFC; no controls, bidi overrides, zero-width or line
        // separators): a backend-signed token cannot bring in a room id the issuer would refuse
        if (!Identifiers.isRoomId(tokenRoom)) {
            throw new TokenRefusedException(RefusalReason.INVALID_CLAIM);
        }
        if (!tokenRoom.equals(room)) {
            throw new TokenRefusedException(RefusalReason.WRONG_ROOM);
        }
        String sub = Claims.text(c, "sub");
        String jti = Claims.text(c, "jti");
        if (!Identifiers.isSubject(sub) || !JTI.matcher(jti).matches()) {
            throw new TokenRefusedException(RefusalReason.INVALID_CLAIM);
        }
        Set<Scope> explicit = GrantClaims.scopes(Objects.requireNonNullElse(Claims.optionalText(c, "scope"), ""));
        Set<Scope> rights = GrantClaims.effectiveRights(project, explicit, Claims.optionalText(c, "role"));
        return new JoinGrant(project.id(), tokenRoom, sub, jti, key.kid(), Instant.ofEpochSecond(iat),
                Instant.ofEpochSecond(exp), rights, GrantClaims.groups(c.get("grp")),
                GrantClaims.policy(c.get("policy")), GrantClaims.meta(c.get("meta")),
                AccessConditions.parse(c.get("cond")), GrantClaims.name(c.get("name")),
                GrantClaims.p2p(c.get("p2p")));
    }

    private void checkLiveState(JoinGrant grant, ProjectKey key, Project project) {
        if (!key.state().canVerify()) {
            throw new TokenRefusedException(RefusalReason.KEY_REVOKED);
        }
        if (reads.isTokenRevoked(project.id(), grant.jti())) {
            throw new TokenRefusedException(RefusalReason.TOKEN_REVOKED);
        }
        Optional<Instant> watermark = reads.subjectWatermark(project.id(), grant.identity());
        if (watermark.isPresent() && !grant.issuedAt().isAfter(watermark.get())) {
            throw new TokenRefusedException(RefusalReason.SUBJECT_REVOKED);
        }
        Optional<Room> r = reads.room(project.id(), grant.roomId());
        if (r.isEmpty() && !project.autoCreateRooms()) {
            throw new TokenRefusedException(RefusalReason.UNKNOWN_ROOM);
        }
        if (r.isEmpty() && store.countOpenRooms(project.id()) >= project.maxRooms()) {
            throw new TokenRefusedException(RefusalReason.ROOM_LIMIT);
        }
        if (r.isPresent() && !r.get().isOpen()) {
            throw new TokenRefusedException(RefusalReason.ROOM_CLOSED);
        }
    }
}
