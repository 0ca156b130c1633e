package dev.chorus.signaling.webhook;

import java.time.Duration;
import java.time.Instant;
import java.util.random.RandomGenerator;

/**
 * When to try a failed delivery again: exponential backoff from {@code first}, doubling up to {@code max}, with
 * ±20 % jitter (so receivers coming back are not hit by every sender at once), and when to give up ({@code maxAge}
 * after the event was queued).
 */
public record RetryPolicy(Duration first, Duration max, Duration maxAge) {
    public static final RetryPolicy DEFAULT = new RetryPolicy(Duration.ofSeconds(1), Duration.ofMinutes(5),
            Duration.ofHours(24));

    /** The delay before attempt {@code failedAttempts + 1}. */
    public Duration delayAfter(int failedAttempts, RandomGenerator random) {
        long base = first.toMillis() << Math.min(Math.max(failedAttempts - 1, 0), 30);
        long capped = Math.min(base, max.toMillis());
        double jitter = 0.8 + 0.4 * random.nextDouble();
        return Duration.ofMillis(Math.max(1, (long) (capped * jitter)));
    }

    public boolean expired(Instant queuedAt, Instant now) {
        return now.isAfter(queuedAt.plus(maxAge));
    }
}
