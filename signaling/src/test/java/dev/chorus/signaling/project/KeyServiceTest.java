package dev.chorus.signaling.project;

import static dev.chorus.signaling.testing.ControlFixture.AUDIENCE;
import static dev.chorus.signaling.testing.ControlFixture.PROJECT;
import static dev.chorus.signaling.testing.ControlFixture.ROOM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chorus.signaling.auth.BackendPrincipal;
import dev.chorus.signaling.auth.BackendTokenMinter;
import dev.chorus.signaling.auth.KeyMaterial;
import dev.chorus.signaling.auth.MintRequest;
import dev.chorus.signaling.auth.RefusalReason;
import dev.chorus.signaling.auth.TokenRefusedException;
import dev.chorus.signaling.testing.ControlFixture;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Key lifecycle through the service the HTTP API calls: create, register, rotate, retire, revoke. */
class KeyServiceTest {
    private final ControlFixture f = new ControlFixture();
    private final RecordingEvents events = new RecordingEvents();
    private final KeyService keys = new KeyService(f.store, f.audit, f.clock, events);
    private final BackendPrincipal caller = f.acmeApi();

    @AfterEach
    void close() {
        f.close();
    }

    private MintRequest request() {
        return MintRequest.of(ROOM, "user-1", Set.of(dev.chorus.signaling.project.Scope.ROOM_JOIN),
                Duration.ofMinutes(5));
    }

    @Test
    void hs256KeyGetsAGenerated256BitSecretReturnedOnceAndNeverAudited() {
        CreatedKey k = keys.create(caller, KeyAlgorithm.HS256, null, "ip");
        assertThat(k.secret()).hasSize(43).matches("[A-Za-z0-9_-]+");
        assertThat(java.util.Base64.getUrlDecoder().decode(k.secret())).hasSize(32);
        assertThat(k.key().publicKeyPem()).isNull();
        assertThat(k.toString()).doesNotContain(k.secret());
        assertThat(keys.list(caller)).extracting(KeyInfo::kid).contains(k.key().kid());
        assertThat(String.join("\n", f.auditLines())).doesNotContain(k.secret()).contains("\"action\":\"key.create\"");
        // it works as an API key immediately
        var auth = new dev.chorus.signaling.auth.BackendAuthenticator(f.store, AUDIENCE, f.clock,
                dev.chorus.signaling.auth.AuthFailureLimiter.defaults(f.clock), f.audit, f.metrics);
        String basic = java.util.Base64.getEncoder().encodeToString((k.key().kid() + ":" + k.secret()).getBytes());
        assertThat(auth.authenticate("Basic " + basic, "ip").kid()).isEqualTo(k.key().kid());
    }

    @Test
    void es256PairIsGeneratedChorusKeepsOnlyThePublicKeyAndTheBackendMintsWithThePrivateOne() {
        CreatedKey k = keys.create(caller, KeyAlgorithm.ES256, null, "ip");
        assertThat(k.privateKeyPem()).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(k.key().publicKeyPem()).startsWith("-----BEGIN PUBLIC KEY-----");
        var stored = f.store.key(k.key().kid()).orElseThrow();
        var priv = BackendTokenMinter.readPrivateKeyPem(k.privateKeyPem());
        assertThat(stored.material()).isNotEqualTo(priv.getEncoded());
        assertThat(String.join("\n", f.auditLines())).doesNotContain(k.privateKeyPem().lines().skip(1).findFirst()
                .orElseThrow());
        f.clock.set(Instant.now());
        String token = BackendTokenMinter.joinToken(priv, k.key().kid(), PROJECT, AUDIENCE, ROOM, "user-9",
                "room:join media:subscribe", Duration.ofMinutes(5));
        assertThat(f.verifier.verify(token, ROOM).kid()).isEqualTo(k.key().kid());
    }

    @Test
    void backendSuppliedPublicKeysAreRegisteredForTheirExactAlgorithm() throws Exception {
        var es = KeyMaterial.generateEs256();
        CreatedKey k = keys.create(caller, KeyAlgorithm.ES256, KeyMaterial.publicKeyPem(es.getPublic()), "ip");
        assertThat(k.privateKeyPem()).isNull();
        assertThat(k.secret()).isNull();
        var ed = KeyMaterial.generateEd25519();
        CreatedKey e = keys.create(caller, KeyAlgorithm.EDDSA, KeyMaterial.publicKeyPem(ed.getPublic()), "ip");
        assertThat(f.store.key(e.key().kid()).orElseThrow().material()).isEqualTo(ed.getPublic().getEncoded());

        KeyPairGenerator p384 = KeyPairGenerator.getInstance("EC");
        p384.initialize(new ECGenParameterSpec("secp384r1"));
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        String[] bad = {KeyMaterial.publicKeyPem(p384.generateKeyPair().getPublic()),
                KeyMaterial.publicKeyPem(rsa.generateKeyPair().getPublic()),
                KeyMaterial.publicKeyPem(ed.getPublic()), // Ed25519 key offered as ES256
                "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", "not a pem",
                KeyMaterial.publicKeyPem(es.getPublic()) + KeyMaterial.publicKeyPem(es.getPublic()),
                KeyMaterial.privateKeyPem(es.getPrivate())};
        for (String pem : bad) {
            assertThatThrownBy(() -> keys.create(caller, KeyAlgorithm.ES256, pem, "ip"))
                    .isInstanceOfSatisfying(ServiceException.class,
                            x -> assertThat(x.error()).isEqualTo(ServiceError.INVALID_REQUEST));
        }
        assertThatThrownBy(() -> keys.create(caller, KeyAlgorithm.HS256, "-----BEGIN PUBLIC KEY-----", "ip"))
                .isInstanceOf(ServiceException.class);
    }

