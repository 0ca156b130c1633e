package dev.chorus.turn.alloc;

import java.util.BitSet;
import java.util.random.RandomGenerator;

/**
 * Relay ports from a configured range. Picks a random free port (RFC 8656 §6.2 asks that relayed ports be hard to
 * guess), optionally an even one. Not thread-safe (one owner thread).
 */
public final class RelayPortPool {
    private final int min;
    private final int max;
    private final BitSet used;
    private final RandomGenerator random;
    private int inUse;

    public RelayPortPool(int min, int max, RandomGenerator random) {
        if (min < 1024 || max > 65535 || min > max) throw new IllegalArgumentException("bad relay port range " + min + "-" + max);
        this.min = min;
        this.max = max;
        this.used = new BitSet(max - min + 1);
        this.random = random;
    }

    public int size() {
        return max - min + 1;
    }

    public int inUse() {
        return inUse;
    }

    /** A free port, marked as used, or -1 when the range is exhausted. */
    public int take(boolean even) {
        int n = size();
        int start = random.nextInt(n);
        for (int k = 0; k < n; k++) {
            int idx = (start + k) % n;
            int port = min + idx;
            if (even && (port & 1) != 0) continue;
            if (!used.get(idx)) {
                used.set(idx);
                inUse++;
                return port;
            }
        }
        return -1;
    }

    /**
     * An even port whose odd neighbour is also free, both marked as used (EVEN-PORT with the R bit: the next port is
     * reserved for a later allocation, RFC 8656 §7.2); -1 if there is no such pair.
     */
    public int takeEvenPair() {
        int n = size();
        int start = random.nextInt(n);
        for (int k = 0; k < n; k++) {
            int idx = (start + k) % n;
            int port = min + idx;
            if ((port & 1) != 0 || port + 1 > max) continue;
            if (!used.get(idx) && !used.get(idx + 1)) {
                used.set(idx);
                used.set(idx + 1);
                inUse += 2;
                return port;
            }
        }
        return -1;
    }

    public void release(int port) {
        if (port < min || port > max) return;
        int idx = port - min;
        if (used.get(idx)) {
            used.clear(idx);
            inUse--;
        }
    }
}
