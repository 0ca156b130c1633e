package dev.chorus.media.sctp;

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
    private final Listener listener;
    private final SctpPacketParser parser = new SctpPacketParser();
    private final SctpOutput output;
    private final SctpHeartbeat heartbeat;
    private final SctpCounters counters = new SctpCounters();
    private final RtoEstimator rto;

    private State state = State.IDLE;
    private int localTag;
    private int peerTag;
    private int localInitialTsn;
    private int outboundStreams;
    private int inboundStreams;
    private SctpSender sender;
    private SctpReceiver receiver;
    private SctpStreamReset streamReset;

    private long t1Deadline = Long.MAX_VALUE;
    private int t1Count;
    private byte[] cookieToEcho;
    private long t3Deadline = Long.MAX_VALUE;
    private long ackDeadline = Long.MAX_VALUE;
    private long heartbeatDeadline = Long.MAX_VALUE;
    private long t2Deadline = Long.MAX_VALUE;
    private int errorCount;

    private boolean sackDue;
    private boolean sackNow;
    private int dataPacketsUnacked;


    private boolean inHandler;
    private boolean closedNotified;

    public SctpAssociation(SctpConfig config, RandomGenerator random, PacketSink sink, Listener listener) {
        this.config = config;
        this.random = random;
        this.listener = listener;
        this.output = new SctpOutput(config, sink, counters);
        this.heartbeat = new SctpHeartbeat(config, random, counters, this::room);
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
                Math.min(t2Deadline, streamReset == null ? Long.MAX_VALUE : streamReset.deadline()));
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
        streamReset.request(streams);
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
                case SctpChunks.HEARTBEAT -> heartbeat.onHeartbeat(parser.buffer(), parser.chunkOffset(i),
                        parser.chunkLength(i));
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
            streamReset.performDeferredIncoming();
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
        SctpInitParameters ext = SctpInitParameters.parse(b, off + 20, len - 20);
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
                Math.min(config.streams(), mis), Math.min(config.streams(), os), ext.forwardTsn(), ext.reconfig(), now);
        byte[] signed = cookie.sign(config.cookieSecret());
        int size = 20 + 4 + 4 + 4 + 4 + signed.length + 4;
        SctpPacketBuilder out = output.packet(initiateTag);
        SctpInitParameters.writeBody(out, config, SctpChunks.INIT_ACK, tag, tsn);
        out.put16(SctpChunks.PARAM_STATE_COOKIE);
        out.put16(4 + signed.length);
        out.put(signed, 0, signed.length);
        out.endChunk();
        output.flush();
    }

    private void sendInit(long now) {
        SctpPacketBuilder out = output.packet(0);
        SctpInitParameters.writeBody(out, config, SctpChunks.INIT, localTag, localInitialTsn);
        out.endChunk();
        output.flush();
        t1Deadline = now + rto.rto();
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
        SctpInitParameters ext = SctpInitParameters.parse(b, off + 20, len - 20);
        if (initiateTag == 0 || os == 0 || mis == 0 || ext == null || ext.cookie() == null
                || 4 + ext.cookie().length > config.mtu() - SctpChunks.COMMON_HEADER) {
            counters.add(SctpCounter.MALFORMED_CHUNK);
            return;
        }
        peerTag = initiateTag;
        peerWindowFromAck = Bytes.u32(b, off + 8);
        peerOsFromAck = os;
        peerMisFromAck = mis;
        peerInitialTsnFromAck = Bytes.i32(b, off + 16);
        peerForwardTsnFromAck = ext.forwardTsn();
        peerReconfigFromAck = ext.reconfig();
        cookieToEcho = ext.cookie();
        state = State.COOKIE_ECHOED;
        t1Count = 0;
        sendCookieEcho(now);
    }

    private void sendCookieEcho(long now) {
        SctpPacketBuilder out = output.packet(peerTag);
        out.startChunk(SctpChunks.COOKIE_ECHO, 0);
        out.put(cookieToEcho, 0, cookieToEcho.length);
        out.endChunk();
        output.flush();
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
        sender = new SctpSender(config, localTsn, peerWindow, forwardTsn, rto, counters);
        receiver = new SctpReceiver(peerTsn, config.receiveBufferSize(), config.maxMessageSize(), this::deliver);
        streamReset = new SctpStreamReset(config, counters, rto, listener, this::room, sender, receiver, is, reconfig,
                localTsn, peerTsn);
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

    // ---------------------------------------------------------------- heartbeat (SctpHeartbeat)

    private void onHeartbeatAck(int i, long now) {
        long rtt = heartbeat.onAck(parser.buffer(), parser.chunkOffset(i), parser.chunkLength(i), now);
        if (rtt >= 0) {
            errorCount = 0;
            rto.sample(rtt);
        }
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
            output.flush();
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
        SctpPacketBuilder out = output.packet(peerTag);
        out.startChunk(SctpChunks.ABORT, 0);
        out.put16(cause);
        out.put16(4);
        out.endChunk();
        output.flush();
    }

    private void close(CloseReason reason) {
        state = State.CLOSED;
        t1Deadline = t2Deadline = t3Deadline = ackDeadline = heartbeatDeadline = Long.MAX_VALUE;
        if (streamReset != null) streamReset.stop();
        if (!closedNotified) {
            closedNotified = true;
            listener.onClosed(reason);
        }
    }

    // ---------------------------------------------------------------- stream reset (RFC 6525, SctpStreamReset)

    private void onReconfig(int i, long now) {
        if (!dataAllowed() && state != State.SHUTDOWN_RECEIVED) {
            counters.add(SctpCounter.UNEXPECTED_CHUNK);
            return;
        }
        streamReset.onReconfig(parser.buffer(), parser.chunkOffset(i), parser.chunkLength(i), now);
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
        if (streamReset != null && now >= streamReset.deadline() && streamReset.timerFired()) {
            if (failure()) return;
            streamReset.retransmit(now);
        }
        if (now >= ackDeadline) {
            sackNow = sackDue;
        }
        if (now >= heartbeatDeadline) {
            if (heartbeat.outstanding() && failure()) return;
            heartbeat.send(now);
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
                if (state == State.ESTABLISHED) streamReset.maybeSendRequest(now);
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
        output.flush();
    }

    /** The open packet if {@code size} more bytes fit, else a fresh one (the full one is sent first). */
    private SctpPacketBuilder room(int size) {
        return output.room(size, peerTag);
    }

    private int nonZeroRandom() {
        int v;
        do {
            v = random.nextInt();
        } while (v == 0);
        return v;
    }
}
