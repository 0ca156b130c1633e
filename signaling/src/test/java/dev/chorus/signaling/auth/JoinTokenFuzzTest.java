package dev.chorus.signaling.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.signaling.testing.ControlFixture;
import java.nio.charset.StandardCharsets;

/**
 * Fuzz harness of join-token parsing and verification (TOKENS.md's order: size, strict parsing, typ, kid, pinned
 * algorithm, signature, claims, state). Inputs are raw token text, or a header and claims the fuzzer writes
 * (valid JSON or not) signed with a real key of the project, so the claim checks behind the signature are reached.
 * Contract: {@link JoinTokenVerifier#verify} returns a grant or throws {@link TokenRefusedException}; nothing else
 * escapes; a grant is only ever for the project of the key and the room asked for.
 */
class JoinTokenFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ControlFixture fixture;

    @FuzzTest
    void verify(FuzzedDataProvider data) {
        check(data);
    }

    /** Entry point for the standalone fuzzing driver. */
    public static void fuzzerTestOneInput(FuzzedDataProvider data) {
        check(data);
    }

    private static synchronized ControlFixture fixture() {
        if (fixture == null) fixture = new ControlFixture();
        return fixture;
    }

    static void check(FuzzedDataProvider data) {
        ControlFixture f = fixture();
        String token = switch (data.consumeInt(0, 2)) {
            case 0 -> data.consumeString(2048);
            case 1 -> signed(f, data.consumeString(512), data.consumeRemainingAsString());
            default -> mutatedClaims(f, data);
        };
        try {
            JoinGrant g = f.verifier.verify(token, ControlFixture.ROOM);
            assertThat(g.projectId()).isEqualTo(ControlFixture.PROJECT);
            assertThat(g.roomId()).isEqualTo(ControlFixture.ROOM);
        } catch (TokenRefusedException expected) {
            assertThat(expected.reason()).isNotNull();
        }
    }

    /** A header and payload the fuzzer wrote, base64url'd and HMAC-signed with the project's real HS256 key. */
    private static String signed(ControlFixture f, String header, String payload) {
        String h = ControlFixture.b64(header);
        String p = ControlFixture.b64(payload);
        byte[] sig = f.hsSigner().sign((h).getBytes(StandardCharsets.US_ASCII),
                p.getBytes(StandardCharsets.US_ASCII));
        return h + "." + p + "." + ControlFixture.b64(sig);
    }

    /** A valid token whose claims the fuzzer changes: values of any JSON type, added and removed claims. */
    private static String mutatedClaims(ControlFixture f, FuzzedDataProvider data) {
        ObjectNode c = f.claims();
        String[] names = {"iss", "aud", "sub", "jti", "iat", "nbf", "exp", "room", "scope", "role", "grp", "policy",
                "meta", "name"};
        int edits = data.consumeInt(0, 6);
        for (int i = 0; i < edits; i++) {
            String name = data.pickValue(names);
            switch (data.consumeInt(0, 5)) {
                case 0 -> c.remove(name);
                case 1 -> c.put(name, data.consumeString(300));
                case 2 -> c.put(name, data.consumeLong());
                case 3 -> c.put(name, data.consumeDouble());
                case 4 -> c.putNull(name);
                default -> {
                    try {
                        c.set(name, JSON.readTree(data.consumeString(300)));
                    } catch (Exception e) {
                        c.put(name, true);
                    }
                }
            }
        }
        return f.hs256(c);
    }
}
