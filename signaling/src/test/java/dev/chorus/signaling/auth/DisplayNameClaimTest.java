package dev.chorus.signaling.auth;

import static dev.chorus.signaling.auth.JoinRefusalAssertions.SOURCE;
import static dev.chorus.signaling.auth.JoinRefusalAssertions.assertRefused;
import static dev.chorus.signaling.testing.ControlFixture.ROOM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.signaling.project.Scope;
import dev.chorus.signaling.project.ServiceError;
import dev.chorus.signaling.project.ServiceException;
import dev.chorus.signaling.testing.ControlFixture;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The optional {@code name} claim: a display name the other participants see, bounded text, never a contact. */
class DisplayNameClaimTest {
    private final ControlFixture f = new ControlFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private MintRequest named(String name) {
        return new MintRequest(ROOM, "user-42", Set.of(Scope.ROOM_JOIN), null, List.of(), null, null,
                Duration.ofMinutes(5), null, name);
    }

    @Test
    void aMintedNameIsWrittenIntoTheTokenAndReachesTheGrant() throws Exception {
        MintedToken t = f.issuer.mint(f.acmeApi(), named("Ada Lovelace"), SOURCE);
        var claims = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(t.token().split("\\.")[1]));
        assertThat(claims.get("name").asText()).isEqualTo("Ada Lovelace");
        assertThat(f.admission.admit(t.token(), ROOM, SOURCE).name()).isEqualTo("Ada Lovelace");
    }

    @Test
    void withoutANameTheGrantHasNone() {
        MintedToken t = f.issuer.mint(f.acmeApi(), named(null), SOURCE);
        assertThat(f.admission.admit(t.token(), ROOM, SOURCE).name()).isNull();
        assertThat(f.admission.admit(f.es256(f.claims()), ROOM, SOURCE).name()).isNull();
    }

    @Test
    void backendSignedTokensCarryTheirNameAndMalformedNamesAreRefused() {
        assertThat(f.admission.admit(f.es256(f.claims().put("name", "Grace")), ROOM, SOURCE).name())
                .isEqualTo("Grace");
        assertRefused(f, f.es256(f.claims().put("name", 42)), ROOM, RefusalReason.INVALID_CLAIM);
        assertRefused(f, f.es256(f.claims().put("name", "")), ROOM, RefusalReason.INVALID_CLAIM);
        assertRefused(f, f.es256(f.claims().put("name", "x".repeat(65))), ROOM, RefusalReason.INVALID_CLAIM);
        assertRefused(f, f.es256(f.claims().put("name", "Ada\u202Eevil")), ROOM, RefusalReason.INVALID_CLAIM);
        assertRefused(f, f.es256(f.claims().put("name", "Ada\nLovelace")), ROOM, RefusalReason.INVALID_CLAIM);
    }

    @Test
    void aNameThatIsAnEmailOrPhoneNumberIsRefusedAtMintAndJoin() {
        assertRefused(f, f.es256(f.claims().put("name", "ada@example.com")), ROOM, RefusalReason.PII_NAME);
        for (String pii : List.of("ada@example.com", "+44 20 7946 0958")) {
            assertThatThrownBy(() -> f.issuer.mint(f.acmeApi(), named(pii), SOURCE))
                    .isInstanceOfSatisfying(ServiceException.class,
                            e -> assertThat(e.error()).isEqualTo(ServiceError.INVALID_REQUEST));
        }
        assertThatThrownBy(() -> f.issuer.mint(f.acmeApi(), named("x".repeat(65)), SOURCE))
                .isInstanceOfSatisfying(ServiceException.class,
                        e -> assertThat(e.getMessage()).contains("name"));
    }
}
