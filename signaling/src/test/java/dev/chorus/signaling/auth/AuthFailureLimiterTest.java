package dev.chorus.signaling.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.signaling.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AuthFailureLimiterTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-15T10:00:00Z"));

    @Test
    void throttlesASourceAfterItsBudgetUntilTheWindowEnds() {
        AuthFailureLimiter l = new AuthFailureLimiter(2, Duration.ofSeconds(60), 10, clock);
        l.recordFailure("a");
        assertThat(l.throttled("a")).isFalse();
        l.recordFailure("a");
        assertThat(l.throttled("a")).isTrue();
        assertThat(l.throttled("b")).isFalse();
        clock.advance(Duration.ofSeconds(60));
        assertThat(l.throttled("a")).isFalse();
    }

    @Test
    void memoryStaysBoundedUnderAFloodOfSources() {
        AuthFailureLimiter l = new AuthFailureLimiter(1, Duration.ofSeconds(60), 1000, clock);
        for (int i = 0; i < 50_000; i++) {
            l.recordFailure("10.0." + (i >> 8) + "." + (i & 0xff));
        }
        assertThat(l.trackedSources()).isLessThanOrEqualTo(1000);
        // the most recent offenders are still remembered
        assertThat(l.throttled("10.0." + (49_999 >> 8) + "." + (49_999 & 0xff))).isTrue();
    }
}
