package dev.chorus.media.sfu;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A participant's published tracks by mid, with an array view for the per-packet SSRC lookup (iterating a map's
 * values would create an iterator per packet). The array is rebuilt on the next lookup after a change. Worker-only.
 */
final class TrackMap extends LinkedHashMap<String, Producer> {
    private static final Producer[] EMPTY = new Producer[0];
    private Producer[] array = EMPTY;
    private boolean dirty;

    /** The tracks in insertion order; do not modify. */
    Producer[] array() {
        if (dirty) {
            array = values().toArray(EMPTY);
            dirty = false;
        }
        return array;
    }

    @Override
    public Producer put(String key, Producer value) {
        dirty = true;
        return super.put(key, value);
    }

    @Override
    public void putAll(Map<? extends String, ? extends Producer> m) {
        dirty = true;
        super.putAll(m);
    }

    @Override
    public Producer remove(Object key) {
        dirty = true;
        return super.remove(key);
    }

    @Override
    public void clear() {
        dirty = true;
        super.clear();
    }
}
