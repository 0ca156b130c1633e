package dev.chorus.media.sfu;

import dev.chorus.media.sfu.rtcp.KeyframeRequester;
import dev.chorus.media.sfu.rtcp.ReceiveStats;
import dev.chorus.media.sfu.rtcp.RetransmitCache;
import java.util.concurrent.TimeUnit;

/** One published track on its room's worker: its SSRCs and payload types, receive state, and its consumers. */
final class PublishedTrack {
    private static final Consumer[] NONE = new Consumer[0];

    final ParticipantImpl publisher;
    final String mid;
    TrackInfo info;
    long ssrc = -1;
    long rtxSsrc = -1;
    int payloadType = -1;
    int rtxPayloadType = -1;
    int clockRate;
    final ReceiveStats stats;
    /** Video only: plaintext of recent packets for NACKs (bounded in packets and age). */
    final RetransmitCache cache;
    /** Video only: PLIs to the publisher, deduplicated and rate-limited. */
    final KeyframeRequester keyframes;
    /** Copy-on-write array: iterated per packet, changed rarely. */
    Consumer[] consumers = NONE;
    long packetsIn;
    long bytesIn;

    PublishedTrack(ParticipantImpl publisher, String mid, TrackInfo info, int clockRate, SfuConfig config) {
        this.publisher = publisher;
        this.mid = mid;
        this.info = info;
        this.clockRate = clockRate;
        this.stats = new ReceiveStats(clockRate);
        boolean video = info.kind().isVideo();
        this.cache = video ? new RetransmitCache(config.retransmitCachePackets(),
                TimeUnit.MILLISECONDS.toNanos(config.retransmitCacheMillis())) : null;
        this.keyframes = video ? new KeyframeRequester(TimeUnit.MILLISECONDS.toNanos(config.keyframeMinIntervalMillis())) : null;
    }

    void addConsumer(Consumer c) {
        Consumer[] next = java.util.Arrays.copyOf(consumers, consumers.length + 1);
        next[consumers.length] = c;
        consumers = next;
    }

    void removeConsumer(Consumer c) {
        for (int i = 0; i < consumers.length; i++) {
            if (consumers[i] == c) {
                Consumer[] next = new Consumer[consumers.length - 1];
                System.arraycopy(consumers, 0, next, 0, i);
                System.arraycopy(consumers, i + 1, next, i, consumers.length - i - 1);
                consumers = next;
                return;
            }
        }
    }

    Consumer consumerOf(ParticipantImpl subscriber) {
        for (Consumer c : consumers) {
            if (c.subscriber == subscriber) return c;
        }
        return null;
    }

    /** Ends the track: plaintext in the cache is wiped. */
    void dispose() {
        consumers = NONE;
        if (cache != null) cache.clear();
    }
}
