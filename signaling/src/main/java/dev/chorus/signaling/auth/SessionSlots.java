package dev.chorus.signaling.auth;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Live-session counts that are checked and taken in one atomic step, so parallel joins cannot all pass a limit they
 * each saw as not yet reached (the count is reserved at admission, before the session is registered, and given
 * back when the session ends or never starts). Keys are opaque strings built by {@link JoinAdmission}.
 */
final class SessionSlots {
    private final ConcurrentHashMap<String, Integer> held = new ConcurrentHashMap<>();

    /**
     * Takes a slot unless {@code limit} (&gt; 0) are already held; {@code limit} 0 means unlimited.
     *
     * @return whether the slot was taken
     */
    boolean tryAcquire(String key, int limit) {
        boolean[] taken = {false};
        held.compute(key, (k, n) -> {
            int count = n == null ? 0 : n;
            if (limit > 0 && count >= limit) return n;
            taken[0] = true;
            return count + 1;
        });
        return taken[0];
    }

    /** Gives a slot back; the entry disappears at zero so memory follows the live sessions. */
    void release(String key) {
        held.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
    }

    int held(String key) {
        return held.getOrDefault(key, 0);
    }
}
