package dev.chorus.signaling.auth;

import static dev.chorus.signaling.auth.JoinRefusalAssertions.SOURCE;
import static dev.chorus.signaling.auth.JoinRefusalAssertions.assertRefused;
import static dev.chorus.signaling.testing.ControlFixture.ROOM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.signaling.project.Scope;
import dev.chorus.signaling.testing.ControlFixture;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The optional {@code p2p} claim: a private peer-to-peer room (docs/p2p.md), signed, boolean, fixed per session. */
class P2pClaimTest {
    private final ControlFixture f = new ControlFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private MintRequest request(boolean p2p) {
        return new MintRequest(ROOM, "user-42", Set.of(Scope.ROOM_JOIN), null, List.of(), null, null,
                Duration.ofMinutes(5), null, null, p2p);
    }

    @Test
    void aMintedP2pTokenCarriesTheClaimAndItReachesTheGrant() throws Exception {
        MintedToken t = f.issuer.mint(f.acmeApi(), request(true), SOURCE);
        var claims = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(t.token().split("\\.")[1]));
        assertThat(claims.get("p2p").asBoolean()).isTrue();
        assertThat(f.admission.admit(t.token(), ROOM, SOURCE).p2p()).isTrue();
        MintedToken sfu = f.issuer.mint(f.acmeApi(), request(false), SOURCE);
        assertThat(new ObjectMapper().readTree(Base64.getUrlDecoder().decode(sfu.token().split("\\.")[1])).has("p2p"))
                .as("an SFU token does not carry the claim").isFalse();
        assertThat(f.admission.admit(sfu.token(), ROOM, SOURCE).p2p()).isFalse();
    }

    @Test
    void backendSignedTokensCarryTheClaimAndAnythingButABooleanIsRefused() {
        assertThat(f.admission.admit(f.es256(f.claims().put("p2p", true)), ROOM, SOURCE).p2p()).isTrue();
        assertThat(f.admission.admit(f.es256(f.claims().put("p2p", false)), ROOM, SOURCE).p2p()).isFalse();
        assertRefused(f, f.es256(f.claims().put("p2p", "true")), ROOM, RefusalReason.INVALID_CLAIM);
        assertRefused(f, f.es256(f.claims().put("p2p", 1)), ROOM, RefusalReason.INVALID_CLAIM);
    }

    @Test
    void aSessionKeepsItsModeThroughRefresh() {
        String sfuToken = f.es256(f.claims());
        String p2pToken = f.es256(f.claims().put("p2p", true));
        var grant = f.admission.admit(p2pToken, ROOM, SOURCE);
        var ofP2p = new JoinAdmission.RefreshOf(grant.projectId(), ROOM, grant.identity(), true);
        assertThatThrownBy(() -> f.admission.refresh(sfuToken, ofP2p, SOURCE))
                .isInstanceOfSatisfying(TokenRefusedException.class,
                        e -> assertThat(e.reason()).isEqualTo(RefusalReason.REFRESH_MISMATCH));
        assertThat(f.admission.refresh(f.es256(f.claims().put("p2p", true)), ofP2p, SOURCE).p2p()).isTrue();
    }
}