    @Test
    void rotationCreatesANewKeyAndTheOldOneRetiresStillVerifyingButNoLongerMinting() {
        String oldToken = f.issuer.mint(caller, request(), "ip").token();
        CreatedKey fresh = keys.rotate(caller, f.hsKid, null, "ip");
        assertThat(fresh.key().algorithm()).isEqualTo(KeyAlgorithm.HS256);
        BackendPrincipal rotated = new BackendPrincipal(PROJECT, fresh.key().kid(), KeyAlgorithm.HS256,
                BackendPrincipal.Method.API_KEY);
        assertThat(keys.get(rotated, f.hsKid, "ip").state()).isEqualTo(KeyState.RETIRING);
        assertThat(f.verifier.verify(oldToken, ROOM)).isNotNull();
        assertThatThrownBy(() -> f.issuer.mint(caller, request(), "ip"))
                .isInstanceOfSatisfying(ServiceException.class,
                        e -> assertThat(e.error()).isEqualTo(ServiceError.SIGNING_NOT_ALLOWED));
        assertThat(f.verifier.verify(f.issuer.mint(rotated, request(), "ip").token(), ROOM).kid())
                .isEqualTo(fresh.key().kid());
        assertThatThrownBy(() -> keys.rotate(rotated, f.hsKid, null, "ip"))
                .isInstanceOfSatisfying(ServiceException.class,
                        e -> assertThat(e.error()).isEqualTo(ServiceError.CONFLICT));
    }

    @Test
    void aRetiringKeyStillAuthenticatesButCannotListCreateRotateRetireOrRevokeKeys() {
        CreatedKey fresh = keys.rotate(caller, f.hsKid, null, "ip");
        String replacement = fresh.key().kid();
        int before = f.auditLines().size();
        ServiceAssertions.assertError(() -> keys.list(caller, "ip"), ServiceError.KEY_RETIRING);
        ServiceAssertions.assertError(() -> keys.get(caller, replacement, "ip"), ServiceError.KEY_RETIRING);
        ServiceAssertions.assertError(() -> keys.create(caller, KeyAlgorithm.HS256, null, "ip"),
                ServiceError.KEY_RETIRING);
        ServiceAssertions.assertError(() -> keys.rotate(caller, replacement, null, "ip"), ServiceError.KEY_RETIRING);
        ServiceAssertions.assertError(() -> keys.retire(caller, replacement, "ip"), ServiceError.KEY_RETIRING);
        ServiceAssertions.assertError(() -> keys.revoke(caller, replacement, "ip"), ServiceError.KEY_RETIRING);
        assertThat(f.store.key(replacement).orElseThrow().state()).as("the replacement is untouched")
                .isEqualTo(KeyState.ACTIVE);
        assertThat(f.store.keys(PROJECT)).hasSize(4);
        assertThat(f.auditLines().subList(before, f.auditLines().size()))
                .hasSize(6).allMatch(l -> l.contains("\"outcome\":\"refused\"") && l.contains("\"reason\":\"key_retiring\""));
        assertThat(events.events).isEmpty();
    }

    @Test
    void retireThenRevokeAndRevocationTellsLiveSessions() {
        String token = f.es256(f.claims());
        assertThat(keys.retire(caller, f.esKid, "ip").state()).isEqualTo(KeyState.RETIRING);
        assertThat(f.verifier.verify(token, ROOM)).isNotNull();
        KeyInfo revoked = keys.revoke(caller, f.esKid, "ip");
        assertThat(revoked.state()).isEqualTo(KeyState.REVOKED);
        assertThat(revoked.revokedAt()).isEqualTo(f.clock.instant());
        assertThat(events.events).containsExactly("keyRevoked acme " + f.esKid);
        assertThatThrownBy(() -> f.verifier.verify(token, ROOM)).isInstanceOfSatisfying(TokenRefusedException.class,
                e -> assertThat(e.reason()).isEqualTo(RefusalReason.KEY_REVOKED));
        var lines = f.auditLines();
        assertThat(lines.getLast()).contains("\"action\":\"key.revoke\"", "\"state\":\"retiring-\\u003Erevoked\"")
                .doesNotContain(token);
        assertThatThrownBy(() -> keys.retire(caller, f.esKid, "ip")).isInstanceOfSatisfying(ServiceException.class,
                e -> assertThat(e.error()).isEqualTo(ServiceError.CONFLICT));
    }
}
