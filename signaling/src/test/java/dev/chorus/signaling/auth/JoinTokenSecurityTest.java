package dev.chorus.signaling.auth;

import static dev.chorus.signaling.auth.JoinRefusalAssertions.assertRefused;
import static dev.chorus.signaling.testing.ControlFixture.ROOM;
import static dev.chorus.signaling.testing.ControlFixture.b64;
import static dev.chorus.signaling.testing.ControlFixture.header;
import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.signaling.project.KeyState;
import dev.chorus.signaling.project.Project;
import dev.chorus.signaling.project.Scope;
import dev.chorus.signaling.testing.ControlFixture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SECURITY-CHECKLIST cases 1–13: every bad join token is refused with its reason, creates no state, and writes
 * exactly one audit event that does not contain the token. Each case covers its class, not only the example.
 */
class JoinTokenSecurityTest {
    private final ControlFixture f = new ControlFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private void refused(String token, RefusalReason reason) {
        assertRefused(f, token, ROOM, reason);
    }

    private String signed(ObjectNode header, ObjectNode claims, Algorithm alg) {
        return JwtWriter.sign(header, claims, alg);
    }

    /** Header and payload as given, with an arbitrary signature part (for tokens that must fail before crypto). */
    private static String raw(String headerJson, String payloadJson, String signature) {
        return b64(headerJson) + "." + b64(payloadJson) + "." + signature;
    }

    private String claimsJson() {
        return f.claims().toString();
    }

    // ---- the baseline: the fixture's tokens are accepted, so every refusal below is caused by the one change

    @Test
    void validTokensOfEveryPinnedAlgorithmAreAdmittedWithOneAuditEvent() {
        for (String token : new String[] {f.es256(f.claims()), f.hs256(f.claims()), f.eddsa(f.claims())}) {
            int before = f.auditLines().size();
            JoinGrant g = f.admission.admit(token, ROOM, "198.51.100.1");
            assertThat(g.projectId()).isEqualTo(ControlFixture.PROJECT);
            assertThat(g.rights()).containsExactlyInAnyOrder(Scope.ROOM_JOIN, Scope.SUBSCRIBE, Scope.PUBLISH_AUDIO);
            assertThat(f.auditLines()).hasSize(before + 1);
            assertThat(f.auditLines().getLast()).contains("\"outcome\":\"success\"").doesNotContain(token)
                    .doesNotContain("user-7f3a9c");
        }
        assertThat(f.counter("chorus.joins.admitted", null)).isEqualTo(3);
    }

    // ---- 1. alg none, in any spelling

    @ParameterizedTest
    @ValueSource(strings = {"none", "None", "NONE", "nOnE", "", " none"})
    void case01_algNoneInAnySpellingIsRefused(String alg) {
        String unsigned = raw("{\"alg\":\"" + alg + "\",\"typ\":\"chorus-join+jwt\",\"kid\":\"" + f.esKid + "\"}",
                claimsJson(), "");
        refused(unsigned, RefusalReason.ALG_MISMATCH);
        String withJunkSignature = raw("{\"alg\":\"" + alg + "\",\"typ\":\"chorus-join+jwt\",\"kid\":\""
                + f.hsKid + "\"}", claimsJson(), b64("x".repeat(32)));
        refused(withJunkSignature, RefusalReason.ALG_MISMATCH);
    }

    @Test
    void case01_missingAlgIsRefused() {
        refused(raw("{\"typ\":\"chorus-join+jwt\",\"kid\":\"" + f.esKid + "\"}", claimsJson(), ""),
                RefusalReason.ALG_MISMATCH);
    }

    @Test
    void case01_javaJwtNoneAlgorithmOnAnHs256KeyIsRefused() {
        refused(signed(header("none", f.hsKid), f.claims(), Algorithm.none()), RefusalReason.ALG_MISMATCH);
    }

    // ---- 2. algorithm confusion: HS256 keyed with the public key

