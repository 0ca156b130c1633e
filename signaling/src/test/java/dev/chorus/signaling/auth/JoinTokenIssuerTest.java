package dev.chorus.signaling.auth;

import static dev.chorus.signaling.testing.ControlFixture.PROJECT;
import static dev.chorus.signaling.testing.ControlFixture.ROOM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.signaling.project.KeyAlgorithm;
import dev.chorus.signaling.project.Scope;
import dev.chorus.signaling.project.ServiceError;
import dev.chorus.signaling.project.ServiceException;
import dev.chorus.signaling.testing.ControlFixture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Minting for the HTTP API: what is signed, by which key, and what is refused (SECURITY-CHECKLIST 26). */
class JoinTokenIssuerTest {
    private final ControlFixture f = new ControlFixture();
    private final BackendPrincipal caller = f.acmeApi();

    @AfterEach
    void close() {
        f.close();
    }

    private static MintRequest req(Set<Scope> scopes, Duration ttl) {
        return MintRequest.of(ROOM, "user-42", scopes, ttl);
    }

    private ServiceError refusal(MintRequest r) {
        int before = f.auditLines().size();
        try {
            f.issuer.mint(caller, r, "ip");
        } catch (ServiceException e) {
            assertThat(f.auditLines()).hasSize(before + 1);
            assertThat(f.auditLines().getLast()).contains("\"action\":\"token.mint\"", "\"outcome\":\"refused\"",
                    "\"reason\":\"" + e.error().code() + "\"");
            return e.error();
        }
        throw new AssertionError("minted");
    }

    @Test
    void mintedTokenHasTheDocumentedHeaderAndClaimsAndIsAdmitted() throws Exception {
        ObjectNode meta = new ObjectMapper().createObjectNode().put("displayName", "Ada");
        MintRequest r = new MintRequest(ROOM, "user-42", Set.of(Scope.ROOM_JOIN, Scope.PUBLISH_AUDIO), null,
                List.of("agents"), PeerPolicy.of(List.of("grp:agents"), List.of(), 2, 800), meta,
                Duration.ofMinutes(10));
        MintedToken t = f.issuer.mint(caller, r, "ip");
        String[] parts = t.token().split("\\.");
        var mapper = new ObjectMapper();
        var header = mapper.readTree(Base64.getUrlDecoder().decode(parts[0]));
        var claims = mapper.readTree(Base64.getUrlDecoder().decode(parts[1]));
        assertThat(header.get("typ").asText()).isEqualTo("chorus-join+jwt");
        assertThat(header.get("alg").asText()).isEqualTo("HS256");
        assertThat(header.get("kid").asText()).isEqualTo(f.hsKid);
        assertThat(claims.get("iss").asText()).isEqualTo(PROJECT);
        assertThat(claims.get("aud").asText()).isEqualTo(ControlFixture.AUDIENCE);
        assertThat(claims.get("exp").asLong() - claims.get("iat").asLong()).isEqualTo(600);
        assertThat(claims.get("scope").asText()).isEqualTo("room:join media:publish:audio");
        JoinGrant g = f.admission.admit(t.token(), ROOM, "ip");
        assertThat(g.jti()).isEqualTo(t.jti());
        assertThat(g.policy().maxKbps()).isEqualTo(800);
        assertThat(g.groups()).containsExactly("agents");
        assertThat(g.meta()).isEqualTo("{\"displayName\":\"Ada\"}");
        assertThat(t.toString()).doesNotContain(t.token());
        assertThat(String.join("\n", f.auditLines())).doesNotContain(t.token()).doesNotContain(parts[2])
                .doesNotContain("user-42").contains("\"action\":\"token.mint\"");
        assertThat(f.counter("chorus.tokens.minted", null)).isEqualTo(1);
    }

