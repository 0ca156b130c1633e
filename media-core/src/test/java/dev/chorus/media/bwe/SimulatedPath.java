package dev.chorus.media.bwe;

import dev.chorus.media.sfu.rtcp.TransportCcRecorder;
import java.util.ArrayDeque;
import java.util.SplittableRandom;

/**
 * A test network path from the SFU to one subscriber, in simulated time: a bottleneck of {@code capacityBps} with
 * a drop-tail queue of {@code queueMicros} and optionally a token bucket ({@link #bucketBytes}: what tc tbf does), {@code oneWayMicros} of propagation, optional random
 * loss, and at the receiver the project's real transport-cc feedback writer ({@link TransportCcRecorder}) sending
 * feedback every 50 ms back to a {@link SendSideBandwidthEstimator}. The sender fills the estimate with 1200-byte
 * packets (an application that has enough layers to use whatever it gets), or at {@link #sendRate}; a key frame
 * ({@link #keyFrame}) goes out on top of that at the SFU's pacing rate (2.5 × the estimate). A {@link #blackout}
 * drops every packet in both directions (no feedback either), as an unplugged link.
 */
public final class SimulatedPath {
    record InFlight(int seq, long arrivalMicros) {}

    final SendSideBandwidthEstimator bwe;
    public long capacityBps;
    /** What the application sends (bits/s); the estimate by default. */
    public java.util.function.LongSupplier sendRate;
    /** Size of the packets sent at {@link #sendRate} (small ones: audio and a low layer come as many small packets). */
    public int packetBytes = 1200;
    final long queueMicros;
    final long oneWayMicros;
    double randomLoss;
    /**
     * The bottleneck's token bucket in bytes (tc tbf's {@code burst}; 0: none, each packet is serialised at the
     * capacity). Tokens accrue at the capacity up to this; a packet leaves as soon as there are tokens for it, so a
     * short burst passes at its own rate until the bucket is empty.
     */
    public int bucketBytes;
    private double tokens;
    private final SplittableRandom random = new SplittableRandom(42);
    private final TransportCcRecorder recorder = new TransportCcRecorder(4096);
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private final ArrayDeque<long[]> feedbackInFlight = new ArrayDeque<>(); // {deliverAtMicros, index}
    private final java.util.List<byte[]> feedbackPackets = new java.util.ArrayList<>();
    private long linkFreeAt;
    private int seq;
    private long nextFeedbackAt;
    private double sendCredit;
    private long burstBytes;
    private double burstCredit;
    /** While true nothing reaches the receiver and no feedback comes back. */
    public boolean blackout;
    public long nowMicros;
    long sentBytes;
    long droppedPackets;
    long maxQueueMicros;

    public SimulatedPath(SendSideBandwidthEstimator bwe, long capacityBps, long queueMicros, long oneWayMicros) {
        this.bwe = bwe;
        this.capacityBps = capacityBps;
        this.queueMicros = queueMicros;
        this.oneWayMicros = oneWayMicros;
    }

    /** Runs {@code micros} of simulated time in 1 ms steps; the sender sends at the current estimate. */
    public void run(long micros) {
        long end = nowMicros + micros;
        while (nowMicros < end) {
            nowMicros += 1000;
            sendCredit += (sendRate != null ? sendRate.getAsLong() : bwe.estimateBps()) / 8.0 / 1000.0;
            while (sendCredit >= packetBytes) {
                send(packetBytes, false);
                sendCredit -= packetBytes;
            }
            if (burstBytes > 0) {
                burstCredit += bwe.estimateBps() * 2.5 / 8.0 / 1000.0;
                while (burstBytes > 0 && burstCredit >= 1200) {
                    send(1200, false);
                    burstBytes -= 1200;
                    burstCredit -= 1200;
                }
            } else {
                burstCredit = 0;
            }
            ProbeCluster probe = bwe.activeProbe();
            if (probe != null && !probe.sendingDone(nowMicros)) {
                long due = probe.bytesDue(nowMicros);
                while (due > 0) {
                    send(1200, true);
                    due -= 1200;
                }
            }
            deliver();
        }
    }

    /** A key frame of {@code bytes} to send on top of the rate, paced at 2.5 × the estimate. */
    public void keyFrame(int bytes) {
        burstBytes += bytes;
    }

    private void send(int bytes, boolean probe) {
        int s = seq++ & 0xFFFF;
        if (probe) bwe.onProbeSent(s, bytes, nowMicros * 1000);
        else bwe.onPacketSent(s, bytes, nowMicros * 1000);
        sentBytes += bytes;
        if (blackout) {
            droppedPackets++;
            return;
        }
        long start = Math.max(nowMicros, linkFreeAt);
        if (start - nowMicros > queueMicros) {
            droppedPackets++;
            return; // drop-tail
        }
        maxQueueMicros = Math.max(maxQueueMicros, start - nowMicros);
        // Tokens accrued since the previous packet left (none before it left); without a bucket, none at all.
        tokens = Math.min(bucketBytes, tokens + (start - linkFreeAt) * (capacityBps / 8e6));
        if (tokens >= bytes) {
            tokens -= bytes;
            linkFreeAt = start;
        } else {
            linkFreeAt = start + (long) ((bytes - tokens) * 8 * 1_000_000 / capacityBps);
            tokens = 0;
        }
        if (randomLoss > 0 && random.nextDouble() < randomLoss) return;
        inFlight.add(new InFlight(s, linkFreeAt + oneWayMicros));
    }

    private void deliver() {
        while (!inFlight.isEmpty() && inFlight.peek().arrivalMicros() <= nowMicros) {
            InFlight p = inFlight.poll();
            recorder.onPacket(p.seq(), p.arrivalMicros() * 1000);
        }
        if (nowMicros >= nextFeedbackAt && !blackout) {
            nextFeedbackAt = nowMicros + 50_000;
            while (recorder.hasPending()) {
                byte[] fb = new byte[1500];
                int len = recorder.writeFeedback(fb, 0, 1, 2);
                if (len == 0) break;
                feedbackPackets.add(java.util.Arrays.copyOf(fb, len));
                feedbackInFlight.add(new long[] {nowMicros + oneWayMicros, feedbackPackets.size() - 1});
            }
        }
        while (!blackout && !feedbackInFlight.isEmpty() && feedbackInFlight.peek()[0] <= nowMicros) {
            byte[] fb = feedbackPackets.get((int) feedbackInFlight.poll()[1]);
            if (!bwe.onFeedback(fb, 0, fb.length, nowMicros * 1000)) throw new AssertionError("feedback refused");
        }
    }
}