    @Test
    void case02_hs256SignedWithTheEs256PublicKeyIsRefused() {
        byte[] pem = dev.chorus.signaling.auth.KeyMaterial.publicKeyPem(f.es.getPublic())
                .getBytes(StandardCharsets.US_ASCII);
        byte[] der = f.es.getPublic().getEncoded();
        for (byte[] hmacKey : new byte[][] {pem, der}) {
            refused(signed(header("HS256", f.esKid), f.claims(), Algorithm.HMAC256(hmacKey)),
                    RefusalReason.ALG_MISMATCH);
        }
    }

    @Test
    void case02_hs256SignedWithTheEd25519PublicKeyIsRefused() {
        refused(signed(header("HS256", f.edKid), f.claims(), Algorithm.HMAC256(f.ed.getPublic().getEncoded())),
                RefusalReason.ALG_MISMATCH);
    }

    // ---- 3. header alg different from the key's pinned algorithm

    @ParameterizedTest
    @ValueSource(strings = {"HS256", "HS384", "HS512", "RS256", "PS256", "ES384", "ES512", "EdDSA", "es256", "ES256 "})
    void case03_anyAlgOtherThanThePinnedOneIsRefusedForAnEs256Key(String alg) {
        refused(raw("{\"alg\":\"" + alg + "\",\"typ\":\"chorus-join+jwt\",\"kid\":\"" + f.esKid + "\"}",
                claimsJson(), b64(new byte[64])), RefusalReason.ALG_MISMATCH);
    }

    @Test
    void case03_correctlySignedButMislabelledTokensAreRefused() {
        // signed with the key's real algorithm, header claims another one
        refused(signed(header("EdDSA", f.esKid), f.claims(), f.esSigner()), RefusalReason.ALG_MISMATCH);
        refused(signed(header("ES256", f.hsKid), f.claims(), f.hsSigner()), RefusalReason.ALG_MISMATCH);
        refused(signed(header("ES256", f.edKid), f.claims(), Ed25519Algorithm.signing(f.ed.getPrivate())),
                RefusalReason.ALG_MISMATCH);
    }

    @Test
    void case03_tokenSignedByAnotherKeyOfTheSameAlgorithmFailsTheSignature() {
        // right alg, right kid, wrong key (another project's ES256 key)
        refused(signed(header("ES256", f.esKid), f.claims(),
                Algorithm.ECDSA256((java.security.interfaces.ECPublicKey) f.other.getPublic(),
                        (java.security.interfaces.ECPrivateKey) f.other.getPrivate())), RefusalReason.BAD_SIGNATURE);
        // flipped signature bit
        String t = f.es256(f.claims());
        char last = t.charAt(t.length() - 2);
        String tampered = t.substring(0, t.length() - 2) + (last == 'A' ? 'B' : 'A') + t.charAt(t.length() - 1);
        refused(tampered, RefusalReason.BAD_SIGNATURE);
        // payload changed after signing (escalate scope)
        String[] parts = f.hs256(f.claims()).split("\\.");
        ObjectNode escalated = f.claims().put("scope", "room:join media:publish:screen");
        refused(parts[0] + "." + b64(escalated.toString()) + "." + parts[2], RefusalReason.BAD_SIGNATURE);
    }

    // ---- 4. kid: unknown, or with path / SQL / control characters, or huge: refused before any lookup

