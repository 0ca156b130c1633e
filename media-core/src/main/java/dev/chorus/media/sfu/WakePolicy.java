package dev.chorus.media.sfu;

import java.util.concurrent.TimeUnit;

/**
 * When a worker wakes for the packets the UDP event loop hands over (issue 11). Sans-IO: fed the worker's drains and
 * the clock, it answers how long the worker may park and whether the event loop has to unpark it.
 *
 * <p>Waking the worker for each packet costs a futex wake on the event loop, often a preemption there, and a
 * context switch on the worker, all for one published packet (at 2,000 packets/s they arrive 500 µs apart, so
 * nothing batches). With a batch window {@code B > 0}, a worker that is receiving media <em>polls</em>: it parks for
 * at most {@code B}, the event loop does not unpark it, and each wake drains every packet that came meanwhile and
 * sends them in one sendmmsg. No packet waits more than {@code B} (plus the scheduler's wake-up latency) before the
 * worker picks it up. After {@link #IDLE_POLLS} empty polls in a row the worker goes back to waiting for an unpark,
 * so an idle room costs no timer wake-ups and the first packet after silence is not delayed. {@code B = 0} is the
 * old behaviour: an unpark per packet.
 *
 * <p>Threading: {@link #afterDrain} is the worker's; {@link #polling} is published to the event loop through a
 * volatile write. The worker clears it before its last look at the ring and the event loop reads it after
 * publishing a packet, so either the worker sees the packet or the event loop sees that it must unpark (as with
 * {@code Worker.parked}).
 */
final class WakePolicy {
    /** Empty polls in a row before the worker stops polling. */
    static final int IDLE_POLLS = 2;
    /** The shortest park (a timer shorter than this costs more than it saves). */
    static final long MIN_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

    private final long batchNanos;
    private volatile boolean polling;
    /** Worker-confined. */
    private int emptyPolls;
    private long lastArrival = Long.MIN_VALUE;

    WakePolicy(long batchNanos) {
        if (batchNanos < 0) throw new IllegalArgumentException("batchNanos");
        this.batchNanos = batchNanos;
    }

    /** The window from {@code -Dchorus.sfu.batchMicros} (default {@value #DEFAULT_BATCH_MICROS} µs; 0 = unpark per packet). */
    static WakePolicy fromSystemProperty() {
        return new WakePolicy(TimeUnit.MICROSECONDS.toNanos(Long.getLong("chorus.sfu.batchMicros", DEFAULT_BATCH_MICROS)));
    }

    static final long DEFAULT_BATCH_MICROS = 1000;

    /** Event loop, after it published a packet: whether a parked worker must be unparked for it. */
    boolean unparkOnPacket() {
        return !polling;
    }

    /**
     * Worker, after a drain of {@code drained} packets, the newest handed over at {@code newestArrival}, before it
     * looks at the ring a last time and parks: how long it may park ({@code untilTickNanos} is the time to its next
     * timer tick). It polls only while packets come closer together than the window (two in one wake, or this wake's
     * newest within the window of the previous wake's): a room with one audio stream (a packet every 20 ms) keeps one
     * wake-up per packet instead of adding empty polls.
     */
    long afterDrain(int drained, long newestArrival, long untilTickNanos) {
        long untilTick = Math.max(MIN_PARK_NANOS, untilTickNanos);
        if (batchNanos == 0) return untilTick;
        if (drained > 0) {
            boolean dense = drained >= 2 || (lastArrival != Long.MIN_VALUE && newestArrival - lastArrival <= batchNanos);
            lastArrival = newestArrival;
            emptyPolls = 0;
            if (dense != polling) polling = dense;
        } else if (polling && ++emptyPolls >= IDLE_POLLS) {
            polling = false;
        }
        return polling ? Math.max(MIN_PARK_NANOS, Math.min(batchNanos, untilTickNanos)) : untilTick;
    }

    boolean polling() {
        return polling;
    }

    long batchNanos() {
        return batchNanos;
    }
}
