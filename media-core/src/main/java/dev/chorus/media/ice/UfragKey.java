package dev.chorus.media.ice;

import java.util.Arrays;

/**
 * A ufrag as bytes, usable as a hash key. The router keeps one mutable probe and points it at the USERNAME
 * bytes of each packet, so looking up a transport allocates nothing.
 */
final class UfragKey {
    static final int MAX_LENGTH = 256;

    private byte[] bytes;
    private int length;
    private int hash;

    UfragKey(byte[] exact) {
        this.bytes = exact;
        this.length = exact.length;
        this.hash = hash(exact, length);
    }

    /** A probe with its own buffer. */
    static UfragKey probe() {
        UfragKey k = new UfragKey(new byte[0]);
        k.bytes = new byte[MAX_LENGTH];
        return k;
    }

    byte[] buffer() {
        return bytes;
    }

    void setLength(int length) {
        this.length = length;
        this.hash = hash(bytes, length);
    }

    private static int hash(byte[] b, int n) {
        int h = 1;
        for (int i = 0; i < n; i++) {
            h = 31 * h + b[i];
        }
        return h;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UfragKey k && k.hash == hash && Arrays.equals(bytes, 0, length, k.bytes, 0, k.length);
    }
}
