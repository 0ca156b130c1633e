package dev.chorus.signaling.auth;

import static dev.chorus.signaling.testing.ControlFixture.AUDIENCE;
import static dev.chorus.signaling.testing.ControlFixture.PROJECT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.KeyState;
import dev.chorus.signaling.testing.ControlFixture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SECURITY-CHECKLIST 24 at the service level: missing or wrong backend credentials → 401, repeated failures from
 * one source → 429, every refusal audited without the credential.
 */
class BackendAuthenticatorTest {
    private static final String SOURCE = "198.51.100.9";
    private final ControlFixture f = new ControlFixture();
    private final AuthFailureLimiter limiter = new AuthFailureLimiter(3, Duration.ofMinutes(1), 100, f.clock);
    private final BackendAuthenticator auth = new BackendAuthenticator(f.store, AUDIENCE, f.clock, limiter, f.audit,
            f.metrics);

    @AfterEach
    void close() {
        f.close();
    }

    private static String basic(String kid, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((kid + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    private void assertRefused(String header, String source, RefusalReason reason, int status) {
        int before = f.auditLines().size();
        assertThatThrownBy(() -> auth.authenticate(header, source))
                .isInstanceOfSatisfying(BackendAuthException.class, e -> {
                    assertThat(e.reason()).isEqualTo(reason);
                    assertThat(e.httpStatus()).isEqualTo(status);
                    assertThat(e.getMessage()).doesNotContain(reason.code());
                });
        List<String> lines = f.auditLines();
        assertThat(lines).hasSize(before + 1);
        assertThat(lines.getLast()).contains("\"action\":\"backend.auth\"", "\"outcome\":\"refused\"",
                "\"reason\":\"" + reason.code() + "\"");
        assertThat(lines.getLast()).doesNotContain(f.hsSecret);
        if (header != null && header.length() > 16) {
            assertThat(lines.getLast()).doesNotContain(header.substring(7));
        }
    }

    @Test
    void validApiKeyAuthenticatesAsItsProject() {
        BackendPrincipal p = auth.authenticate(basic(f.hsKid, f.hsSecret), SOURCE);
        // with the API scopes its key holds (the fixture's keys hold all of them)
        assertThat(p).isEqualTo(new BackendPrincipal(PROJECT, f.hsKid, KeyAlgorithm.HS256,
                BackendPrincipal.Method.API_KEY, dev.chorus.signaling.project.ApiScope.all()));
    }

    @Test
    void validBackendJwtSignedByAProjectKeyAuthenticates() {
        String jwt = BackendTokenMinter.backendToken(f.es.getPrivate(), f.esKid, PROJECT, AUDIENCE,
                Duration.ofMinutes(2));
        // BackendTokenMinter uses the wall clock; align the fixture clock with it
        f.clock.set(java.time.Instant.now());
        BackendPrincipal p = auth.authenticate("Bearer " + jwt, SOURCE);
        assertThat(p.projectId()).isEqualTo(PROJECT);
        assertThat(p.method()).isEqualTo(BackendPrincipal.Method.BACKEND_JWT);
    }

    @Test
    void case24_missingOrMalformedCredentialsAre401AndAudited() {
        assertRefused(null, SOURCE, RefusalReason.MISSING_CREDENTIALS, 401);
        assertRefused("", "198.51.100.10", RefusalReason.MISSING_CREDENTIALS, 401);
        assertRefused("Digest abc", "198.51.100.11", RefusalReason.MISSING_CREDENTIALS, 401);
        assertRefused("Basic !!!", "198.51.100.12", RefusalReason.MALFORMED, 401);
        assertRefused("Basic " + Base64.getEncoder().encodeToString("nocolon".getBytes()), "198.51.100.13",
                RefusalReason.MALFORMED, 401);
        assertRefused("Bearer not.a.jwt", "198.51.100.14", RefusalReason.MALFORMED, 401);
    }

    @Test
    void case24_wrongSecretUnknownKeyOrNonHmacKeyAre401() {
        assertRefused(basic(f.hsKid, f.hsSecret + "x"), "198.51.100.20", RefusalReason.BAD_CREDENTIALS, 401);
        assertRefused(basic(f.hsKid, ""), "198.51.100.21", RefusalReason.BAD_CREDENTIALS, 401);
        assertRefused(basic("k_unknown", f.hsSecret), "198.51.100.22", RefusalReason.BAD_CREDENTIALS, 401);
        assertRefused(basic("../etc/passwd", f.hsSecret), "198.51.100.23", RefusalReason.BAD_CREDENTIALS, 401);
        // another project's secret with this project's key id
        assertRefused(basic(f.hsKid, f.otherHsSecret), "198.51.100.24", RefusalReason.BAD_CREDENTIALS, 401);
        // an ES256 key has no secret: its public key bytes are not a password
        assertRefused(basic(f.esKid, new String(f.es.getPublic().getEncoded(), StandardCharsets.ISO_8859_1)),
                "198.51.100.25", RefusalReason.BAD_CREDENTIALS, 401);
    }

    @Test
    void case24_revokedKeysAreRefusedRetiringKeysStillAuthenticate() {
        f.store.updateKeyState(f.hsKid, KeyState.RETIRING, f.clock.instant());
        assertThat(auth.authenticate(basic(f.hsKid, f.hsSecret), SOURCE).kid()).isEqualTo(f.hsKid);
        f.store.updateKeyState(f.hsKid, KeyState.REVOKED, f.clock.instant());
        assertRefused(basic(f.hsKid, f.hsSecret), SOURCE, RefusalReason.KEY_REVOKED, 401);
    }

    @Test
    void case24_badBackendJwtsAre401() {
        f.clock.set(java.time.Instant.now());
        String joinToken = BackendTokenMinter.joinToken(f.es.getPrivate(), f.esKid, PROJECT, AUDIENCE, "room-a",
                "u1", "room:join", Duration.ofMinutes(1));
        assertRefused("Bearer " + joinToken, "198.51.100.30", RefusalReason.BAD_TYPE, 401);
        String longLived = BackendTokenMinter.backendToken(f.es.getPrivate(), f.esKid, PROJECT, AUDIENCE,
                Duration.ofHours(1));
        assertRefused("Bearer " + longLived, "198.51.100.31", RefusalReason.TTL_TOO_LONG, 401);
        String wrongAud = BackendTokenMinter.backendToken(f.es.getPrivate(), f.esKid, PROJECT, "elsewhere",
                Duration.ofMinutes(1));
        assertRefused("Bearer " + wrongAud, "198.51.100.32", RefusalReason.BAD_AUDIENCE, 401);
        String wrongIss = BackendTokenMinter.backendToken(f.es.getPrivate(), f.esKid, "globex", AUDIENCE,
                Duration.ofMinutes(1));
        assertRefused("Bearer " + wrongIss, "198.51.100.33", RefusalReason.BAD_ISSUER, 401);
        String forged = BackendTokenMinter.backendToken(f.other.getPrivate(), f.esKid, PROJECT, AUDIENCE,
                Duration.ofMinutes(1));
        assertRefused("Bearer " + forged, "198.51.100.34", RefusalReason.BAD_SIGNATURE, 401);
        String none = ControlFixture.b64("{\"alg\":\"none\",\"typ\":\"chorus-backend+jwt\",\"kid\":\"" + f.esKid
                + "\"}") + "." + ControlFixture.b64("{\"iss\":\"acme\"}") + ".";
        assertRefused("Bearer " + none, "198.51.100.35", RefusalReason.ALG_MISMATCH, 401);
        f.clock.advance(Duration.ofMinutes(3));
        String expired = BackendTokenMinter.backendToken(f.es.getPrivate(), f.esKid, PROJECT, AUDIENCE,
                Duration.ofSeconds(10));
        assertRefused("Bearer " + expired, "198.51.100.36", RefusalReason.EXPIRED, 401);
    }

    @Test
    void case24_repeatedFailuresFromOneSourceAre429WithoutCheckingAndOtherSourcesAreUnaffected() {
        for (int i = 0; i < 3; i++) {
            assertRefused(basic(f.hsKid, "guess-" + i), SOURCE, RefusalReason.BAD_CREDENTIALS, 401);
        }
        f.counting.reset();
        // even the right secret is not checked while throttled
        assertRefused(basic(f.hsKid, f.hsSecret), SOURCE, RefusalReason.THROTTLED, 429);
        assertThat(f.counting.calls("key")).isZero();
        // later 429s in the same window are counted, not audited again (a flood must not become fsync'ed lines)
        int lines = f.auditLines().size();
        for (int i = 0; i < 50; i++) {
            assertThatThrownBy(() -> auth.authenticate(basic(f.hsKid, f.hsSecret), SOURCE))
                    .isInstanceOfSatisfying(BackendAuthException.class, e -> assertThat(e.httpStatus()).isEqualTo(429));
        }
        assertThat(f.auditLines()).hasSize(lines);
        assertThat(f.counter("chorus.backend.auth.failures", "throttled")).isEqualTo(51);
        assertThat(auth.authenticate(basic(f.hsKid, f.hsSecret), "198.51.100.99").projectId()).isEqualTo(PROJECT);
        f.clock.advance(Duration.ofMinutes(1));
        assertThat(auth.authenticate(basic(f.hsKid, f.hsSecret), SOURCE).projectId()).isEqualTo(PROJECT);
        assertThat(f.counter("chorus.backend.auth.failures", "bad_credentials")).isEqualTo(3);
    }
}
