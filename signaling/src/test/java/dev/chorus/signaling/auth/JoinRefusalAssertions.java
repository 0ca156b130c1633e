package dev.chorus.signaling.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chorus.signaling.testing.ControlFixture;
import java.util.List;

/**
 * The contract of every refused join (SECURITY-CHECKLIST preamble, cases 15 and 49): the stated reason, a generic
 * caller message, no state written, exactly one audit event with that reason, and no part of the token in it.
 */
final class JoinRefusalAssertions {
    static final String SOURCE = "203.0.113.7";

    private JoinRefusalAssertions() {
    }

    static void assertRefused(ControlFixture f, String token, String room, RefusalReason reason) {
        List<String> before = f.auditLines();
        var roomsBefore = f.store.rooms(ControlFixture.PROJECT);
        double refusedBefore = f.counter("chorus.joins.refused", reason.code());
        f.counting.reset();

        assertThatThrownBy(() -> f.admission.admit(token, room, SOURCE))
                .isInstanceOfSatisfying(TokenRefusedException.class, e -> {
                    assertThat(e.reason()).as("refusal reason").isEqualTo(reason);
                    assertThat(e.getMessage()).isEqualTo(TokenRefusedException.GENERIC_MESSAGE);
                });

        assertThat(f.counting.writes()).as("store writes for a refused token").isZero();
        assertThat(f.store.rooms(ControlFixture.PROJECT)).isEqualTo(roomsBefore);
        List<String> after = f.auditLines();
        assertThat(after).as("exactly one audit event per refusal").hasSize(before.size() + 1);
        String event = after.getLast();
        assertThat(event).contains("\"action\":\"join\"", "\"outcome\":\"refused\"",
                "\"reason\":\"" + reason.code() + "\"", "\"source\":\"" + SOURCE + "\"");
        assertNoTokenText(event, token);
        assertThat(f.counter("chorus.joins.refused", reason.code())).isEqualTo(refusedBefore + 1);
    }

    /** Neither the token nor any of its segments (longer than a few characters) appears in the line. */
    static void assertNoTokenText(String line, String token) {
        if (token == null) {
            return;
        }
        if (token.length() >= 8) {
            assertThat(line).doesNotContain(token);
        }
        for (String part : token.split("\\.")) {
            if (part.length() >= 12) {
                assertThat(line).as("audit line must not contain token segments").doesNotContain(part);
                assertThat(line).doesNotContain(part.substring(0, 12));
            }
        }
    }
}
