package dev.chorus.media.srtp;

/**
 * Plain per-thread counters of SRTP/SRTCP outcomes. Each instance has one writer (the thread that owns the
 * contexts feeding it); Micrometer reads them from another thread, tolerating slightly stale values, which is why
 * these are plain fields rather than atomics: no fence or contention per packet.
 */
public final class SrtpStats {
    public long rtpUnprotected;
    public long rtcpUnprotected;
    public long authFailures;
    public long replays;
    public long invalid;
    public long tooManyStreams;
    public long rtpProtected;
    public long rtcpProtected;
    public long protectFailures;

    void count(SrtpResult result, boolean rtcp) {
        switch (result) {
            case OK -> { if (rtcp) rtcpUnprotected++; else rtpUnprotected++; }
            case AUTH_FAILED -> authFailures++;
            case REPLAYED -> replays++;
            case INVALID -> invalid++;
            case TOO_MANY_STREAMS -> tooManyStreams++;
        }
    }
}
