package dev.chorus.media.sfu;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A participant's published tracks by mid, with an array view for the per-packet SSRC lookup (iterating a map's
 * values would create an iterator per packet). The array is rebuilt on the next lookup after a change. Worker-only.
 */
final class TrackMap extends LinkedHashMap<String, PublishedTrack> {
    private static final PublishedTrack[] EMPTY = new PublishedTrack[0];
    private PublishedTrack[] array = EMPTY;
    private boolean dirty;

    /** The tracks in insertion order; do not modify. */
    PublishedTrack[] array() {
        if (dirty) {
            array = values().toArray(EMPTY);
            dirty = false;
        }
        return array;
    }

    @Override
    public PublishedTrack put(String key, PublishedTrack value) {
        dirty = true;
        return super.put(key, value);
    }

    @Override
    public void putAll(Map<? extends String, ? extends PublishedTrack> m) {
        dirty = true;
        super.putAll(m);
    }

    @Override
    public PublishedTrack remove(Object key) {
        dirty = true;
        return super.remove(key);
    }

    @Override
    public void clear() {
        dirty = true;
        super.clear();
    }
}
