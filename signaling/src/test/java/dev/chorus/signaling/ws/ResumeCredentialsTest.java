package dev.chorus.signaling.ws;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The resume credential as a specification: 256 random bits, kept only hashed, single use (rotated by each resume),
 * bounded by the grace window, spent when the session ends, and every refusal named.
 */
class ResumeCredentialsTest {
    static final Duration GRACE = Duration.ofSeconds(20);

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-12-06T00:00:00Z");
        @Override public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
        void advance(Duration d) { now = now.plus(d); }
    }

    final TestClock clock = new TestClock();
    final ResumeCredentials credentials = new ResumeCredentials(clock, GRACE);

    static ParticipantSession session(String id) {
        JoinOutcome.Admitted a = admitted(id);
        return new ParticipantSession(a, "192.0.2.1", Instant.now(), new EmbeddedChannel());
    }

    static JoinOutcome.Admitted admitted(String id) {
        return new JoinOutcome.Admitted(id, "proj", "room", "user-" + id, List.of("room:join"), "kid", "jti-" + id,
                Instant.now(), Instant.now().plusSeconds(600));
    }

    @Test
    void aCredentialIs256RandomBitsAndOnlyItsHashIsKept() throws Exception {
        ParticipantSession s = session("p1");
        String c1 = credentials.issue(s);
        String c2 = credentials.issue(session("p2"));
        assertThat(Base64.getUrlDecoder().decode(c1)).hasSize(32);
        assertThat(c1).isNotEqualTo(c2);
        // nothing in the store's state holds the credential itself
        for (var f : ResumeCredentials.class.getDeclaredFields()) {
            f.setAccessible(true);
            Object v = f.get(credentials);
            if (v instanceof java.util.Map<?, ?> m) {
                assertThat(m.toString()).doesNotContain(c1).doesNotContain(c2);
            }
        }
    }

    @Test
    void aParkedSessionIsClaimedOnceAndTheCredentialIsThenUsed() {
        ParticipantSession s = session("p1");
        String c = credentials.issue(s);
        assertThat(credentials.claim(c).refusal()).as("connected: nothing to claim")
                .isEqualTo(ResumeCredentials.Refusal.NOT_PARKED);
        credentials.park(s, admitted("p1"));
        clock.advance(Duration.ofSeconds(5));
        ResumeCredentials.Lookup first = credentials.claim(c);
        assertThat(first.found()).isTrue();
        assertThat(first.session()).isSameAs(s);
        assertThat(credentials.claim(c).refusal()).isEqualTo(ResumeCredentials.Refusal.USED);
        assertThat(credentials.lookup(c).refusal()).isEqualTo(ResumeCredentials.Refusal.USED);
        // the session's next credential works for the next drop
        String next = credentials.issue(s);
        credentials.park(s, admitted("p1"));
        assertThat(credentials.claim(next).session()).isSameAs(s);
    }

    @Test
    void reissuingRotatesTheOldCredentialOut() {
        ParticipantSession s = session("p1");
        String old = credentials.issue(s);
        String fresh = credentials.issue(s);
        credentials.park(s, admitted("p1"));
        assertThat(credentials.claim(old).refusal()).isEqualTo(ResumeCredentials.Refusal.USED);
        assertThat(credentials.claim(fresh).found()).isTrue();
    }

    @Test
    void pastTheGraceWindowTheCredentialIsExpiredAndTheTimerEndsTheSession() {
        ParticipantSession s = session("p1");
        String c = credentials.issue(s);
        credentials.park(s, admitted("p1"));
        clock.advance(GRACE);
        assertThat(credentials.lookup(c).refusal()).isEqualTo(ResumeCredentials.Refusal.EXPIRED);
        assertThat(credentials.claim(c).refusal()).isEqualTo(ResumeCredentials.Refusal.EXPIRED);
        assertThat(credentials.expire(s)).as("the timer ends it").isNotNull();
        assertThat(credentials.expire(s)).as("once").isNull();
        assertThat(credentials.claim(c).refusal()).isEqualTo(ResumeCredentials.Refusal.EXPIRED);
        assertThat(credentials.size()).isZero();
    }

    @Test
    void aResumedSessionIsNotEndedByItsOldTimer() {
        ParticipantSession s = session("p1");
        String c = credentials.issue(s);
        credentials.park(s, admitted("p1"));
        assertThat(credentials.claim(c).found()).isTrue();
        credentials.issue(s);
        clock.advance(GRACE.plusSeconds(1));
        assertThat(credentials.expire(s)).isNull();
    }

    @Test
    void anEndedSessionsCredentialSaysSoAndUnknownOnesAreUnknown() {
        ParticipantSession s = session("p1");
        String c = credentials.issue(s);
        credentials.park(s, admitted("p1"));
        assertThat(credentials.forget(s)).as("revoked while parked: returned so the caller ends it").isNotNull();
        assertThat(credentials.claim(c).refusal()).isEqualTo(ResumeCredentials.Refusal.ENDED);
        assertThat(credentials.claim("not-a-credential").refusal()).isEqualTo(ResumeCredentials.Refusal.UNKNOWN);
        // spent reasons are remembered for a bounded time only
        clock.advance(GRACE.multipliedBy(2));
        assertThat(credentials.claim(c).refusal()).isEqualTo(ResumeCredentials.Refusal.UNKNOWN);
    }

    @Test
    void spentCredentialsAreForgottenTwoWindowsAfterTheyWereSpentNotWhenAThresholdIsReached() {
        for (int i = 0; i < 50; i++) {
            ParticipantSession s = session("early" + i);
            credentials.issue(s);
            credentials.forget(s);
        }
        assertThat(credentials.spentRemembered()).isEqualTo(50);
        clock.advance(GRACE);
        ParticipantSession late = session("late");
        String c = credentials.issue(late);
        credentials.forget(late);
        assertThat(credentials.spentRemembered()).as("the early ones are still within their two windows").isEqualTo(51);
        clock.advance(GRACE);
        ParticipantSession later = session("later");
        credentials.issue(later);
        credentials.forget(later);
        assertThat(credentials.spentRemembered()).as("a churning server keeps only the last two windows").isEqualTo(2);
        assertThat(credentials.claim(c).refusal()).isEqualTo(ResumeCredentials.Refusal.ENDED);
    }

    @Test
    void zeroGraceIsOffAndADrainingServerParksNothing() {
        assertThat(new ResumeCredentials(clock, Duration.ZERO).enabled()).isFalse();
        assertThat(credentials.enabled()).isTrue();
        credentials.stopParking();
        assertThat(credentials.enabled()).isFalse();
    }
}
