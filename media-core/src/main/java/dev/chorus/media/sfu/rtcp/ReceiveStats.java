package dev.chorus.media.sfu.rtcp;

/**
 * RFC 3550 receive statistics of one incoming RTP stream (A.1 sequence tracking, A.3 loss, A.8 jitter) and the
 * last sender report, everything a receiver report block needs. Single-threaded; no allocation.
 */
public final class ReceiveStats {
    private final int clockRate;
    private boolean started;
    private int maxSeq;
    private int cycles;
    private int baseSeq;
    private long received;
    private long expectedPrior;
    private long receivedPrior;
    private double jitter;
    private long lastTransit;
    private boolean haveTransit;
    private long lastSrNtpMiddle;
    private long lastSrArrivalNanos;
    private boolean haveSr;
    private long srNtp;
    private long srRtp;

    public ReceiveStats(int clockRate) {
        this.clockRate = clockRate;
    }

    /** One packet arrived. */
    public void onPacket(int seq, long rtpTimestamp, long nowNanos) {
        if (!started) {
            started = true;
            baseSeq = seq;
            maxSeq = seq;
        } else {
            int delta = (seq - maxSeq) & 0xFFFF;
            if (delta != 0 && delta < 0x8000) {
                if (seq < maxSeq) cycles += 0x10000;
                maxSeq = seq;
            }
        }
        received++;
        // Interarrival jitter in RTP units (RFC 3550 A.8).
        long arrival = nowNanos / 1000 * clockRate / 1_000_000;
        long transit = arrival - rtpTimestamp;
        if (haveTransit) {
            long d = Math.abs(transit - lastTransit);
            jitter += (d - jitter) / 16.0;
        }
        lastTransit = transit;
        haveTransit = true;
    }

    /** A sender report of this stream arrived. */
    public void onSenderReport(long ntp, long rtpTimestamp, long nowNanos) {
        haveSr = true;
        lastSrNtpMiddle = (ntp >>> 16) & 0xFFFFFFFFL;
        lastSrArrivalNanos = nowNanos;
        srNtp = ntp;
        srRtp = rtpTimestamp;
    }

    public boolean started() { return started; }
    public long received() { return received; }
    public boolean haveSenderReport() { return haveSr; }
    /** NTP time of the last SR (64-bit). */
    public long senderReportNtp() { return srNtp; }
    public long senderReportRtp() { return srRtp; }
    public long senderReportArrivalNanos() { return lastSrArrivalNanos; }
    public int clockRate() { return clockRate; }

    public long extendedHighestSequence() {
        return (cycles + maxSeq) & 0xFFFFFFFFL;
    }

    /**
     * Writes a 24-byte report block for {@code ssrc} at {@code off} and advances the interval counters.
     */
    public void writeReportBlock(byte[] b, int off, long ssrc, long nowNanos) {
        long extMax = cycles + (long) maxSeq;
        long expected = extMax - baseSeq + 1;
        long lost = Math.max(0, Math.min(expected - received, 0x7FFFFF));
        long expectedInterval = expected - expectedPrior;
        long receivedInterval = received - receivedPrior;
        expectedPrior = expected;
        receivedPrior = received;
        long lostInterval = expectedInterval - receivedInterval;
        int fraction = expectedInterval <= 0 || lostInterval <= 0 ? 0 : (int) ((lostInterval << 8) / expectedInterval);
        RtcpWriter.put32(b, off, ssrc);
        b[off + 4] = (byte) Math.min(fraction, 255);
        b[off + 5] = (byte) (lost >>> 16);
        b[off + 6] = (byte) (lost >>> 8);
        b[off + 7] = (byte) lost;
        RtcpWriter.put32(b, off + 8, extMax & 0xFFFFFFFFL);
        RtcpWriter.put32(b, off + 12, (long) jitter & 0xFFFFFFFFL);
        RtcpWriter.put32(b, off + 16, haveSr ? lastSrNtpMiddle : 0);
        long dlsr = haveSr ? (nowNanos - lastSrArrivalNanos) * 65536 / 1_000_000_000L : 0;
        RtcpWriter.put32(b, off + 20, haveSr ? dlsr & 0xFFFFFFFFL : 0);
    }
}
