package dev.chorus.common.rate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RateLimitTest {
    static final long MS = 1_000_000L;  // the limiters' clock is nanoseconds

    @Test
    void tokenBucketAllowsBurstThenRate() {
        TokenBucket b = new TokenBucket(1000, 1500, 0);
        assertThat(b.tryTake(1500, 0)).isTrue();
        assertThat(b.tryTake(1, 0)).isFalse();
        assertThat(b.tryTake(500, 500 * MS)).isTrue();   // 0.5 s at 1000/s
        assertThat(b.tryTake(10, 500 * MS)).isFalse();
        assertThat(b.tryTake(1500, 100_000 * MS)).isTrue();  // capped at burst
        assertThat(b.tryTake(1, 100_000 * MS)).isFalse();
    }

    @Test
    void aClockGoingBackwardsAddsNothingAndAnyOriginWorks() {
        long t0 = -5_000_000_000L;  // System.nanoTime() may be negative
        TokenBucket b = new TokenBucket(10, 1, t0);
        assertThat(b.tryTake(t0)).isTrue();
        assertThat(b.tryTake(t0 - 1_000 * MS)).isFalse();
        assertThat(b.tryTake(t0 + 100 * MS)).isTrue();
    }

    @Test
    void sourceLimiterIsPerSourceAndBounded() {
        SourceRateLimiter l = new SourceRateLimiter(1000, 1, 3);
        assertThat(l.slots()).isEqualTo(1024);
        byte[] a = {1, 2, 3, 4};
        int ok = 0;
        for (int i = 0; i < 100; i++) if (l.tryAcquire(a, 0)) ok++;
        assertThat(ok).isEqualTo(3);
        assertThat(l.tryAcquire(a, 1000 * MS)).isTrue();
        assertThat(l.tryAcquire(a, 1000 * MS)).isFalse();
        int others = 0;
        for (int i = 0; i < 50; i++) if (l.tryAcquire(new byte[] {9, 9, 9, (byte) i}, 0)) others++;
        assertThat(others).as("other sources mostly unaffected").isGreaterThan(40);
    }
}
