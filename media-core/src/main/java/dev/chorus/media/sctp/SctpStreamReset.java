package dev.chorus.media.sctp;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.IntFunction;

/**
 * RFC 6525 stream reset for one established association, as WebRTC uses it to close a data channel (RFC 8831
 * section 6.7): our Outgoing SSN Reset Requests (one in flight, sent once no queued message of those streams is left
 * unsent, retransmitted on its own timer), and the peer's, which are performed only once every TSN before them has
 * arrived (section 5.2.2). Other request types are denied. Owned by the association's thread.
 */
final class SctpStreamReset {
    private final SctpConfig config;
    private final SctpCounters counters;
    private final RtoEstimator rto;
    private final SctpAssociation.Listener listener;
    /** The association's open packet with room for so many bytes. */
    private final IntFunction<SctpPacketBuilder> room;
    private final SctpSender sender;
    private final SctpReceiver receiver;
    private final int inboundStreams;
    private final boolean peerSupportsReconfig;

    private final LinkedHashSet<Integer> queue = new LinkedHashSet<>();
    private int[] inFlight;
    private int nextRequestSeq;
    private long requestLastTsn;
    private long deadline = Long.MAX_VALUE;
    private int expectedPeerRequestSeq;
    private int lastPeerRequestResult = SctpChunks.RESULT_PERFORMED;
    private int[] deferredIncoming;
    private long deferredIncomingLastTsn;
    private int deferredIncomingSeq;

    /** Request sequence numbers start at each side's initial TSN (RFC 6525 section 4.1). */
    SctpStreamReset(SctpConfig config, SctpCounters counters, RtoEstimator rto, SctpAssociation.Listener listener,
                    IntFunction<SctpPacketBuilder> room, SctpSender sender, SctpReceiver receiver, int inboundStreams,
                    boolean peerSupportsReconfig, int localInitialTsn, int peerInitialTsn) {
        this.config = config;
        this.counters = counters;
        this.rto = rto;
        this.listener = listener;
        this.room = room;
        this.sender = sender;
        this.receiver = receiver;
        this.inboundStreams = inboundStreams;
        this.peerSupportsReconfig = peerSupportsReconfig;
        this.nextRequestSeq = localInitialTsn;
        this.expectedPeerRequestSeq = peerInitialTsn;
    }

    /** Asks for these outgoing streams to be reset. */
    void request(int[] streams) {
        for (int s : streams) queue.add(s);
    }

    /** When the in-flight request must be retransmitted, or {@link Long#MAX_VALUE}. */
    long deadline() { return deadline; }

    void stop() { deadline = Long.MAX_VALUE; }

    /**
     * The retransmission timer fired ({@code now >= deadline()}). Returns true when a request was outstanding: the
     * association counts that as a failure before calling {@link #retransmit}.
     */
    boolean timerFired() {
        deadline = Long.MAX_VALUE;
        return inFlight != null;
    }

    void retransmit(long now) {
        writeRequest();
        deadline = now + rto.rto();
    }

