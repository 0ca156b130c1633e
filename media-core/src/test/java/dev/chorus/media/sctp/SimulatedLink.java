package dev.chorus.media.sctp;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Two associations joined by a simulated datagram path with a fake clock: each packet is independently lost,
 * duplicated, or delayed by a random extra amount (which reorders), from a seeded generator so a failure replays.
 * {@link #runUntil} advances time event by event (packet arrival or the next association timer); no sleeps.
 */
final class SimulatedLink {

    record Impairment(double loss, double duplicate, long baseDelayMillis, long jitterMillis) {
        static final Impairment CLEAN = new Impairment(0, 0, 10, 0);
    }

    record Delivery(int stream, int ppid, byte[] data) {}

    /** Collects what one side's association reports. */
    static final class Recorder implements SctpAssociation.Listener {
        final List<Delivery> messages = new ArrayList<>();
        final List<int[]> incomingResets = new ArrayList<>();
        final List<int[]> outgoingResets = new ArrayList<>();
        boolean established;
        SctpAssociation.CloseReason closed;

        @Override public void onEstablished() { established = true; }
        @Override public void onMessage(int stream, int ppid, byte[] message) {
            messages.add(new Delivery(stream, ppid, message));
        }
        @Override public void onIncomingStreamsReset(int[] streams) { incomingResets.add(streams); }
        @Override public void onOutgoingStreamsReset(int[] streams) { outgoingResets.add(streams); }
        @Override public void onClosed(SctpAssociation.CloseReason reason) { closed = reason; }
    }

    private record InFlight(long at, long order, boolean toB, byte[] packet) {}

    private final PriorityQueue<InFlight> wire = new PriorityQueue<>(
            (x, y) -> x.at != y.at ? Long.compare(x.at, y.at) : Long.compare(x.order, y.order));
    private final Random random;
    private long order;
    long now = 1_000_000;
    Impairment aToB = Impairment.CLEAN;
    Impairment bToA = Impairment.CLEAN;
    boolean cut;
    final SctpAssociation a;
    final SctpAssociation b;
    final Recorder aEvents;
    final Recorder bEvents;
    long packetsAToB;
    long packetsBToA;

    SimulatedLink(long seed, SctpConfig configA, SctpConfig configB) {
        this(seed, configA, configB, new Recorder(), new Recorder());
    }

    SimulatedLink(long seed, SctpConfig configA, SctpConfig configB, SctpAssociation.Listener la,
                  SctpAssociation.Listener lb) {
        this.random = new Random(seed);
        this.aEvents = la instanceof Recorder r ? r : null;
        this.bEvents = lb instanceof Recorder r ? r : null;
        this.a = new SctpAssociation(configA, new SplittableRandom(seed * 31 + 1), p -> transmit(true, p), la);
        this.b = new SctpAssociation(configB, new SplittableRandom(seed * 31 + 2), p -> transmit(false, p), lb);
    }

    static SctpConfig config() {
        return SctpConfig.webRtc("0123456789abcdef0123456789abcdef".getBytes());
    }

    private void transmit(boolean toB, byte[] packet) {
        if (toB) packetsAToB++; else packetsBToA++;
        if (cut) return;
        Impairment imp = toB ? aToB : bToA;
        if (random.nextDouble() < imp.loss) return;
        int copies = random.nextDouble() < imp.duplicate ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            long delay = imp.baseDelayMillis + (imp.jitterMillis > 0 ? random.nextLong(imp.jitterMillis + 1) : 0);
            wire.add(new InFlight(now + delay, order++, toB, packet.clone()));
        }
    }

    /** Runs events until {@code done} holds or {@code until} (fake ms) passes; returns whether {@code done} held. */
    boolean runUntil(long until, java.util.function.BooleanSupplier done) {
        for (int steps = 0; steps < 5_000_000; steps++) {
            if (done.getAsBoolean()) return true;
            long next = Math.min(a.nextTimeoutMillis(), b.nextTimeoutMillis());
            InFlight head = wire.peek();
            if (head != null && head.at <= next) {
                if (head.at > until) { now = until; return done.getAsBoolean(); }
                wire.poll();
                now = Math.max(now, head.at);
                (head.toB ? b : a).handlePacket(head.packet, 0, head.packet.length, now);
            } else {
                if (next == Long.MAX_VALUE || next > until) { now = until; return done.getAsBoolean(); }
                now = Math.max(now, next);
                if (a.nextTimeoutMillis() <= now) a.handleTimeout(now);
                if (b.nextTimeoutMillis() <= now) b.handleTimeout(now);
            }
        }
        throw new AssertionError("simulation did not settle within its step bound");
    }

    boolean connect() {
        a.connect(now);
        b.connect(now);
        return runUntil(now + 60_000, () -> a.state() == SctpAssociation.State.ESTABLISHED
                && b.state() == SctpAssociation.State.ESTABLISHED);
    }

    boolean idle() { return wire.isEmpty(); }
}