    @Test
    void jtiCarriesAtLeast128RandomBitsAndNeverRepeats() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            String jti = f.issuer.mint(caller, req(Set.of(Scope.ROOM_JOIN), Duration.ofMinutes(1)), "ip").jti();
            assertThat(Base64.getUrlDecoder().decode(jti)).hasSizeGreaterThanOrEqualTo(16);
            assertThat(seen.add(jti)).isTrue();
        }
    }

    @Test
    void case26_ttlAboveTheProjectMaximumIs400() {
        assertThat(refusal(req(Set.of(Scope.ROOM_JOIN), Duration.ofHours(1).plusSeconds(1))))
                .isEqualTo(ServiceError.TTL_TOO_LONG);
        assertThat(ServiceError.TTL_TOO_LONG.httpStatus()).isEqualTo(400);
        assertThat(refusal(req(Set.of(Scope.ROOM_JOIN), Duration.ofDays(365)))).isEqualTo(ServiceError.TTL_TOO_LONG);
        assertThat(refusal(req(Set.of(Scope.ROOM_JOIN), Duration.ZERO))).isEqualTo(ServiceError.INVALID_REQUEST);
        assertThat(refusal(req(Set.of(Scope.ROOM_JOIN), Duration.ofSeconds(-5))))
                .isEqualTo(ServiceError.INVALID_REQUEST);
        // no ttl: the project's maximum
        MintedToken t = f.issuer.mint(caller, req(Set.of(Scope.ROOM_JOIN), null), "ip");
        assertThat(Duration.between(t.issuedAt(), t.expiresAt())).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void scopesBeyondTheCeilingUnknownRolesAndBadInputAreRefused() {
        assertThat(refusal(req(Set.of(Scope.ROOM_JOIN, Scope.ROOM_ADMIN), null)))
                .isEqualTo(ServiceError.SCOPE_NOT_ALLOWED);
        assertThat(refusal(req(Set.of(Scope.SUBSCRIBE), null))).isEqualTo(ServiceError.SCOPE_NOT_ALLOWED);
        assertThat(refusal(new MintRequest(ROOM, "u", Set.of(), "superuser", null, null, null, null)))
                .isEqualTo(ServiceError.UNKNOWN_ROLE);
        assertThat(refusal(new MintRequest(ROOM, "u", Set.of(), null, null, null, null, null)))
                .isEqualTo(ServiceError.INVALID_REQUEST);
        assertThat(refusal(MintRequest.of("", "u", Set.of(Scope.ROOM_JOIN), null)))
                .isEqualTo(ServiceError.INVALID_REQUEST);
        assertThat(refusal(MintRequest.of(ROOM, "a".repeat(300), Set.of(Scope.ROOM_JOIN), null)))
                .isEqualTo(ServiceError.INVALID_REQUEST);
        ObjectNode bigMeta = new ObjectMapper().createObjectNode().put("x", "y".repeat(1100));
        assertThat(refusal(new MintRequest(ROOM, "u", Set.of(Scope.ROOM_JOIN), null, null, null, bigMeta, null)))
                .isEqualTo(ServiceError.INVALID_REQUEST);
        assertThat(refusal(new MintRequest(ROOM, "u", Set.of(Scope.ROOM_JOIN), null, List.of("bad group!"), null,
                null, null))).isEqualTo(ServiceError.INVALID_REQUEST);
    }

    @Test
    void projectsThatDoNotAllowHs256JoinTokensRefuseToMint() {
        f.store.updateProject(f.store.project(PROJECT).orElseThrow().withHs256JoinTokens(false));
        assertThat(refusal(req(Set.of(Scope.ROOM_JOIN), null))).isEqualTo(ServiceError.SIGNING_NOT_ALLOWED);
    }

    @Test
    void aCallerAuthenticatedWithAnAsymmetricKeyCannotMintBecauseChorusHasNoPrivateKey() {
        BackendPrincipal es = new BackendPrincipal(PROJECT, f.esKid, KeyAlgorithm.ES256,
                BackendPrincipal.Method.BACKEND_JWT);
        assertThatThrownBy(() -> f.issuer.mint(es, req(Set.of(Scope.ROOM_JOIN), null), "ip"))
                .isInstanceOfSatisfying(ServiceException.class,
                        e -> assertThat(e.error()).isEqualTo(ServiceError.SIGNING_NOT_ALLOWED));
    }

    @Test
    void hs256TokensVerifyOnlyWithTheExactSecretBytes() {
        MintedToken t = f.issuer.mint(caller, req(Set.of(Scope.ROOM_JOIN), null), "ip");
        // a backend holding the secret string can verify/produce the same HMAC with any JWT library
        var alg = com.auth0.jwt.algorithms.Algorithm.HMAC256(f.hsSecret.getBytes(StandardCharsets.US_ASCII));
        com.auth0.jwt.JWT.require(alg).acceptLeeway(Long.MAX_VALUE / 2000).build().verify(t.token());
    }
}
