package dev.chorus.media.sctp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * One SCTP association over an already secured datagram path (SCTP over DTLS, RFC 8261), as a sans-IO state
 * machine: feed it received packets ({@link #handlePacket}), the time ({@link #handleTimeout} when
 * {@link #nextTimeoutMillis()} is reached) and the application's messages ({@link #send}); it hands packets to its
 * {@link PacketSink} and events to its {@link Listener}. It owns no thread, socket or clock; all calls come from one
 * thread.
 *
 * <p>Covers RFC 9260 set-up with a stateless signed cookie (either side may {@link #connect}, an INIT collision is
 * resolved as in section 5.2.1), DATA/SACK with ordered and unordered delivery, fragmentation and reassembly up to
 * the configured max message size, congestion and flow control, T3-rtx and fast retransmit, HEARTBEAT, graceful
 * SHUTDOWN and ABORT; RFC 3758 partial reliability (FORWARD-TSN); RFC 6525 outgoing stream reset, which WebRTC uses
 * to close a data channel (RFC 8831 section 6.7). Not implemented (not used by WebRTC peers): multi-homing, AUTH,
 * I-DATA interleaving, association restart; an INIT on an established association is counted and ignored.
 *
 * <p>Bad input never throws: a packet that fails the header checks is dropped and counted by reason, a malformed
 * chunk is skipped and counted, and the rest of a packet is still processed.
 */
public final class SctpAssociation {

    public enum State { IDLE, COOKIE_WAIT, COOKIE_ECHOED, ESTABLISHED, SHUTDOWN_PENDING, SHUTDOWN_SENT,
        SHUTDOWN_RECEIVED, SHUTDOWN_ACK_SENT, CLOSED }

    public enum CloseReason { SHUTDOWN, LOCAL_ABORT, PEER_ABORT, PEER_UNREACHABLE, PROTOCOL_VIOLATION }

    public enum SendResult { QUEUED, NOT_ESTABLISHED, TOO_LARGE, BUFFER_FULL, EMPTY, INVALID_STREAM }

    /** Where finished packets go (the DTLS session's application data, or a simulated link in tests). */
    @FunctionalInterface
    public interface PacketSink {
        void send(byte[] packet);
    }

    public interface Listener {
        default void onEstablished() {}

        void onMessage(int stream, int ppid, byte[] message);

        /** The peer reset these incoming streams (their SSNs start at 0 again). */
        default void onIncomingStreamsReset(int[] streams) {}

        /** Our reset of these outgoing streams was performed by the peer. */
        default void onOutgoingStreamsReset(int[] streams) {}

        default void onClosed(CloseReason reason) {}
    }

    private final SctpConfig config;
    private final RandomGenerator random;
    private final PacketSink sink;
    private final Listener listener;
    private final SctpPacketParser parser = new SctpPacketParser();
    private final SctpPacketBuilder builder;
    private final SctpCounters counters = new SctpCounters();
    private final RtoEstimator rto;

    private State state = State.IDLE;
    private int localTag;
    private int peerTag;
    private int localInitialTsn;
    private int outboundStreams;
    private int inboundStreams;
    private boolean peerReconfig;
    private SctpSender sender;
    private SctpReceiver receiver;

    private long t1Deadline = Long.MAX_VALUE;
    private int t1Count;
    private byte[] cookieToEcho;
    private long t3Deadline = Long.MAX_VALUE;
    private long ackDeadline = Long.MAX_VALUE;
    private long heartbeatDeadline = Long.MAX_VALUE;
    private long t2Deadline = Long.MAX_VALUE;
    private long reconfigDeadline = Long.MAX_VALUE;
    private int errorCount;

    private boolean sackDue;
    private boolean sackNow;
    private int dataPacketsUnacked;
    private long heartbeatNonce;
    private boolean heartbeatOutstanding;

    private final LinkedHashSet<Integer> resetQueue = new LinkedHashSet<>();
    private int[] resetInFlight;
    private int nextRequestSeq;
    private long requestLastTsn;
    private int expectedPeerRequestSeq;
    private int lastPeerRequestResult = SctpChunks.RESULT_PERFORMED;
    private int[] deferredIncomingReset;
    private long deferredIncomingLastTsn;
    private int deferredIncomingSeq;

    private boolean inHandler;
    private boolean closedNotified;

    public SctpAssociation(SctpConfig config, RandomGenerator random, PacketSink sink, Listener listener) {
        this.config = config;
        this.random = random;
        this.sink = sink;
        this.listener = listener;
        this.builder = new SctpPacketBuilder(config.mtu());
        this.rto = new RtoEstimator(config.rtoInitialMillis(), config.rtoMinMillis(), config.rtoMaxMillis());
    }

    public State state() { return state; }

    public long count(SctpCounter counter) { return counters.get(counter); }

    /** Bytes accepted by {@link #send} and not yet acknowledged or abandoned. */
    public long bufferedAmount() { return sender == null ? 0 : sender.buffered(); }

    public int maxMessageSize() { return config.maxMessageSize(); }

    /** Undelivered bytes the receiving half holds (fragments and messages waiting for an earlier SSN). */
    long receiveBytesHeld() { return receiver == null ? 0 : receiver.bytesHeld(); }

    /** The current retransmission timeout (for metrics and tests). */
    public long rtoMillis() { return rto.rto(); }

    /** Earliest time {@link #handleTimeout} has work to do, or {@link Long#MAX_VALUE}. */
    public long nextTimeoutMillis() {
        if (state == State.CLOSED) return Long.MAX_VALUE;
        return Math.min(Math.min(Math.min(t1Deadline, t3Deadline), Math.min(ackDeadline, heartbeatDeadline)),
                Math.min(t2Deadline, reconfigDeadline));
    }

    /** Starts set-up by sending INIT (the active side; WebRTC peers usually both do this). */
    public void connect(long now) {
        if (state != State.IDLE) return;
        localTag = nonZeroRandom();
        localInitialTsn = random.nextInt();
        state = State.COOKIE_WAIT;
        t1Count = 0;
        sendInit(now);
    }

    // ---------------------------------------------------------------- sending

    public SendResult send(int stream, int ppid, byte[] message, SendOptions options, long now) {
        if (state != State.ESTABLISHED) return SendResult.NOT_ESTABLISHED;
        if (message.length == 0) return SendResult.EMPTY;
        if (message.length > config.maxMessageSize()) return SendResult.TOO_LARGE;
        if (stream < 0 || stream >= outboundStreams) return SendResult.INVALID_STREAM;
        if (!sender.enqueue(stream, ppid, message, options, now)) return SendResult.BUFFER_FULL;
        if (!inHandler) flush(now);
        return SendResult.QUEUED;
    }

    /** Asks the peer to reset these outgoing streams (sent once no queued message of theirs is left unsent). */
    public void resetStreams(int[] streams, long now) {
        if (state != State.ESTABLISHED) return;
        for (int s : streams) resetQueue.add(s);
        if (!inHandler) flush(now);
    }

    /** Graceful close: SHUTDOWN once everything queued is acknowledged (RFC 9260 section 9.2). */
    public void shutdown(long now) {
        switch (state) {
            case ESTABLISHED -> {
                state = State.SHUTDOWN_PENDING;
                if (!inHandler) flush(now);
            }
            case IDLE, COOKIE_WAIT, COOKIE_ECHOED -> close(CloseReason.SHUTDOWN);
            default -> { }
        }
    }

    /** Immediate close with ABORT (user-initiated cause). */
    public void abort(long now) {
        if (state == State.CLOSED || state == State.IDLE) {
            close(CloseReason.LOCAL_ABORT);
            return;
        }
        sendAbort(SctpChunks.CAUSE_USER_INITIATED_ABORT);
        close(CloseReason.LOCAL_ABORT);
    }

    // ---------------------------------------------------------------- receiving

    public void handlePacket(byte[] buf, int off, int len, long now) {
        counters.add(SctpCounter.PACKETS_RECEIVED);
        if (state == State.CLOSED) {
            counters.add(SctpCounter.DROP_OUT_OF_THE_BLUE);
            return;
        }
        SctpPacketParser.Status status = parser.parse(buf, off, len);
        if (status != SctpPacketParser.Status.OK) {
            counters.add(switch (status) {
                case BAD_CHECKSUM -> SctpCounter.DROP_BAD_CHECKSUM;
                case BAD_CHUNK_LENGTH -> SctpCounter.DROP_BAD_CHUNK_LENGTH;
                case INIT_NOT_ALONE -> SctpCounter.DROP_INIT_NOT_ALONE;
                default -> SctpCounter.DROP_TOO_SHORT;
            });
            return;
        }
        if (parser.sourcePort() != config.remotePort() || parser.destinationPort() != config.localPort()) {
            counters.add(SctpCounter.DROP_WRONG_PORT);
            return;
        }
        inHandler = true;
        try {
            processChunks(now);
        } finally {
            inHandler = false;
        }
        if (state != State.CLOSED) flush(now);
    }

    private void processChunks(long now) {
        int tag = parser.verificationTag();
        int first = parser.chunkType(0);
        if (first == SctpChunks.INIT) {
            if (tag != 0) {
                counters.add(SctpCounter.DROP_BAD_VERIFICATION_TAG);
                return;
            }
            onInit(now);
            return;
        }
        if (first == SctpChunks.ABORT || first == SctpChunks.SHUTDOWN_COMPLETE) {
            boolean reflected = (parser.chunkFlags(0) & SctpChunks.FLAG_T) != 0;
            boolean known = state != State.IDLE;
            if (!known || tag != (reflected ? peerTag : localTag)) {
                counters.add(SctpCounter.DROP_BAD_VERIFICATION_TAG);
                return;
            }
        } else if (first == SctpChunks.COOKIE_ECHO) {
            if (!onCookieEcho(0, tag, now)) return;
        } else if (state == State.IDLE) {
            counters.add(SctpCounter.DROP_OUT_OF_THE_BLUE);
            return;
        } else if (tag != localTag) {
            counters.add(SctpCounter.DROP_BAD_VERIFICATION_TAG);
            return;
        }
        boolean hadData = false;
        for (int i = first == SctpChunks.COOKIE_ECHO ? 1 : 0; i < parser.chunkCount() && state != State.CLOSED; i++) {
            int type = parser.chunkType(i);
            switch (type) {
                case SctpChunks.DATA -> hadData |= onData(i);
                case SctpChunks.SACK -> onSack(i, now);
                case SctpChunks.HEARTBEAT -> onHeartbeat(i);
                case SctpChunks.HEARTBEAT_ACK -> onHeartbeatAck(i, now);
                case SctpChunks.ABORT -> close(CloseReason.PEER_ABORT);
                case SctpChunks.SHUTDOWN -> onShutdown(i, now);
                case SctpChunks.SHUTDOWN_ACK -> onShutdownAck();
                case SctpChunks.SHUTDOWN_COMPLETE -> onShutdownComplete();
                case SctpChunks.ERROR -> counters.add(SctpCounter.UNEXPECTED_CHUNK);
                case SctpChunks.COOKIE_ACK -> onCookieAck(now);
                case SctpChunks.INIT_ACK -> onInitAck(i, now);
                case SctpChunks.FORWARD_TSN -> hadData |= onForwardTsn(i);
                case SctpChunks.RE_CONFIG -> onReconfig(i, now);
                case SctpChunks.INIT, SctpChunks.COOKIE_ECHO -> counters.add(SctpCounter.UNEXPECTED_CHUNK);
                default -> {
                    counters.add(SctpCounter.UNKNOWN_CHUNK);
                    if ((type & 0x80) == 0) return; // high bit clear: stop processing this packet
                }
            }
        }
        if (hadData) {
            checkDeferredIncomingReset(now);
            dataPacketsUnacked++;
            sackDue = true;
            if (dataPacketsUnacked >= 2 || receiver.hasGaps() || receiver.duplicateCount() > 0) {
                sackNow = true;
            } else if (ackDeadline == Long.MAX_VALUE) {
                ackDeadline = now + config.delayedAckMillis();
            }
        }
    }

    // ---------------------------------------------------------------- set-up

    private void onInit(long now) {
        int off = parser.chunkOffset(0);
        int len = parser.chunkLength(0);
        byte[] b = parser.buffer();
        if (len < 20) {
            counters.add(SctpCounter.MALFORMED_CHUNK);
            return;
        }
        int initiateTag = Bytes.i32(b, off + 4);
        long window = Bytes.u32(b, off + 8);
        int os = Bytes.u16(b, off + 12);
        int mis = Bytes.u16(b, off + 14);
        int initialTsn = Bytes.i32(b, off + 16);
        if (initiateTag == 0 || os == 0 || mis == 0 || window < 1500) {
            counters.add(SctpCounter.MALFORMED_CHUNK);
            return;
        }
        Extensions ext = Extensions.parse(b, off + 20, len - 20);
        if (ext == null) {
            counters.add(SctpCounter.MALFORMED_CHUNK);
            return;
        }
        int tag;
        int tsn;
        switch (state) {
            case IDLE -> { tag = nonZeroRandom(); tsn = random.nextInt(); }
            case COOKIE_WAIT, COOKIE_ECHOED -> { tag = localTag; tsn = localInitialTsn; } // collision, 5.2.1
            default -> {
                counters.add(SctpCounter.UNEXPECTED_CHUNK);
                return;
            }
        }
        StateCookie cookie = new StateCookie(tag, initiateTag, tsn, initialTsn, window,
                Math.min(config.streams(), mis), Math.min(config.streams(), os), ext.forwardTsn, ext.reconfig, now);
        byte[] signed = cookie.sign(config.cookieSecret());
        int size = 20 + 4 + 4 + 4 + 4 + signed.length + 4;
        SctpPacketBuilder out = packet(initiateTag, size);
        writeInitBody(out, SctpChunks.INIT_ACK, tag, tsn);
        out.put16(SctpChunks.PARAM_STATE_COOKIE);
        out.put16(4 + signed.length);
        out.put(signed, 0, signed.length);
        out.endChunk();
        flushPacket();
    }

    private void sendInit(long now) {
        SctpPacketBuilder out = packet(0, 32);
        writeInitBody(out, SctpChunks.INIT, localTag, localInitialTsn);
        out.endChunk();
        flushPacket();
        t1Deadline = now + rto.rto();
    }

    /** INIT / INIT-ACK fixed part, Supported Extensions (FORWARD-TSN, RE-CONFIG) and Forward-TSN-Supported. */
    private void writeInitBody(SctpPacketBuilder out, int type, int tag, int tsn) {
        out.startChunk(type, 0);
        out.put32(tag & 0xFFFF_FFFFL);
        out.put32(config.receiveBufferSize());
        out.put16(config.streams());
        out.put16(config.streams());
        out.put32(tsn & 0xFFFF_FFFFL);
        out.put16(SctpChunks.PARAM_SUPPORTED_EXTENSIONS);
        out.put16(6);
        out.put8(SctpChunks.FORWARD_TSN);
        out.put8(SctpChunks.RE_CONFIG);
        out.put16(0); // padding of the 6-byte parameter
        out.put16(SctpChunks.PARAM_FORWARD_TSN_SUPPORTED);
        out.put16(4);
    }

    private void onInitAck(int i, long now) {
        if (state != State.COOKIE_WAIT) {
            counters.add(SctpCounter.UNEXPECTED_CHUNK);
            return;
        }
        int off = parser.chunkOffset(i);
        int len = parser.chunkLength(i);
        byte[] b = parser.buffer();
        if (len < 20) {
            counters.add(SctpCounter.MALFORMED_CHUNK);
            return;
        }
        int initiateTag = Bytes.i32(b, off + 4);
        int os = Bytes.u16(b, off + 12);
        int mis = Bytes.u16(b, off + 14);
        Extensions ext = Extensions.parse(b, off + 20, len - 20);
        if (initiateTag == 0 || os == 0 || mis == 0 || ext == null || ext.cookie == null
                || 4 + ext.cookie.length > config.mtu() - SctpChunks.COMMON_HEADER) {
            counters.add(SctpCounter.MALFORMED_CHUNK);
            return;
        }
        peerTag = initiateTag;
        peerWindowFromAck = Bytes.u32(b, off + 8);
        peerOsFromAck = os;
        peerMisFromAck = mis;
        peerInitialTsnFromAck = Bytes.i32(b, off + 16);
        peerForwardTsnFromAck = ext.forwardTsn;
        peerReconfigFromAck = ext.reconfig;
        cookieToEcho = ext.cookie;
        state = State.COOKIE_ECHOED;
        t1Count = 0;
        sendCookieEcho(now);
    }

    private void sendCookieEcho(long now) {
        SctpPacketBuilder out = packet(peerTag, 4 + cookieToEcho.length);
        out.startChunk(SctpChunks.COOKIE_ECHO, 0);
        out.put(cookieToEcho, 0, cookieToEcho.length);
        out.endChunk();
        flushPacket();
        t1Deadline = now + rto.rto();
    }

    /** Returns true when the rest of the packet may be processed. */
    private boolean onCookieEcho(int i, int tag, long now) {
        int off = parser.chunkOffset(i);
        StateCookie c = StateCookie.verify(config.cookieSecret(), parser.buffer(), off + 4, parser.chunkLength(i) - 4);
        if (c == null || c.localTag() != tag) {
            counters.add(SctpCounter.BAD_COOKIE);
            return false;
        }
        if (now - c.createdAt() > config.cookieLifetimeMillis() || c.createdAt() > now) {
            counters.add(SctpCounter.STALE_COOKIE);
            return false;
        }
        switch (state) {
            case IDLE, COOKIE_WAIT, COOKIE_ECHOED -> {
                establish(c.localTag(), c.peerTag(), c.localInitialTsn(), c.peerInitialTsn(), c.peerWindow(),
                        c.outboundStreams(), c.inboundStreams(), c.peerForwardTsn(), c.peerReconfig(), now);
                sendCookieAck();
                listener.onEstablished();
                return state != State.CLOSED;
            }
            default -> {
                if (c.localTag() == localTag && c.peerTag() == peerTag) {
                    sendCookieAck(); // our COOKIE-ACK was lost (section 5.2.4 case D)
                    return true;
                }
                counters.add(SctpCounter.UNEXPECTED_CHUNK);
                return false;
            }
        }
    }

    private void sendCookieAck() {
        SctpPacketBuilder out = room(4);
        out.startChunk(SctpChunks.COOKIE_ACK, 0);
        out.endChunk();
    }

    private void onCookieAck(long now) {
        if (state != State.COOKIE_ECHOED) {
            return; // a duplicate after we are established: harmless
        }
        // The peer's parameters came in its INIT-ACK; it answered from the cookie we echoed, so its state is set.
        establishFromInitAck(now);
        listener.onEstablished();
    }

    private int peerInitialTsnFromAck;
    private long peerWindowFromAck;
    private int peerOsFromAck;
    private int peerMisFromAck;
    private boolean peerForwardTsnFromAck;
    private boolean peerReconfigFromAck;

    private void establishFromInitAck(long now) {
        establish(localTag, peerTag, localInitialTsn, peerInitialTsnFromAck, peerWindowFromAck,
                Math.min(config.streams(), peerMisFromAck), Math.min(config.streams(), peerOsFromAck),
                peerForwardTsnFromAck, peerReconfigFromAck, now);
    }

    private void establish(int local, int peer, int localTsn, int peerTsn, long peerWindow, int os, int is,
                           boolean forwardTsn, boolean reconfig, long now) {
        localTag = local;
        peerTag = peer;
        localInitialTsn = localTsn;
        outboundStreams = os;
        inboundStreams = is;
        peerReconfig = reconfig;
        sender = new SctpSender(config, localTsn, peerWindow, forwardTsn, rto, counters);
        receiver = new SctpReceiver(peerTsn, config.receiveBufferSize(), config.maxMessageSize(), this::deliver);
        nextRequestSeq = localTsn;
        expectedPeerRequestSeq = peerTsn;
        state = State.ESTABLISHED;
        t1Deadline = Long.MAX_VALUE;
        cookieToEcho = null;
        errorCount = 0;
        heartbeatDeadline = now + config.heartbeatIntervalMillis();
    }

    private void deliver(int stream, int ppid, byte[] message) {
        counters.add(SctpCounter.MESSAGES_DELIVERED);
        listener.onMessage(stream, ppid, message);
    }

    // ---------------------------------------------------------------- data

    private boolean dataAllowed() {
        return state == State.ESTABLISHED || state == State.SHUTDOWN_PENDING || state == State.SHUTDOWN_SENT;
    }

    private boolean onData(int i) {
        if (!dataAllowed()) {
            counters.add(SctpCounter.UNEXPECTED_CHUNK);
            return false;
        }
        int off = parser.chunkOffset(i);
        int len = parser.chunkLength(i);
        if (len < SctpChunks.DATA_HEADER) {
            counters.add(SctpCounter.MALFORMED_CHUNK);
            return false;
        }
        if (len == SctpChunks.DATA_HEADER) {
            counters.add(SctpCounter.DATA_EMPTY);
            return false;
        }
        byte[] b = parser.buffer();
        int stream = Bytes.u16(b, off + 8);
        if (stream >= inboundStreams) {
            counters.add(SctpCounter.DATA_INVALID_STREAM);
            return false;
        }
        SctpReceiver.Result r = receiver.onData(Bytes.i32(b, off + 4), stream, Bytes.u16(b, off + 10),
                Bytes.i32(b, off + 12), parser.chunkFlags(i), b, off + SctpChunks.DATA_HEADER,
                len - SctpChunks.DATA_HEADER);
        switch (r) {
            case DUPLICATE -> counters.add(SctpCounter.DUPLICATE_TSN);
            case NO_BUFFER -> counters.add(SctpCounter.DATA_NO_BUFFER);
            case TOO_FAR -> counters.add(SctpCounter.DATA_TOO_FAR);
            case OVERRUN, MESSAGE_TOO_LARGE -> {
                counters.add(SctpCounter.MALFORMED_CHUNK);
                sendAbort(SctpChunks.CAUSE_PROTOCOL_VIOLATION);
                close(CloseReason.PROTOCOL_VIOLATION);
            }
            case ACCEPTED -> { }
        }
        return true;
    }

    private final int[] gapStarts = new int[512];
    private final int[] gapEnds = new int[512];

    private void onSack(int i, long now) {
        if (sender == null) {
            counters.add(SctpCounter.UNEXPECTED_CHUNK);
            return;
        }
        int off = parser.chunkOffset(i);
        int len = parser.chunkLength(i);
        byte[] b = parser.buffer();
        if (len < 16) {
            counters.add(SctpCounter.MALFORMED_CHUNK);
            return;
        }
        int gaps = Bytes.u16(b, off + 12);
        int dups = Bytes.u16(b, off + 14);
        if (16 + 4 * (gaps + dups) > len || gaps > gapStarts.length) {
            counters.add(SctpCounter.MALFORMED_CHUNK);
            return;
        }
        for (int g = 0; g < gaps; g++) {
            gapStarts[g] = Bytes.u16(b, off + 16 + 4 * g);
            gapEnds[g] = Bytes.u16(b, off + 18 + 4 * g);
            if (gapStarts[g] == 0 || gapEnds[g] < gapStarts[g]) {
                counters.add(SctpCounter.MALFORMED_CHUNK);
                return;
            }
        }
        boolean progress = sender.onSack(Bytes.i32(b, off + 4), Bytes.u32(b, off + 8), gapStarts, gapEnds, gaps, now);
        afterAck(progress, now);
    }

    private void afterAck(boolean progress, long now) {
        if (progress) {
            errorCount = 0;
            t3Deadline = sender.hasOutstanding() ? now + rto.rto() : Long.MAX_VALUE;
        } else if (!sender.hasOutstanding()) {
            t3Deadline = Long.MAX_VALUE;
        }
    }

    private boolean onForwardTsn(int i) {
        if (!dataAllowed()) {
            counters.add(SctpCounter.UNEXPECTED_CHUNK);
            return false;
        }
        int off = parser.chunkOffset(i);
        int len = parser.chunkLength(i);
        if (len < 8 || (len - 8) % 4 != 0) {
            counters.add(SctpCounter.MALFORMED_CHUNK);
            return false;
        }
        byte[] b = parser.buffer();
        int pairs = (len - 8) / 4;
        int[] streams = new int[pairs];
        int[] ssns = new int[pairs];
        for (int p = 0; p < pairs; p++) {
            streams[p] = Bytes.u16(b, off + 8 + 4 * p);
            ssns[p] = Bytes.u16(b, off + 10 + 4 * p);
            if (streams[p] >= inboundStreams) {
                counters.add(SctpCounter.MALFORMED_CHUNK);
                return false;
            }
        }
        receiver.onForwardTsn(Bytes.i32(b, off + 4), streams, ssns, pairs);
        return true;
    }

    // ---------------------------------------------------------------- heartbeat

    private void onHeartbeat(int i) {
        int off = parser.chunkOffset(i);
        int len = parser.chunkLength(i);
        byte[] b = parser.buffer();
        if (len < 8 || Bytes.u16(b, off + 4) != SctpChunks.PARAM_HEARTBEAT_INFO || Bytes.u16(b, off + 6) != len - 4
                || len > config.mtu() - SctpChunks.COMMON_HEADER) {
            counters.add(SctpCounter.MALFORMED_CHUNK);
            return;
        }
        SctpPacketBuilder out = room(len);
        out.startChunk(SctpChunks.HEARTBEAT_ACK, 0);
        out.put(b, off + 4, len - 4);
        out.endChunk();
    }

    private void onHeartbeatAck(int i, long now) {
        int off = parser.chunkOffset(i);
        int len = parser.chunkLength(i);
        byte[] b = parser.buffer();
        if (len != 4 + 4 + 16 || Bytes.u16(b, off + 4) != SctpChunks.PARAM_HEARTBEAT_INFO) {
            counters.add(SctpCounter.MALFORMED_CHUNK);
            return;
        }
        long sentAt = Bytes.u32(b, off + 8) << 32 | Bytes.u32(b, off + 12);
        long nonce = Bytes.u32(b, off + 16) << 32 | Bytes.u32(b, off + 20);
        if (!heartbeatOutstanding || nonce != heartbeatNonce || sentAt > now) {
            counters.add(SctpCounter.UNEXPECTED_CHUNK);
            return;
        }
        heartbeatOutstanding = false;
        errorCount = 0;
        rto.sample(now - sentAt);
    }

    private void sendHeartbeat(long now) {
        heartbeatNonce = random.nextLong();
        heartbeatOutstanding = true;
        SctpPacketBuilder out = room(24);
        out.startChunk(SctpChunks.HEARTBEAT, 0);
        out.put16(SctpChunks.PARAM_HEARTBEAT_INFO);
        out.put16(20);
        out.put32(now >>> 32);
        out.put32(now);
        out.put32(heartbeatNonce >>> 32);
        out.put32(heartbeatNonce);
        out.endChunk();
        counters.add(SctpCounter.HEARTBEATS_SENT);
    }

    // ---------------------------------------------------------------- shutdown

    private void onShutdown(int i, long now) {
        if (parser.chunkLength(i) != 8) {
            counters.add(SctpCounter.MALFORMED_CHUNK);
            return;
        }
        if (sender == null) {
            counters.add(SctpCounter.UNEXPECTED_CHUNK);
            return;
        }
        int cumulative = Bytes.i32(parser.buffer(), parser.chunkOffset(i) + 4);
        afterAck(sender.onSack(cumulative, Long.MAX_VALUE >>> 33, gapStarts, gapEnds, 0, now), now);
        switch (state) {
            case ESTABLISHED, SHUTDOWN_PENDING -> state = State.SHUTDOWN_RECEIVED;
            case SHUTDOWN_SENT -> {
                state = State.SHUTDOWN_ACK_SENT;
                sendShutdownAck(now);
            }
            default -> { }
        }
    }

    private void onShutdownAck() {
        if (state == State.SHUTDOWN_SENT || state == State.SHUTDOWN_ACK_SENT) {
            SctpPacketBuilder out = room(4);
            out.startChunk(SctpChunks.SHUTDOWN_COMPLETE, 0);
            out.endChunk();
            flushPacket();
            close(CloseReason.SHUTDOWN);
        } else {
            counters.add(SctpCounter.UNEXPECTED_CHUNK);
        }
    }

    private void onShutdownComplete() {
        if (state == State.SHUTDOWN_ACK_SENT) {
            close(CloseReason.SHUTDOWN);
        } else {
            counters.add(SctpCounter.UNEXPECTED_CHUNK);
        }
    }

    private void sendShutdown(long now) {
        SctpPacketBuilder out = room(8);
        out.startChunk(SctpChunks.SHUTDOWN, 0);
        out.put32(receiver.cumulativeTsn() & 0xFFFF_FFFFL);
        out.endChunk();
        t2Deadline = now + rto.rto();
    }

    private void sendShutdownAck(long now) {
        SctpPacketBuilder out = room(4);
        out.startChunk(SctpChunks.SHUTDOWN_ACK, 0);
        out.endChunk();
        t2Deadline = now + rto.rto();
    }

    private void sendAbort(int cause) {
        flushPacket();
        builder.begin(config.localPort(), config.remotePort(), peerTag);
        builder.startChunk(SctpChunks.ABORT, 0);
        builder.put16(cause);
        builder.put16(4);
        builder.endChunk();
        flushPacket();
    }

    private void close(CloseReason reason) {
        state = State.CLOSED;
        t1Deadline = t2Deadline = t3Deadline = ackDeadline = heartbeatDeadline = reconfigDeadline = Long.MAX_VALUE;
        if (!closedNotified) {
            closedNotified = true;
            listener.onClosed(reason);
        }
    }

    // ---------------------------------------------------------------- stream reset (RFC 6525)

    private void onReconfig(int i, long now) {
        if (!dataAllowed() && state != State.SHUTDOWN_RECEIVED) {
            counters.add(SctpCounter.UNEXPECTED_CHUNK);
            return;
        }
        int off = parser.chunkOffset(i);
        int end = off + parser.chunkLength(i);
        byte[] b = parser.buffer();
        int p = off + 4;
        if (end - p < 8) {
            counters.add(SctpCounter.MALFORMED_CHUNK);
            return;
        }
        while (end - p >= 4) {
            int type = Bytes.u16(b, p);
            int plen = Bytes.u16(b, p + 2);
            if (plen < 4 || plen > end - p) {
                counters.add(SctpCounter.MALFORMED_CHUNK);
                return;
            }
            if (type == SctpChunks.PARAM_OUTGOING_SSN_RESET && plen >= 16 && (plen - 16) % 2 == 0) {
                int[] streams = new int[(plen - 16) / 2];
                for (int s = 0; s < streams.length; s++) streams[s] = Bytes.u16(b, p + 16 + 2 * s);
                onOutgoingResetRequest(Bytes.i32(b, p + 4), Bytes.i32(b, p + 12), streams, now);
            } else if (type == SctpChunks.PARAM_RECONFIG_RESPONSE && plen >= 12) {
                onReconfigResponse(Bytes.i32(b, p + 4), Bytes.i32(b, p + 8), now);
            } else if (type == SctpChunks.PARAM_OUTGOING_SSN_RESET || type == SctpChunks.PARAM_RECONFIG_RESPONSE) {
                counters.add(SctpCounter.MALFORMED_CHUNK);
                return;
            } else if (plen >= 8) {
                // Other requests (incoming / SSN-TSN reset, add streams) carry a request sequence number first.
                counters.add(SctpCounter.STREAM_RESETS_DENIED);
                sendReconfigResponse(Bytes.i32(b, p + 4), SctpChunks.RESULT_DENIED);
            }
            p += Bytes.pad4(plen);
        }
    }

    private void onOutgoingResetRequest(int seq, int lastTsn32, int[] streams, long now) {
        int result;
        if (seq == expectedPeerRequestSeq) {
            deferredIncomingReset = streams;
            deferredIncomingLastTsn = receiver.unwrap(lastTsn32);
            deferredIncomingSeq = seq;
            result = checkDeferredIncomingReset(now) ? SctpChunks.RESULT_PERFORMED : SctpChunks.RESULT_IN_PROGRESS;
        } else if (seq == expectedPeerRequestSeq - 1) {
            result = lastPeerRequestResult; // a retransmission of a request we already answered
        } else {
            result = SctpChunks.RESULT_BAD_SEQUENCE;
        }
        sendReconfigResponse(seq, result);
    }

    /** Performs a waiting incoming reset once every TSN before it has arrived (RFC 6525 section 5.2.2). */
    private boolean checkDeferredIncomingReset(long now) {
        if (deferredIncomingReset == null || receiver.cumulativeTsn() < deferredIncomingLastTsn) return false;
        int[] streams = deferredIncomingReset;
        deferredIncomingReset = null;
        for (int s : streams) {
            if (s < inboundStreams) receiver.resetStream(s);
        }
        expectedPeerRequestSeq = deferredIncomingSeq + 1;
        lastPeerRequestResult = SctpChunks.RESULT_PERFORMED;
        listener.onIncomingStreamsReset(streams);
        return true;
    }

    private void sendReconfigResponse(int seq, int result) {
        SctpPacketBuilder out = room(16);
        out.startChunk(SctpChunks.RE_CONFIG, 0);
        out.put16(SctpChunks.PARAM_RECONFIG_RESPONSE);
        out.put16(12);
        out.put32(seq & 0xFFFF_FFFFL);
        out.put32(result);
        out.endChunk();
    }

    private void onReconfigResponse(int seq, int result, long now) {
        if (resetInFlight == null || seq != nextRequestSeq) {
            counters.add(SctpCounter.UNEXPECTED_CHUNK);
            return;
        }
        if (result == SctpChunks.RESULT_IN_PROGRESS) {
            reconfigDeadline = now + rto.rto(); // ask again later with the same sequence number
            return;
        }
        int[] streams = resetInFlight;
        resetInFlight = null;
        nextRequestSeq++;
        reconfigDeadline = Long.MAX_VALUE;
        if (result == SctpChunks.RESULT_PERFORMED || result == SctpChunks.RESULT_NOTHING_TO_DO) {
            for (int s : streams) sender.resetOutgoingSsn(s);
            listener.onOutgoingStreamsReset(streams);
        } else {
            counters.add(SctpCounter.STREAM_RESETS_DENIED);
        }
    }

    private void maybeSendResetRequest(long now) {
        if (resetInFlight != null || resetQueue.isEmpty() || !peerReconfig) return;
        List<Integer> ready = new ArrayList<>();
        for (int s : resetQueue) {
            if (!sender.hasPendingFor(s) && ready.size() < (config.mtu() - 40) / 2) ready.add(s);
        }
        if (ready.isEmpty()) return;
        resetQueue.removeAll(ready);
        resetInFlight = ready.stream().mapToInt(Integer::intValue).toArray();
        requestLastTsn = sender.lastAssignedTsn();
        writeResetRequest();
        reconfigDeadline = now + rto.rto();
    }

    private void writeResetRequest() {
        SctpPacketBuilder out = room(4 + 16 + 2 * resetInFlight.length + 2);
        out.startChunk(SctpChunks.RE_CONFIG, 0);
        out.put16(SctpChunks.PARAM_OUTGOING_SSN_RESET);
        out.put16(16 + 2 * resetInFlight.length);
        out.put32(nextRequestSeq & 0xFFFF_FFFFL);
        out.put32((expectedPeerRequestSeq - 1) & 0xFFFF_FFFFL);
        out.put32(requestLastTsn & 0xFFFF_FFFFL);
        for (int s : resetInFlight) out.put16(s);
        out.endChunk();
    }

    // ---------------------------------------------------------------- timers

    public void handleTimeout(long now) {
        if (state == State.CLOSED) return;
        if (now >= t1Deadline) {
            if (++t1Count > config.maxInitRetransmits()) {
                close(CloseReason.PEER_UNREACHABLE);
                return;
            }
            rto.backOff();
            if (state == State.COOKIE_WAIT) sendInit(now);
            else if (state == State.COOKIE_ECHOED) sendCookieEcho(now);
            else t1Deadline = Long.MAX_VALUE;
        }
        if (now >= t3Deadline) {
            t3Deadline = Long.MAX_VALUE;
            if (failure()) return;
            sender.onRetransmissionTimeout(now);
        }
        if (now >= t2Deadline) {
            t2Deadline = Long.MAX_VALUE;
            if (failure()) return;
            rto.backOff();
            if (state == State.SHUTDOWN_SENT) sendShutdown(now);
            else if (state == State.SHUTDOWN_ACK_SENT) sendShutdownAck(now);
        }
        if (now >= reconfigDeadline) {
            reconfigDeadline = Long.MAX_VALUE;
            if (resetInFlight != null) {
                if (failure()) return;
                writeResetRequest();
                reconfigDeadline = now + rto.rto();
            }
        }
        if (now >= ackDeadline) {
            sackNow = sackDue;
        }
        if (now >= heartbeatDeadline) {
            if (heartbeatOutstanding && failure()) return;
            sendHeartbeat(now);
            heartbeatDeadline = now + config.heartbeatIntervalMillis() + rto.rto();
        }
        flush(now);
    }

    /** One more consecutive failure; past the limit the peer is unreachable (RFC 9260 section 8.1). */
    private boolean failure() {
        if (++errorCount > config.maxAssociationRetransmits()) {
            close(CloseReason.PEER_UNREACHABLE);
            return true;
        }
        return false;
    }

    // ---------------------------------------------------------------- output

    private void flush(long now) {
        if (sender != null && state != State.CLOSED && state != State.IDLE) {
            boolean canSend = dataAllowed() || state == State.SHUTDOWN_RECEIVED;
            if (sackDue && (sackNow || (canSend && sender.hasWork()))) {
                int dups = receiver.duplicateCount();
                int maxGaps = Math.min(64, (config.mtu() - SctpChunks.COMMON_HEADER - 16 - 4 * dups) / 4);
                receiver.writeSack(room(SctpReceiver.sackSize(Math.min(maxGaps, 64), dups)), maxGaps);
                sackDue = sackNow = false;
                dataPacketsUnacked = 0;
                ackDeadline = Long.MAX_VALUE;
            }
            if (canSend) {
                if (sender.transmit(now, this::room) && t3Deadline == Long.MAX_VALUE) {
                    t3Deadline = now + rto.rto();
                }
                if (t3Deadline == Long.MAX_VALUE && sender.hasOutstanding()) t3Deadline = now + rto.rto();
                if (state == State.ESTABLISHED) maybeSendResetRequest(now);
            }
            if (sender.idle()) {
                if (state == State.SHUTDOWN_PENDING) {
                    state = State.SHUTDOWN_SENT;
                    sendShutdown(now);
                } else if (state == State.SHUTDOWN_RECEIVED) {
                    state = State.SHUTDOWN_ACK_SENT;
                    sendShutdownAck(now);
                }
            }
        }
        flushPacket();
    }

    /** The open packet if {@code size} more bytes fit, else a fresh one (the full one is sent first). */
    private SctpPacketBuilder room(int size) {
        if (builder.isOpen() && builder.remaining() < Bytes.pad4(size)) flushPacket();
        if (!builder.isOpen()) builder.begin(config.localPort(), config.remotePort(), peerTag);
        return builder;
    }

    private SctpPacketBuilder packet(int tag, int size) {
        flushPacket();
        builder.begin(config.localPort(), config.remotePort(), tag);
        return builder;
    }

    private void flushPacket() {
        if (!builder.isOpen()) return;
        if (builder.isEmpty()) {
            builder.finish();
            return;
        }
        counters.add(SctpCounter.PACKETS_SENT);
        sink.send(builder.finish());
    }

    private int nonZeroRandom() {
        int v;
        do {
            v = random.nextInt();
        } while (v == 0);
        return v;
    }

    /** Parameters of INIT / INIT-ACK we act on; null from {@link #parse} when the parameter list is malformed. */
    private record Extensions(boolean forwardTsn, boolean reconfig, byte[] cookie) {
        static Extensions parse(byte[] b, int p, int len) {
            int end = p + len;
            boolean forwardTsn = false;
            boolean reconfig = false;
            byte[] cookie = null;
            while (end - p >= 4) {
                int type = Bytes.u16(b, p);
                int plen = Bytes.u16(b, p + 2);
                if (plen < 4 || plen > end - p) return null;
                switch (type) {
                    case SctpChunks.PARAM_STATE_COOKIE -> cookie = Arrays.copyOfRange(b, p + 4, p + plen);
                    case SctpChunks.PARAM_FORWARD_TSN_SUPPORTED -> forwardTsn = true;
                    case SctpChunks.PARAM_SUPPORTED_EXTENSIONS -> {
                        for (int k = p + 4; k < p + plen; k++) {
                            forwardTsn |= Bytes.u8(b, k) == SctpChunks.FORWARD_TSN;
                            reconfig |= Bytes.u8(b, k) == SctpChunks.RE_CONFIG;
                        }
                    }
                    default -> {
                        if ((type & 0x8000) == 0) return new Extensions(forwardTsn, reconfig, cookie);
                    }
                }
                p += Bytes.pad4(plen);
            }
            return new Extensions(forwardTsn, reconfig, cookie);
        }
    }
}
