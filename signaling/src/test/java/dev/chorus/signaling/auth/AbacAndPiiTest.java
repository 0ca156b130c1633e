package dev.chorus.signaling.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.signaling.project.AccessPolicy;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pure rules of the ABAC conditions and the PII guard. */
class AbacAndPiiTest {
    static final Instant NOON = Instant.parse("2026-01-15T12:00:00Z");

    @Test
    void eachConditionNamesItsRule() {
        AccessPolicy office = new AccessPolicy(true, List.of("10.0.0.0/8"), 2, null, false);
        assertThat(AbacCheck.check(office, AccessConditions.NONE, "10.1.2.3", 0, NOON)).isNull();
        assertThat(AbacCheck.check(office, AccessConditions.NONE, "::ffff:10.1.2.3", 0, NOON)).isNull();
        assertThat(AbacCheck.check(office, AccessConditions.NONE, "192.0.2.1", 0, NOON))
                .isEqualTo(RefusalReason.ABAC_CIDR);
        assertThat(AbacCheck.check(office, AccessConditions.NONE, "10.1.2.3", 2, NOON))
                .isEqualTo(RefusalReason.ABAC_MAX_SESSIONS);
        // the token can narrow the project's conditions, never widen them
        AccessConditions token = new AccessConditions(List.of("10.9.0.0/16"), 1, null, null, null);
        assertThat(AbacCheck.check(office, token, "10.1.2.3", 0, NOON)).isEqualTo(RefusalReason.ABAC_CIDR);
        assertThat(AbacCheck.check(office, token, "10.9.0.1", 1, NOON)).isEqualTo(RefusalReason.ABAC_MAX_SESSIONS);
        AccessConditions window = new AccessConditions(List.of(), 0, NOON.plusSeconds(60), NOON.plusSeconds(3600),
                null);
        assertThat(AbacCheck.check(AccessPolicy.DEFAULT, window, "1.2.3.4", 0, NOON))
                .isEqualTo(RefusalReason.ABAC_VALIDITY_WINDOW);
        assertThat(AbacCheck.check(AccessPolicy.DEFAULT, window, "1.2.3.4", 0, NOON.plusSeconds(60))).isNull();
        assertThat(AbacCheck.check(AccessPolicy.DEFAULT, window, "1.2.3.4", 0, NOON.plusSeconds(3600)))
                .isEqualTo(RefusalReason.ABAC_VALIDITY_WINDOW);
    }

    @Test
    void dailyHoursIncludingWindowsAcrossMidnight() {
        AccessPolicy day = new AccessPolicy(true, List.of(), 0, "08:00-18:00", false);
        assertThat(AbacCheck.check(day, AccessConditions.NONE, "1.2.3.4", 0, NOON)).isNull();
        assertThat(AbacCheck.check(day, AccessConditions.NONE, "1.2.3.4", 0, Instant.parse("2026-01-15T18:00:00Z")))
                .isEqualTo(RefusalReason.ABAC_HOURS);
        AccessConditions night = new AccessConditions(List.of(), 0, null, null, "22:00-06:00");
        assertThat(AbacCheck.check(AccessPolicy.DEFAULT, night, "1.2.3.4", 0, Instant.parse("2026-01-15T23:30:00Z")))
                .isNull();
        assertThat(AbacCheck.check(AccessPolicy.DEFAULT, night, "1.2.3.4", 0, Instant.parse("2026-01-15T05:59:00Z")))
                .isNull();
        assertThat(AbacCheck.check(AccessPolicy.DEFAULT, night, "1.2.3.4", 0, NOON)).isEqualTo(RefusalReason.ABAC_HOURS);
    }

    @Test
    void piiGuardFlagsEmailAndPhoneButNotOpaqueIds() {
        for (String email : new String[] {"alice@example.com", "a.b+tag@mail.example.co.uk", "{\"contact\":\"x@y.io\"}"}) {
            assertThat(PiiGuard.looksLikePii(email)).as(email).isEqualTo("email");
        }
        for (String phone : new String[] {"+44 20 7946 0958", "(555) 123-4567", "tel:+15551234567", "5551234567",
                "{\"phone\":\"+1-555-123-4567\"}", "+33612345678"}) {
            assertThat(PiiGuard.looksLikePii(phone)).as(phone).isEqualTo("phone");
        }
        for (String ok : new String[] {"user-7f3a9c", "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "u_123456",
                "a1b2c3d4e5f60718293a4b5c6d7e8f90", "agent-2", "room 12", "{\"displayName\":\"Ada\",\"seat\":14}",
                "build-2026-01-15"}) {
            assertThat(PiiGuard.looksLikePii(ok)).as(ok).isNull();
        }
    }
}