    @Test
    void case04_unknownWellFormedKidIsRefusedAfterExactlyOneLookup() {
        String token = signed(header("ES256", "k_doesNotExist0000000000"), f.claims(), f.esSigner());
        refused(token, RefusalReason.UNKNOWN_KID);
        // assertRefused resets the counter before admitting: one exact lookup by primary key, nothing else
        assertThat(f.counting.calls("key")).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../../../../etc/passwd", "..%2f..%2fetc%2fpasswd", "/etc/passwd", "file:///etc/passwd",
            "https://127.0.0.1/key", "' OR 1=1 --", "k\"; DROP TABLE keys; --", "k\u0000x", "k\r\nx", "k\tx",
            "k x", "k_\u00e9", "k_\u202e", "*", "%", "k_*"})
    void case04_kidWithPathSqlOrControlCharactersIsRefusedWithoutLookup(String kid) {
        String header = f.claims().objectNode().put("alg", "ES256").put("typ", "chorus-join+jwt").put("kid", kid)
                .toString();
        refused(b64(header) + "." + b64(claimsJson()) + "." + b64(new byte[64]), RefusalReason.UNKNOWN_KID);
        assertThat(f.counting.calls("key")).as("no store lookup for an invalid kid").isZero();
    }

    @Test
    void case04_overlongKidsAreRefusedWithoutLookup() {
        for (int len : new int[] {65, 1000, 5000}) {
            String token = signed(header("ES256", "k".repeat(len)), f.claims(), f.esSigner());
            refused(token, RefusalReason.UNKNOWN_KID);
            assertThat(f.counting.calls("key")).isZero();
        }
        // 10 KB kid: the token is over the size limit, refused before it is even split
        refused(signed(header("ES256", "k".repeat(10 * 1024)), f.claims(), f.esSigner()), RefusalReason.TOO_LARGE);
        assertThat(f.counting.calls("key")).isZero();
    }

    @Test
    void case04_missingOrNonStringKidIsRefused() {
        refused(raw("{\"alg\":\"ES256\",\"typ\":\"chorus-join+jwt\"}", claimsJson(), b64(new byte[64])),
                RefusalReason.UNKNOWN_KID);
        refused(raw("{\"alg\":\"ES256\",\"typ\":\"chorus-join+jwt\",\"kid\":7}", claimsJson(), b64(new byte[64])),
                RefusalReason.MALFORMED);
        refused(raw("{\"alg\":\"ES256\",\"typ\":\"chorus-join+jwt\",\"kid\":[\"" + f.esKid + "\"]}", claimsJson(),
                b64(new byte[64])), RefusalReason.MALFORMED);
        assertThat(f.counting.calls("key")).isZero();
    }

    // ---- 5. key-carrying or key-locating headers, crit: refused, nothing fetched

    @ParameterizedTest
    @ValueSource(strings = {"jku", "x5u", "jwk", "x5c", "crit", "x5t", "x5t#S256", "cty", "b64", "zip", "enc"})
    void case05_keyLocatingEmbeddingOrCriticalHeadersAreRefusedWithoutOutboundRequest(String name)
            throws IOException {
        try (ServerSocket trap = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String url = "http://127.0.0.1:" + trap.getLocalPort() + "/keys.json";
            ObjectNode h = header("ES256", f.esKid);
            switch (name) {
                case "jwk" -> h.putObject("jwk").put("kty", "oct").put("k", b64("attacker".getBytes()));
                case "x5c" -> h.putArray("x5c").add(b64(new byte[40]));
                case "crit" -> h.putArray("crit").add("exp");
                case "b64" -> h.put("b64", false);
                default -> h.put(name, url);
            }
            refused(signed(h, f.claims(), f.esSigner()), RefusalReason.FORBIDDEN_HEADER);
            assertThat(f.counting.calls("key")).as("refused before the key lookup").isZero();
            trap.setSoTimeout(200);
            try {
                trap.accept().close();
                throw new AssertionError("the verifier connected to the URL in the token");
            } catch (SocketTimeoutException expected) {
                // nothing connected
            }
        }
    }

    // ---- 6. time claims

    @Test
    void case06_missingExpIsRefused() {
        ObjectNode c = f.claims();
        c.remove("exp");
        refused(f.es256(c), RefusalReason.MISSING_CLAIM);
        ObjectNode noIat = f.claims();
        noIat.remove("iat");
        refused(f.es256(noIat), RefusalReason.MISSING_CLAIM);
    }

    @Test
    void case06_expiredBeyondLeewayIsRefusedButWithinLeewayAccepted() {
        long now = f.clock.instant().getEpochSecond();
        refused(f.es256(f.claims().put("iat", now - 600).put("nbf", now - 600).put("exp", now - 31)),
                RefusalReason.EXPIRED);
        refused(f.es256(f.claims().put("iat", now - 600).put("nbf", now - 600).put("exp", now - 30)),
                RefusalReason.EXPIRED);
        JoinGrant g = f.verifier.verify(f.es256(f.claims().put("iat", now - 600).put("nbf", now - 600)
                .put("exp", now - 29)), ROOM);
        assertThat(g.expiresAt().getEpochSecond()).isEqualTo(now - 29);
    }

    @Test
    void case06_tokenExpiresAsTheClockMoves() {
        String token = f.es256(f.claims());
        assertThat(f.verifier.verify(token, ROOM)).isNotNull();
        f.clock.advance(Duration.ofSeconds(600 + 30));
        refused(token, RefusalReason.EXPIRED);
    }

    @Test
    void case06_nbfOrIatInTheFutureBeyondLeewayIsRefused() {
        long now = f.clock.instant().getEpochSecond();
        refused(f.es256(f.claims().put("nbf", now + 31)), RefusalReason.NOT_YET_VALID);
        refused(f.es256(f.claims().put("iat", now + 31).put("nbf", now)), RefusalReason.NOT_YET_VALID);
        assertThat(f.verifier.verify(f.es256(f.claims().put("iat", now + 30).put("nbf", now + 30)), ROOM))
                .isNotNull();
    }

    @Test
    void case06_lifetimeAboveTheProjectMaximumIsRefused() {
        long now = f.clock.instant().getEpochSecond();
        refused(f.es256(f.claims().put("exp", now + 3600 + 1)), RefusalReason.TTL_TOO_LONG);
        refused(f.es256(f.claims().put("iat", now - 3000).put("exp", now + 1000)), RefusalReason.TTL_TOO_LONG);
        assertThat(f.verifier.verify(f.es256(f.claims().put("exp", now + 3600)), ROOM)).isNotNull();
        // a stricter project limit applies at once
        f.store.updateProject(f.store.project(ControlFixture.PROJECT).orElseThrow()
                .withMaxTokenTtl(Duration.ofMinutes(5)));
        refused(f.es256(f.claims()), RefusalReason.TTL_TOO_LONG);
    }

    @Test
    void case06_timeClaimsOfTheWrongTypeAreRefused() {
        long now = f.clock.instant().getEpochSecond();
        refused(f.es256(f.claims().put("exp", Long.toString(now + 60))), RefusalReason.INVALID_CLAIM);
        refused(f.es256(f.claims().put("exp", now + 60.5)), RefusalReason.INVALID_CLAIM);
        refused(f.es256(f.claims().put("exp", -1)), RefusalReason.INVALID_CLAIM);
        refused(f.es256(f.claims().put("exp", Long.MAX_VALUE)), RefusalReason.INVALID_CLAIM);
        refused(f.es256(f.claims().put("exp", now - 1).put("iat", now)), RefusalReason.INVALID_CLAIM);
    }

    // ---- 7. audience and issuer

    @Test
    void case07_missingOrWrongAudienceIsRefused() {
        ObjectNode c = f.claims();
        c.remove("aud");
        refused(f.es256(c), RefusalReason.MISSING_CLAIM);
        refused(f.es256(f.claims().put("aud", "chorus-prod")), RefusalReason.BAD_AUDIENCE);
        refused(f.es256(f.claims().put("aud", "CHORUS-TEST")), RefusalReason.BAD_AUDIENCE);
        refused(f.es256(f.claims().put("aud", "chorus-test ")), RefusalReason.BAD_AUDIENCE);
        ObjectNode arr = f.claims();
        arr.putArray("aud").add(ControlFixture.AUDIENCE);
        refused(f.es256(arr), RefusalReason.BAD_AUDIENCE);
    }

    @Test
    void case07_issuerMustBeTheProjectOfTheKid() {
        refused(f.es256(f.claims().put("iss", ControlFixture.OTHER_PROJECT)), RefusalReason.BAD_ISSUER);
        refused(f.es256(f.claims().put("iss", "ACME")), RefusalReason.BAD_ISSUER);
        ObjectNode c = f.claims();
        c.remove("iss");
        refused(f.es256(c), RefusalReason.MISSING_CLAIM);
        // another project's key cannot sign for this project: its kid's project is globex
        ObjectNode h = header("ES256", f.otherKid);
        refused(JwtWriter.sign(h, f.claims(), Algorithm.ECDSA256(
                (java.security.interfaces.ECPublicKey) f.other.getPublic(),
                (java.security.interfaces.ECPrivateKey) f.other.getPrivate())), RefusalReason.BAD_ISSUER);
    }

    // ---- 8. revoked key

    @Test
    void case08_tokenSignedByARevokedKeyIsRefusedAndARetiringKeyStillVerifies() {
        String es = f.es256(f.claims());
        f.store.updateKeyState(f.esKid, KeyState.RETIRING, f.clock.instant());
        assertThat(f.verifier.verify(es, ROOM)).isNotNull();
        f.store.updateKeyState(f.esKid, KeyState.REVOKED, f.clock.instant());
        refused(es, RefusalReason.KEY_REVOKED);
        f.store.updateKeyState(f.hsKid, KeyState.REVOKED, f.clock.instant());
        refused(f.hs256(f.claims()), RefusalReason.KEY_REVOKED);
    }

    // ---- 9. revoked jti, subject watermark

    @Test
    void case09_revokedJtiIsRefusedOtherTokensOfTheSubjectStillWork() {
        ObjectNode c = f.claims();
        String token = f.es256(c);
        f.store.revokeToken(ControlFixture.PROJECT, c.get("jti").textValue(), f.clock.instant().plusSeconds(3600));
        refused(token, RefusalReason.TOKEN_REVOKED);
        assertThat(f.verifier.verify(f.es256(f.claims()), ROOM)).isNotNull();
    }

    @Test
    void case09_tokenIssuedBeforeTheSubjectWatermarkIsRefused() {
        String old = f.es256(f.claims());
        f.clock.advance(Duration.ofMillis(400));
        f.store.revokeSubject(ControlFixture.PROJECT, "user-7f3a9c", f.clock.instant());
        refused(old, RefusalReason.SUBJECT_REVOKED);
        // same second as the revocation: still refused (conservative); next second: accepted
        refused(f.es256(f.claims()), RefusalReason.SUBJECT_REVOKED);
        f.clock.advance(Duration.ofSeconds(1));
        assertThat(f.verifier.verify(f.es256(f.claims()), ROOM)).isNotNull();
        // another subject is unaffected
        assertThat(f.verifier.verify(f.es256(f.claims().put("sub", "user-other")), ROOM)).isNotNull();
    }

    @Test
    void case09_revocationsInAnotherProjectDoNotApply() {
        ObjectNode c = f.claims();
        f.store.revokeToken(ControlFixture.OTHER_PROJECT, c.get("jti").textValue(), f.clock.instant().plusSeconds(60));
        f.store.revokeSubject(ControlFixture.OTHER_PROJECT, "user-7f3a9c", f.clock.instant().plusSeconds(60));
        assertThat(f.verifier.verify(f.es256(c), ROOM)).isNotNull();
    }

    // ---- 10. room binding

    @Test
    void case10_tokenForRoomAUsedForRoomBIsRefused() {
        String token = f.es256(f.claims());
        for (String other : new String[] {"room-b", "Room-a", "ROOM-A", "room-a ", " room-a", "room-a\u0000",
                "room-\u0430", "room-*", "*", "", "room-a/../room-b"}) {
            assertRefused(f, token, other, RefusalReason.WRONG_ROOM);
        }
    }

    @Test
    void case10_roomClaimMustBeAnExactStringNotAWildcardOrList() {
        refused(f.es256(f.claims().put("room", "*")), RefusalReason.WRONG_ROOM);
        ObjectNode list = f.claims();
        list.putArray("room").add(ROOM);
        refused(f.es256(list), RefusalReason.INVALID_CLAIM);
        ObjectNode missing = f.claims();
        missing.remove("room");
        refused(f.es256(missing), RefusalReason.MISSING_CLAIM);
    }

    @Test
    void case10_closedOrUnknownRoomsAreRefused() {
        assertRefused(f, f.es256(f.claims().put("room", "room-closed")), "room-closed", RefusalReason.ROOM_CLOSED);
        assertRefused(f, f.es256(f.claims().put("room", "room-new")), "room-new", RefusalReason.UNKNOWN_ROOM);
    }

    // ---- 11. scopes

    @ParameterizedTest
    @ValueSource(strings = {"room:join admin", "room:join room:*", "room:join ROOM:JOIN", "room:join media:publish",
            "room:join media:publish:*", "room:join media:publish:audio:hd", "room:join turn:relay", "room:join *"})
    void case11_unknownScopesAreRefused(String scope) {
        refused(f.es256(f.claims().put("scope", scope)), RefusalReason.UNKNOWN_SCOPE);
    }

    @Test
    void case11_scopesBeyondTheProjectCeilingAreRefused() {
        refused(f.es256(f.claims().put("scope", "room:join room:admin")), RefusalReason.SCOPE_NOT_ALLOWED);
        f.store.updateProject(f.store.project(ControlFixture.PROJECT).orElseThrow()
                .withScopeCeiling(EnumSet.of(Scope.ROOM_JOIN, Scope.SUBSCRIBE)));
        refused(f.es256(f.claims()), RefusalReason.SCOPE_NOT_ALLOWED);
    }

    @Test
    void case11_roleIsExpandedThenCappedByTheCeilingAndUnknownRolesRefused() {
        ObjectNode host = f.claims();
        host.remove("scope");
        host.put("role", "host");
        JoinGrant g = f.verifier.verify(f.es256(host), ROOM);
        assertThat(g.rights()).contains(Scope.PUBLISH_SCREEN).doesNotContain(Scope.ROOM_ADMIN);
        refused(f.es256(host.deepCopy().put("role", "superuser")), RefusalReason.UNKNOWN_ROLE);
    }

    @Test
    void case11_malformedScopeStringsAndTokensWithoutRoomJoinAreRefused() {
        refused(f.es256(f.claims().put("scope", "room:join  media:subscribe")), RefusalReason.INVALID_CLAIM);
        refused(f.es256(f.claims().put("scope", " room:join")), RefusalReason.INVALID_CLAIM);
        refused(f.es256(f.claims().put("scope", "media:subscribe")), RefusalReason.NO_JOIN_SCOPE);
        ObjectNode none = f.claims();
        none.remove("scope");
        refused(f.es256(none), RefusalReason.MISSING_CLAIM);
    }

    // ---- 12. malformed encodings, sizes, nesting

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "a.b", "a.b.c.d", "a..c", ".b.c", "a.b.c.", "eyJ=.eyJ.c",
            "abc", "not a token", "Bearer x.y.z"})
    void case12_structurallyMalformedTokensAreRefused(String token) {
        refused(token, RefusalReason.MALFORMED);
    }

    @Test
    void case12_nonCanonicalBase64urlIsRefused() {
        String good = f.es256(f.claims());
        String[] p = good.split("\\.");
        refused(p[0] + "=." + p[1] + "." + p[2], RefusalReason.MALFORMED);            // padding
        refused(p[0].replace('-', '+').replace('_', '/') + "x+/." + p[1] + "." + p[2], RefusalReason.MALFORMED);
        refused(p[0] + "." + p[1] + " ." + p[2], RefusalReason.MALFORMED);            // whitespace
        refused(p[0] + "." + p[1] + "\n." + p[2], RefusalReason.MALFORMED);
        refused(p[0] + "." + p[1] + "." + p[2] + "=", RefusalReason.MALFORMED);
        // "eyJ9" and "eyJ8"... : same bytes, non-zero unused bits ("Q" vs "R" at the end of a 2-char group)
        String header = p[0];
        refused(header + "." + p[1] + "." + p[2].substring(0, p[2].length() - 1) + "_", RefusalReason.MALFORMED);
    }

    @Test
    void case12_nonUtf8OrInvalidJsonIsRefused() {
        String h = b64("{\"alg\":\"ES256\",\"typ\":\"chorus-join+jwt\",\"kid\":\"" + f.esKid + "\"}");
        byte[][] payloads = {
                {(byte) 0x7b, (byte) 0xc3, (byte) 0x28, (byte) 0x7d},                 // invalid continuation
                {'{', '"', 's', '"', ':', '"', (byte) 0xc0, (byte) 0xaf, '"', '}'},    // overlong '/'
                {'{', '"', 's', '"', ':', '"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"', '}'}, // UTF-16 surrogate
                {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, '{', '}'},                     // BOM
                "[]".getBytes(), "\"str\"".getBytes(), "{".getBytes(), "{} {}".getBytes(), "{}x".getBytes(),
                "{'a':1}".getBytes(), "{\"a\":NaN}".getBytes(), "{\"a\":01}".getBytes(), "{/*c*/}".getBytes(),
                "null".getBytes()};
        for (byte[] payload : payloads) {
            refused(h + "." + b64(payload) + "." + b64(new byte[64]), RefusalReason.MALFORMED);
        }
    }

    @Test
    void case12_duplicateClaimsOrHeadersAreRefused() {
        String c = claimsJson();
        String dupRoom = c.substring(0, c.length() - 1) + ",\"room\":\"room-b\"}";
        String h = "{\"alg\":\"ES256\",\"typ\":\"chorus-join+jwt\",\"kid\":\"" + f.esKid + "\"}";
        refused(raw(h, dupRoom, b64(new byte[64])), RefusalReason.MALFORMED);
        String dupAlg = "{\"alg\":\"ES256\",\"alg\":\"none\",\"typ\":\"chorus-join+jwt\",\"kid\":\"" + f.esKid + "\"}";
        refused(raw(dupAlg, c, b64(new byte[64])), RefusalReason.MALFORMED);
    }

    @Test
    void case12_oversizedTokensAreRefusedBeforeDecoding() {
        for (int size : new int[] {8 * 1024 + 1, 10 * 1024, 10 * 1024 * 1024}) {
            String huge = "a".repeat(size / 2) + "." + "b".repeat(size / 2 - 2) + ".c";
            refused(huge, RefusalReason.TOO_LARGE);
        }
        ObjectNode big = f.claims();
        big.put("meta", "x".repeat(9000));
        refused(f.es256(big), RefusalReason.TOO_LARGE);
    }

    @Test
    void case12_deeplyNestedClaimsAreRefused() {
        String h = "{\"alg\":\"ES256\",\"typ\":\"chorus-join+jwt\",\"kid\":\"" + f.esKid + "\"}";
        for (int depth : new int[] {9, 100, 2500}) {
            String nested = "[".repeat(depth) + "]".repeat(depth);
            String c = claimsJson();
            String payload = c.substring(0, c.length() - 1) + ",\"meta\":" + nested + "}";
            String token = raw(h, payload, b64(new byte[64]));
            refused(token, token.length() > 8192 ? RefusalReason.TOO_LARGE : RefusalReason.MALFORMED);
        }
        // within the size limit but deep: refused by the parser's depth bound, not by a stack overflow
        String deepObj = "{\"a\":".repeat(900) + "1" + "}".repeat(900);
        refused(raw(h, deepObj, ""), RefusalReason.MALFORMED);
    }

    @Test
    void case12_oversizedMetaAndBadPolicyAreRefused() {
        ObjectNode c = f.claims();
        c.putObject("meta").put("n", "x".repeat(1100));
        refused(f.es256(c), RefusalReason.META_TOO_LARGE);
        ObjectNode p = f.claims();
        p.putObject("policy").put("maxTracks", 3).put("eval", "x");
        refused(f.es256(p), RefusalReason.INVALID_CLAIM);
        ObjectNode sel = f.claims();
        sel.putObject("policy").putObject("subscribe").putArray("allow").add("*");
        refused(f.es256(sel), RefusalReason.INVALID_CLAIM);
    }

    // ---- 13. token type

    @ParameterizedTest
    @ValueSource(strings = {"JWT", "jwt", "at+jwt", "chorus-backend+jwt", "CHORUS-JOIN+JWT", "chorus-join+jwt ",
            "application/chorus-join+jwt", ""})
    void case13_anotherTokenTypeIsRefused(String typ) {
        refused(signed(JwtWriter.header("ES256", f.esKid, typ), f.claims(), f.esSigner()), RefusalReason.BAD_TYPE);
    }

    @Test
    void case13_missingTypeAndABackendTokenUsedAsAJoinTokenAreRefused() {
        refused(raw("{\"alg\":\"ES256\",\"kid\":\"" + f.esKid + "\"}", claimsJson(), b64(new byte[64])),
                RefusalReason.BAD_TYPE);
        String backend = BackendTokenMinter.backendToken(f.es.getPrivate(), f.esKid, ControlFixture.PROJECT,
                ControlFixture.AUDIENCE, Duration.ofMinutes(1));
        refused(backend, RefusalReason.BAD_TYPE);
    }

    @Test
    void grantIsImmutableAndCarriesParsedPolicyGroupsAndMeta() {
        ObjectNode c = f.claims();
        c.putArray("grp").add("agents").add("tier:gold");
        ObjectNode policy = c.putObject("policy");
        policy.putObject("subscribe").putArray("allow").add("grp:agents");
        policy.put("maxTracks", 3).put("maxKbps", 2500);
        c.putObject("meta").put("displayName", "Ada");
        JoinGrant g = f.verifier.verify(f.es256(c), ROOM);
        assertThat(g.groups()).containsExactly("agents", "tier:gold");
        assertThat(g.policy().subscribeAllow()).containsExactly("grp:agents");
        assertThat(g.policy().maxTracks()).isEqualTo(3);
        assertThat(g.policy().maxKbps()).isEqualTo(2500);
        assertThat(g.meta()).isEqualTo("{\"displayName\":\"Ada\"}");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> g.rights().add(Scope.ROOM_ADMIN))
                .isInstanceOf(UnsupportedOperationException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> g.groups().add("x"))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void projectWithoutAutoCreateRefusesUnknownRoomWhileAutoCreateProjectCreatesTheRecordOnAdmission() {
        Project p = f.store.project(ControlFixture.PROJECT).orElseThrow();
        f.store.updateProject(p.withAutoCreateRooms(true));
        JoinGrant g = f.admission.admit(f.es256(f.claims().put("room", "room-new")), "room-new", "198.51.100.1");
        assertThat(g.roomId()).isEqualTo("room-new");
        assertThat(f.store.room(ControlFixture.PROJECT, "room-new")).isPresent();
    }

    @Test
    void autoCreatedRoomsStillRespectTheProjectRoomLimit() {
        Project p = f.store.project(ControlFixture.PROJECT).orElseThrow();
        f.store.updateProject(p.withAutoCreateRooms(true).withLimits(10, 2)); // room-a and room-b are open
        assertRefused(f, f.es256(f.claims().put("room", "room-new")), "room-new", RefusalReason.ROOM_LIMIT);
        // joining an existing room is unaffected by the limit
        assertThat(f.admission.admit(f.es256(f.claims()), ROOM, "198.51.100.1").roomId()).isEqualTo(ROOM);
    }
}