    /** One RE-CONFIG chunk {@code b[off, off+len)}. */
    void onReconfig(byte[] b, int off, int len, long now) {
        int end = off + len;
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
                onOutgoingResetRequest(Bytes.i32(b, p + 4), Bytes.i32(b, p + 12), streams);
            } else if (type == SctpChunks.PARAM_RECONFIG_RESPONSE && plen >= 12) {
                onResponse(Bytes.i32(b, p + 4), Bytes.i32(b, p + 8), now);
            } else if (type == SctpChunks.PARAM_OUTGOING_SSN_RESET || type == SctpChunks.PARAM_RECONFIG_RESPONSE) {
                counters.add(SctpCounter.MALFORMED_CHUNK);
                return;
            } else if (plen >= 8) {
                // Other requests (incoming / SSN-TSN reset, add streams) carry a request sequence number first.
                counters.add(SctpCounter.STREAM_RESETS_DENIED);
                sendResponse(Bytes.i32(b, p + 4), SctpChunks.RESULT_DENIED);
            }
            p += Bytes.pad4(plen);
        }
    }

    private void onOutgoingResetRequest(int seq, int lastTsn32, int[] streams) {
        int result;
        if (seq == expectedPeerRequestSeq) {
            deferredIncoming = streams;
            deferredIncomingLastTsn = receiver.unwrap(lastTsn32);
            deferredIncomingSeq = seq;
            result = performDeferredIncoming() ? SctpChunks.RESULT_PERFORMED : SctpChunks.RESULT_IN_PROGRESS;
        } else if (seq == expectedPeerRequestSeq - 1) {
            result = lastPeerRequestResult; // a retransmission of a request we already answered
        } else {
            result = SctpChunks.RESULT_BAD_SEQUENCE;
        }
        sendResponse(seq, result);
    }

    /** Performs a waiting incoming reset once every TSN before it has arrived (RFC 6525 section 5.2.2). */
    boolean performDeferredIncoming() {
        if (deferredIncoming == null || receiver.cumulativeTsn() < deferredIncomingLastTsn) return false;
        int[] streams = deferredIncoming;
        deferredIncoming = null;
        for (int s : streams) {
            if (s < inboundStreams) receiver.resetStream(s);
        }
        expectedPeerRequestSeq = deferredIncomingSeq + 1;
        lastPeerRequestResult = SctpChunks.RESULT_PERFORMED;
        listener.onIncomingStreamsReset(streams);
        return true;
    }

    private void sendResponse(int seq, int result) {
        SctpPacketBuilder out = room.apply(16);
        out.startChunk(SctpChunks.RE_CONFIG, 0);
        out.put16(SctpChunks.PARAM_RECONFIG_RESPONSE);
        out.put16(12);
        out.put32(seq & 0xFFFF_FFFFL);
        out.put32(result);
        out.endChunk();
    }

    private void onResponse(int seq, int result, long now) {
        if (inFlight == null || seq != nextRequestSeq) {
            counters.add(SctpCounter.UNEXPECTED_CHUNK);
            return;
        }
        if (result == SctpChunks.RESULT_IN_PROGRESS) {
            deadline = now + rto.rto(); // ask again later with the same sequence number
            return;
        }
        int[] streams = inFlight;
        inFlight = null;
        nextRequestSeq++;
        deadline = Long.MAX_VALUE;
        if (result == SctpChunks.RESULT_PERFORMED || result == SctpChunks.RESULT_NOTHING_TO_DO) {
            for (int s : streams) sender.resetOutgoingSsn(s);
            listener.onOutgoingStreamsReset(streams);
        } else {
            counters.add(SctpCounter.STREAM_RESETS_DENIED);
        }
    }

    /** Sends the next request if none is in flight and some requested stream has nothing left unsent. */
    void maybeSendRequest(long now) {
        if (inFlight != null || queue.isEmpty() || !peerSupportsReconfig) return;
        List<Integer> ready = new ArrayList<>();
        for (int s : queue) {
            if (!sender.hasPendingFor(s) && ready.size() < (config.mtu() - 40) / 2) ready.add(s);
        }
        if (ready.isEmpty()) return;
        queue.removeAll(ready);
        inFlight = ready.stream().mapToInt(Integer::intValue).toArray();
        requestLastTsn = sender.lastAssignedTsn();
        writeRequest();
        deadline = now + rto.rto();
    }

    private void writeRequest() {
        SctpPacketBuilder out = room.apply(4 + 16 + 2 * inFlight.length + 2);
        out.startChunk(SctpChunks.RE_CONFIG, 0);
        out.put16(SctpChunks.PARAM_OUTGOING_SSN_RESET);
        out.put16(16 + 2 * inFlight.length);
        out.put32(nextRequestSeq & 0xFFFF_FFFFL);
        out.put32((expectedPeerRequestSeq - 1) & 0xFFFF_FFFFL);
        out.put32(requestLastTsn & 0xFFFF_FFFFL);
        for (int s : inFlight) out.put16(s);
        out.endChunk();
    }
}
