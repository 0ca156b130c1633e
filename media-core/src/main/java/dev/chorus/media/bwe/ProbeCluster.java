package dev.chorus.media.bwe;

/**
 * One probe: a short burst sent at a target rate (media topped up with padding or RTX, {@link #MIN_DURATION_MICROS} and at least
 * {@link #MIN_PACKETS} packets) to learn whether the path carries more than the current estimate before the
 * allocator switches a subscriber up. Tracks what was sent and what the feedback says arrived; the probed rate is
 * the lower of the send and the receive rate of the burst (libwebrtc's probe_bitrate_estimator idea). Sans-IO.
 */
public final class ProbeCluster {
    /**
     * A probe lasts at least this long and this many packets (libwebrtc: 15 ms, 5 packets). Longer here: a short burst
     * of small packets fits in a shaper's token bucket and passes at line rate, so the probe "proves" a rate the link
     * does not have (seen with Chromium behind tc tbf: 5 packets of ~300 bytes measured 28 Mbit/s on an 800 kbit/s
     * link); 50 ms and 10 packets take the burst well past a bucket of a packet or two.
     */
    public static final long MIN_DURATION_MICROS = 50_000;
    public static final int MIN_PACKETS = 10;
    /** A probe whose feedback has not come within this time failed. */
    public static final long TIMEOUT_MICROS = 1_000_000;

    final int id;
    final long targetBps;
    final long startMicros;
    private int sentPackets;
    private long sentBytes;
    private long firstSend = -1;
    private long lastSend;
    private int receivedPackets;
    private long receivedBytes;
    private long firstArrival = -1;
    private long lastArrival;
    private int firstArrivalSize;
    private boolean filledLink;

    ProbeCluster(int id, long targetBps, long startMicros) {
        this.id = id;
        this.targetBps = targetBps;
        this.startMicros = startMicros;
    }

    public int id() { return id; }
    public long targetBps() { return targetBps; }

    /** Bytes the burst should have sent by {@code nowMicros} at its target rate, minus what it sent. */
    public long bytesDue(long nowMicros) {
        long elapsed = Math.max(nowMicros - startMicros, 1_000);
        return targetBps * elapsed / 8_000_000 - sentBytes;
    }

    /** True once the burst is long and large enough. */
    public boolean sendingDone(long nowMicros) {
        return sentPackets >= MIN_PACKETS && nowMicros - startMicros >= MIN_DURATION_MICROS;
    }

    void onSent(int bytes, long sendMicros) {
        if (firstSend < 0) firstSend = sendMicros;
        lastSend = sendMicros;
        sentPackets++;
        sentBytes += bytes;
    }

    void onReceived(int bytes, long sendMicros, long arrivalMicros) {
        if (firstArrival < 0 || arrivalMicros < firstArrival) {
            firstArrival = arrivalMicros;
            firstArrivalSize = bytes;
        }
        lastArrival = Math.max(lastArrival, arrivalMicros);
        receivedPackets++;
        receivedBytes += bytes;
    }

    /** The probed rate once enough of the burst is acknowledged, else -1. */
    long result() {
        if (sentPackets < MIN_PACKETS || receivedPackets < Math.max(MIN_PACKETS, sentPackets * 8 / 10)) return -1;
        long sendSpan = Math.max(lastSend - firstSend, 1_000);
        long recvSpan = Math.max(lastArrival - firstArrival, 1_000);
        // The first packet's bytes were on the wire before the send span began (and the first arrival's before
        // the receive span), so they do not count towards the rate.
        long sendBps = (sentBytes - sentBytes / sentPackets) * 8_000_000 / sendSpan;
        long recvBps = (receivedBytes - firstArrivalSize) * 8_000_000 / recvSpan;
        filledLink = recvBps < 0.9 * sendBps;
        return Math.min(sendBps, recvBps);
    }

    /**
     * After a {@link #result}: the burst arrived spread out (received under 0.9 × its send rate), so the link was full
     * and the result is its capacity rather than a lower bound of it.
     */
    boolean filledLink() { return filledLink; }
}
