package dev.chorus.signaling.http;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts concurrent things (connections, WebSocket sessions) per source key and refuses above a cap.
 * Entries disappear when their count returns to zero, so memory follows live connections only.
 */
public final class PerSourceCounter {
    private final int cap;
    private final ConcurrentHashMap<String, Integer> counts = new ConcurrentHashMap<>();

    public PerSourceCounter(int cap) {
        this.cap = cap;
    }

    /** @return true if acquired (then {@link #release} must follow exactly once), false if the cap is reached */
    public boolean tryAcquire(String key) {
        boolean[] ok = {false};
        counts.compute(key, (k, v) -> {
            int n = v == null ? 0 : v;
            if (n >= cap) return v;
            ok[0] = true;
            return n + 1;
        });
        return ok[0];
    }

    public void release(String key) {
        counts.computeIfPresent(key, (k, v) -> v <= 1 ? null : v - 1);
    }

    public int count(String key) {
        return counts.getOrDefault(key, 0);
    }

    public int sources() {
        return counts.size();
    }
}
