package dev.chorus.signaling.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The token policy's {@code e2ee} field (docs/e2ee.md): "required" or "optional", nothing else; it survives a mint. */
class E2eePolicyClaimTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static PeerPolicy parse(String json) throws Exception {
        return GrantClaims.policy(JSON.readTree(json));
    }

    @Test
    void requiredOptionalAndAbsent() throws Exception {
        assertThat(parse("{\"e2ee\":\"required\"}").e2eeRequired()).isTrue();
        assertThat(parse("{\"e2ee\":\"optional\"}").e2eeRequired()).isFalse();
        assertThat(parse("{\"maxTracks\":2}").e2eeRequired()).isFalse();
        assertThat(PeerPolicy.UNRESTRICTED.e2eeRequired()).isFalse();
    }

    @Test
    void anythingElseIsAnInvalidClaim() {
        for (String bad : List.of("{\"e2ee\":true}", "{\"e2ee\":\"REQUIRED\"}", "{\"e2ee\":1}", "{\"e2ee\":\"yes\"}")) {
            assertThatThrownBy(() -> parse(bad)).as(bad).isInstanceOf(TokenRefusedException.class)
                    .extracting(e -> ((TokenRefusedException) e).reason()).isEqualTo(RefusalReason.INVALID_CLAIM);
        }
    }

    @Test
    void theRequirementIsWrittenIntoTheClaimAndReadBackWithoutChangingWhomOneMayReceive() throws Exception {
        PeerPolicy p = PeerPolicy.of(List.of("grp:staff"), List.of(), 3, -1).withE2eeRequired(true);
        JsonNode claim = GrantClaims.toJson(p);
        assertThat(claim.path("e2ee").asText()).isEqualTo("required");
        PeerPolicy back = GrantClaims.policy(claim);
        assertThat(back).isEqualTo(p);
        // required alone: the subscribe lists stay empty (no restriction from the token)
        PeerPolicy only = PeerPolicy.UNRESTRICTED.withE2eeRequired(true);
        assertThat(only.subscribeAllow()).isEmpty();
        assertThat(GrantClaims.policy(GrantClaims.toJson(only))).isEqualTo(only);
    }
}
