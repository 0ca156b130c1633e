package dev.chorus.media.sfu;

import dev.chorus.media.rtp.RtcpCompound;
import dev.chorus.media.rtp.RtcpStatus;
import dev.chorus.media.rtp.RtpPacket;
import dev.chorus.media.rtp.RtpStatus;
import dev.chorus.media.srtp.SrtpAuthFailureAlarm;
import dev.chorus.media.srtp.SrtpResult;
import dev.chorus.media.srtp.SrtpStats;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One room worker thread: owns its rooms' media state. Its loop runs tasks handed over by other threads
 * ({@link #execute}), drains the packet ring filled by the UDP event loop (decrypt, filter, forward, re-encrypt,
 * queue), flushes the sends of the drain once, and runs the rooms' timers (RTCP, keyframe requests, empty-room
 * grace). It parks when idle; the producer unparks it only if it is parked.
 */
final class Worker implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);
    /** Packets per drain before tasks and timers get a turn. */
    private static final int DRAIN_BUDGET = 256;
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    final int index;
    final SfuConfig config;
    final SfuCounters counters = new SfuCounters();
    /** Inbound SRTP outcomes of this worker's transports (single writer: this worker). */
    final SrtpStats inboundSrtp = new SrtpStats();
    /** Data relay counters of this worker's rooms (single writer: this worker). */
    final dev.chorus.media.datarelay.DataRelayCounters dataCounters = new dev.chorus.media.datarelay.DataRelayCounters();
    final LongSupplier clock;
    final PacketRing ring;
    private final Runnable flusher;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    final List<RoomImpl> rooms = new ArrayList<>();
    final AtomicInteger roomCount = new AtomicInteger();
    /** Gauges, written by the worker. */
    volatile int participants;
    volatile int tracks;
    private volatile boolean parked;
    /** When the worker wakes for handed-over packets: per packet, or polling within a batch window. */
    final WakePolicy wake;
    /** Worker-confined: packets drained since the worker last parked, and the newest one's hand-over time. */
    private int drainedSinceWake;
    private long newestArrival;
    private volatile boolean running;
    private Thread thread;
    private long nextTick;
    boolean sentSomething;
    /** Where the latency tail is spent inside the server: hand-over to pick-up, and hand-over to sent (worker-written). */
    final DelayHistogram queueDelay = new DelayHistogram();
    final DelayHistogram residence = new DelayHistogram();
    /** Hand-over times of the packets drained since the last flush (for {@link #residence}). */
    private final long[] drainedAt = new long[DRAIN_BUDGET];
    private int drained;

    // Worker-confined scratch, reused for every packet.
    final RtpPacket rtp = new RtpPacket();
    final RtcpCompound rtcp = new RtcpCompound();
    final int[] newLength = new int[1];
    /** Sequence numbers one stream NACKs to its publisher per tick (the rest waits for the next tick, 10 ms). */
    final int[] nackSeqs = new int[64];
    /** Outgoing packets built by the worker (RTX, RTCP): a datagram plus SRTP growth. */
    final byte[] out = new byte[PacketRing.SLOT_BYTES + 2];
    /** The original header of the packet being forwarded (restored before each subscriber's rewrite). */
    final byte[] savedHeader = new byte[PacketRing.SLOT_BYTES];
    /** One reusable payload descriptor per video codec (layer selection parses every packet of a layered track). */
    private final dev.chorus.media.simulcast.PayloadDescriptor[] descriptors = descriptors();

    private static dev.chorus.media.simulcast.PayloadDescriptor[] descriptors() {
        dev.chorus.media.simulcast.VideoCodec[] codecs = dev.chorus.media.simulcast.VideoCodec.values();
        dev.chorus.media.simulcast.PayloadDescriptor[] d = new dev.chorus.media.simulcast.PayloadDescriptor[codecs.length];
        for (int i = 0; i < codecs.length; i++) d[i] = codecs[i].newDescriptor();
        return d;
    }

    /** This worker's descriptor for {@code codec}'s payloads. */
    dev.chorus.media.simulcast.PayloadDescriptor descriptor(dev.chorus.media.simulcast.VideoCodec codec) {
        return descriptors[codec.ordinal()];
    }

    Worker(int index, SfuConfig config, LongSupplier clock, Runnable flusher) {
        this(index, config, clock, flusher, WakePolicy.fromSystemProperty());
    }

    Worker(int index, SfuConfig config, LongSupplier clock, Runnable flusher, WakePolicy wake) {
        this.index = index;
        this.wake = wake;
        this.config = config;
        this.clock = clock;
        this.flusher = flusher;
        this.ring = new PacketRing(config.workerQueueCapacity());
    }

    void start() {
        running = true;
        thread = Thread.ofPlatform().daemon().name("chorus-sfu-worker-" + index).start(this);
    }

    /** Stops the loop after the tasks already queued ran; waits up to {@code millis}. */
    void stop(long millis) throws InterruptedException {
        running = false;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            t.join(millis);
        }
    }

    boolean inWorker() {
        return Thread.currentThread() == thread;
    }

    /** Hands a task to the worker (any thread). Tasks run in order. */
    void execute(Runnable task) {
        tasks.add(task);
        if (parked) LockSupport.unpark(thread);
    }

    /** Producer (UDP event loop): hands a protected datagram over, or drops and counts it. */
    void offer(Endpoint source, byte[] buf, int off, int len) {
        if (len > PacketRing.SLOT_BYTES - 16 || !ring.offer(source, buf, off, len, clock.getAsLong())) {
            counters.queueFull++;
            return;
        }
        // A polling worker comes by within the batch window on its own; a filling ring (a key frame's burst) wakes it now.
        if (parked && (wake.unparkOnPacket() || ring.backlogAtLeast(ring.capacity() / 4))) LockSupport.unpark(thread);
    }

    @Override
    public void run() {
        nextTick = clock.getAsLong() + TICK_NANOS;
        while (running) {
            try {
                turn();
            } catch (RuntimeException | Error e) {
                // A bug must not kill the worker: its rooms would silently stop.
                LOG.error("sfu worker {} loop error", index, e);
            }
        }
        runTasks();
    }

    /**
     * One turn of the loop: tasks, a drain, the timers, the flush, and a park when there was nothing to do. A method
     * of its own because a loop entered once stays in the interpreter until its back-edge counter reaches the
     * on-stack-replacement threshold (tens of thousands of turns: at 1 → 50 the loop was still interpreted 40 s after
     * start, 0.8 % of the worker's CPU in a profile, 0.2 % after this change); a method called a thousand times a
     * second is compiled in seconds.
     */
    private void turn() {
        runTasks();
        int n = drain(DRAIN_BUDGET);
        drainedSinceWake += n;
        long now = clock.getAsLong();
        if (now - nextTick >= 0) {
            nextTick = now + TICK_NANOS;
            tick(now);
        }
        flushIfNeeded();
        if (n == 0 && tasks.isEmpty()) {
            long wait = wake.afterDrain(drainedSinceWake, newestArrival, nextTick - clock.getAsLong());
            drainedSinceWake = 0;
            parked = true;
            if (ring.isEmpty() && tasks.isEmpty() && running) {
                LockSupport.parkNanos(this, wait);
            }
            parked = false;
        }
    }

    private void runTasks() {
        Runnable task;
        int budget = 1024;
        while (budget-- > 0 && (task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("sfu worker {} task failed", index, e);
            }
        }
    }

    /** Sends what the drain and the timers queued (one sendmmsg), then records how long each drained packet was in the server. */
    void flushIfNeeded() {
        if (sentSomething) {
            sentSomething = false;
            flusher.run();
        }
        if (drained > 0) {
            long done = clock.getAsLong();
            for (int i = 0; i < drained; i++) residence.record(done - drainedAt[i]);
            drained = 0;
        }
    }

    /** Processes up to {@code budget} queued datagrams; returns how many. */
    int drain(int budget) {
        int n = 0;
        int slot;
        long started = 0;
        while (n < budget && (slot = ring.peek()) >= 0) {
            if (n == 0) started = clock.getAsLong(); // one clock read per drain: the wake-up is what this measures
            long offered = ring.offeredAt[slot];
            queueDelay.record(started - offered);
            if (drained < drainedAt.length) drainedAt[drained++] = offered;
            newestArrival = offered;
            Endpoint source = ring.sources[slot];
            try {
                process(source, ring.data[slot], ring.lengths[slot], offered);
            } catch (RuntimeException e) {
                counters.drop(SfuDropReason.MALFORMED);
            } finally {
                ring.release(slot);
            }
            n++;
        }
        return n;
    }

    /** One protected datagram of {@code source} that arrives now (tests and harnesses). */
    void process(Endpoint source, byte[] buf, int len) {
        process(source, buf, len, clock.getAsLong());
    }

    /**
     * One protected datagram of {@code source}: decrypt, check, dispatch to its room. {@code arrivedAt} is when the
     * event loop handed it over: the publisher's transport-cc arrival time, which must not carry the worker's
     * wake-up latency or a batch window's wait ({@link WakePolicy}).
     */
    void process(Endpoint source, byte[] buf, int len, long arrivedAt) {
        if (source.closed) {
            counters.drop(SfuDropReason.CLOSED);
            return;
        }
        boolean isRtcp = RtpPacket.isRtcp(buf, 0, len);
        SrtpResult result = source.link.unprotect(buf, 0, len, isRtcp, newLength);
        if (result != SrtpResult.OK) {
            counters.drop(SfuDropReason.DECRYPT_FAILED);
            if (result == SrtpResult.AUTH_FAILED) onAuthFailure(source);
            return;
        }
        int n = newLength[0];
        long now = clock.getAsLong(); // monotonic across packets and ticks, unlike the hand-over times of a batch
        if (isRtcp) {
            counters.rtcpIn++;
            if (rtcp.wrap(buf, 0, n) != RtcpStatus.OK) {
                counters.drop(SfuDropReason.MALFORMED);
                return;
            }
            source.participant.onRtcp(source, rtcp, now);
        } else {
            counters.packetsIn++;
            if (rtp.wrap(buf, 0, n) != RtpStatus.OK) {
                counters.drop(SfuDropReason.MALFORMED);
                return;
            }
            if (source.role != TransportRole.PUBLISH) {
                counters.drop(SfuDropReason.NOT_PUBLISHED);
                return;
            }
            source.participant.onRtp(rtp, now, arrivedAt);
        }
    }

    /** A burst of SRTP authentication failures goes to the participant's listener (the operator's log), rate-limited. */
    private void onAuthFailure(Endpoint source) {
        SrtpAuthFailureAlarm alarm = source.authFailures;
        if (alarm.onFailure(clock.getAsLong())) {
            source.participant.listener.onSrtpAuthFailures(source.role, alarm.failuresInWindow(), alarm.windowSeconds(),
                    alarm.totalFailures());
        }
    }

    private void tick(long now) {
        for (int i = 0; i < rooms.size(); i++) {
            RoomImpl room = rooms.get(i);
            room.tick(now);
            if (room.isClosed()) {
                rooms.remove(i--);
            }
        }
    }

    void addRoom(RoomImpl room) {
        rooms.add(room);
    }
}
