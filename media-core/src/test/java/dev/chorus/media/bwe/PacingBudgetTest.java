package dev.chorus.media.bwe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The pacer spreads a burst at factor × rate and lets at most one burst window through at once. */
class PacingBudgetTest {
    @Test
    void aKeyFrameBurstIsSpreadAtTheFactorTimesTheRate() {
        PacingBudget pacer = new PacingBudget(1_000_000, 2.5, 10_000); // 2.5 Mbit/s, 10 ms burst (3125 bytes)
        long now = 1_000_000_000L;
        pacer.tryConsume(0, now);
        now += 100_000_000L;                                           // idle: the budget fills to one burst only
        int sent = 0;
        while (pacer.tryConsume(1200, now)) sent++;
        assertThat(sent).isEqualTo(3);                                 // 3125 bytes → 3 packets (the third overdraws)
        long wait = pacer.waitMicros(now);
        assertThat(wait).isBetween(1_000L, 2_000L);                    // 475 bytes at 312.5 kB/s ≈ 1.5 ms
        // Over one second of 1 ms steps it sends what 2.5 Mbit/s carries, give or take one burst.
        long bytes = 0;
        for (int ms = 0; ms < 1000; ms++) {
            now += 1_000_000L;
            while (pacer.tryConsume(1200, now)) bytes += 1200;
        }
        assertThat(bytes * 8).isBetween(2_450_000L, 2_560_000L);
    }

    @Test
    void followsANewRate() {
        PacingBudget pacer = new PacingBudget(100_000, 1.0, 20_000);
        long now = 0;
        pacer.tryConsume(0, now);
        pacer.setRate(1_000_000);
        long bytes = 0;
        for (int ms = 0; ms < 1000; ms++) {
            now += 1_000_000L;
            while (pacer.tryConsume(1000, now)) bytes += 1000;
        }
        assertThat(bytes * 8).isBetween(980_000L, 1_030_000L);
    }
}
