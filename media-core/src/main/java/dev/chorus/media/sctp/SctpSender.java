package dev.chorus.media.sctp;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * The sending half of an association: fragmentation into DATA chunks (RFC 9260 section 6.9), TSN and SSN
 * assignment, SACK processing with gap blocks and fast retransmit (section 7.2.4), congestion control (cwnd,
 * ssthresh, slow start and congestion avoidance, section 7.2) and the peer's receive window (section 6.2.1),
 * retransmission on T3 expiry (section 6.3.3), and partial reliability (RFC 3758): a message past its retransmission
 * or lifetime limit is abandoned and FORWARD-TSN tells the peer to skip it.
 *
 * <p>Chunks get their TSN when first sent, so an abandoned message that was never sent costs the peer nothing.
 */
final class SctpSender {

    interface ChunkSink {
        /** A packet builder with room for a chunk of {@code size} bytes (a new packet if needed). */
        SctpPacketBuilder room(int size);
    }

    static final class OutMessage {
        final int stream;
        final int ppid;
        final byte[] data;
        final boolean ordered;
        final int maxRetransmits;
        final long expiresAt;
        int ssn = -1;
        int nextOffset;
        int ackedBytes;
        boolean abandoned;

        OutMessage(int stream, int ppid, byte[] data, SendOptions options, long now) {
            this.stream = stream;
            this.ppid = ppid;
            this.data = data;
            this.ordered = options.ordered();
            this.maxRetransmits = options.maxRetransmits();
            this.expiresAt = options.maxLifetimeMillis() >= 0 ? now + options.maxLifetimeMillis() : Long.MAX_VALUE;
        }
    }

    static final class OutChunk {
        final long tsn;
        final OutMessage message;
        final int offset;
        final int length;
        final int flags;
        long sentAt;
        int transmissions;
        int missIndications;
        boolean acked;
        boolean abandoned;
        boolean retransmit;
        boolean inFlight;

        OutChunk(long tsn, OutMessage message, int offset, int length, int flags) {
            this.tsn = tsn;
            this.message = message;
            this.offset = offset;
            this.length = length;
            this.flags = flags;
        }
    }

    private final int mtu;
    private final int maxPayload;
    private final int sendBufferSize;
    private final SctpCounters counters;
    private final RtoEstimator rto;
    private final ArrayDeque<OutMessage> pending = new ArrayDeque<>();
    private final ArrayDeque<OutChunk> inflight = new ArrayDeque<>();
    private char[] nextSsn = new char[8];
    private long nextTsn;
    private long cumulativeAck;
    private long advancedPeerAckPoint;
    private boolean forwardTsnDue;
    private long cwnd;
    private long ssthresh;
    private long partialBytesAcked;
    private long flightSize;
    private long peerWindow;
    private boolean fastRecovery;
    private long fastRecoveryExit;
    private long buffered;
    private final boolean peerSupportsForwardTsn;

    SctpSender(SctpConfig config, int initialTsn, long peerWindow, boolean peerSupportsForwardTsn,
               RtoEstimator rto, SctpCounters counters) {
        this.mtu = config.mtu();
        this.maxPayload = config.maxChunkPayload();
        this.sendBufferSize = config.sendBufferSize();
        this.counters = counters;
        this.rto = rto;
        this.nextTsn = initialTsn & 0xFFFF_FFFFL;
        this.cumulativeAck = nextTsn - 1;
        this.advancedPeerAckPoint = cumulativeAck;
        this.cwnd = Math.min(4L * mtu, Math.max(2L * mtu, 4380));
        this.ssthresh = peerWindow;
        this.peerWindow = peerWindow;
        this.peerSupportsForwardTsn = peerSupportsForwardTsn;
    }

    boolean enqueue(int stream, int ppid, byte[] data, SendOptions options, long now) {
        if (buffered + data.length > sendBufferSize) {
            return false;
        }
        // Without the peer's FORWARD-TSN support nothing can be abandoned: every message is then reliable.
        SendOptions effective = peerSupportsForwardTsn ? options : new SendOptions(options.ordered(), -1, -1);
        pending.add(new OutMessage(stream, ppid, data, effective, now));
        buffered += data.length;
        return true;
    }

    /** Bytes handed to {@link #enqueue} and neither acknowledged nor abandoned yet. */
    long buffered() { return buffered; }

    boolean idle() { return pending.isEmpty() && inflight.isEmpty(); }

    boolean hasOutstanding() {
        for (OutChunk c : inflight) {
            if (!c.acked && !c.abandoned) return true;
        }
        return forwardTsnDue;
    }

    boolean hasWork() { return !pending.isEmpty() || forwardTsnDue || inflight.stream().anyMatch(c -> c.retransmit); }

    boolean hasPendingFor(int stream) {
        for (OutMessage m : pending) {
            if (m.stream == stream && !m.abandoned) return true;
        }
        return false;
    }

    long cumulativeAck() { return cumulativeAck; }

    long lastAssignedTsn() { return nextTsn - 1; }

    long cwnd() { return cwnd; }

    long flightSize() { return flightSize; }

    void resetOutgoingSsn(int stream) {
        if (stream < nextSsn.length) nextSsn[stream] = 0;
    }

    /**
     * Writes what may be sent now: FORWARD-TSN, retransmissions, then new data, within cwnd and the peer's window.
     * Returns true when a DATA chunk was written.
     */
    boolean transmit(long now, ChunkSink out) {
        abandonExpired(now);
        boolean sent = false;
        if (forwardTsnDue) {
            writeForwardTsn(out);
            forwardTsnDue = false;
        }
        for (OutChunk c : inflight) {
            if (!c.retransmit) continue;
            if (sent && flightSize + c.length > cwnd) break;
            c.retransmit = false;
            c.transmissions++;
            c.missIndications = 0;
            c.sentAt = now;
            c.inFlight = true;
            flightSize += c.length;
            writeData(c, out);
            counters.add(SctpCounter.RETRANSMITTED_CHUNKS);
            sent = true;
        }
        while (!pending.isEmpty() && flightSize < cwnd) {
            OutMessage m = pending.peek();
            if (m.abandoned) {
                pending.poll();
                continue;
            }
            int len = Math.min(maxPayload, m.data.length - m.nextOffset);
            if (len > peerWindow && flightSize > 0) {
                break; // the peer's window is full; with nothing in flight one chunk probes it (section 6.1 rule B)
            }
            if (m.ssn < 0) {
                m.ssn = m.ordered ? takeSsn(m.stream) : 0;
            }
            int flags = (m.nextOffset == 0 ? SctpChunks.FLAG_BEGIN : 0)
                    | (m.nextOffset + len == m.data.length ? SctpChunks.FLAG_END : 0)
                    | (m.ordered ? 0 : SctpChunks.FLAG_UNORDERED);
            OutChunk c = new OutChunk(nextTsn++, m, m.nextOffset, len, flags);
            m.nextOffset += len;
            if (m.nextOffset == m.data.length) {
                pending.poll();
                counters.add(SctpCounter.MESSAGES_SENT);
            }
            c.transmissions = 1;
            c.sentAt = now;
            c.inFlight = true;
            flightSize += len;
            peerWindow = Math.max(0, peerWindow - len);
            inflight.add(c);
            writeData(c, out);
            sent = true;
        }
        return sent;
    }

    private int takeSsn(int stream) {
        if (stream >= nextSsn.length) {
            nextSsn = Arrays.copyOf(nextSsn, Math.max(stream + 1, nextSsn.length * 2));
        }
        int ssn = nextSsn[stream];
        nextSsn[stream] = (char) (ssn + 1);
        return ssn;
    }

    private static void writeData(OutChunk c, ChunkSink out) {
        SctpPacketBuilder b = out.room(SctpChunks.DATA_HEADER + c.length);
        b.startChunk(SctpChunks.DATA, c.flags);
        b.put32(c.tsn & 0xFFFF_FFFFL);
        b.put16(c.message.stream);
        b.put16(c.message.ordered ? c.message.ssn : 0);
        b.put32(c.message.ppid & 0xFFFF_FFFFL);
        b.put(c.message.data, c.offset, c.length);
        b.endChunk();
    }

    /** FORWARD-TSN (RFC 3758 section 3.2): the new cumulative TSN and, per ordered stream, the last skipped SSN. */
    private void writeForwardTsn(ChunkSink out) {
        List<int[]> skipped = new ArrayList<>();
        for (OutChunk c : inflight) {
            if (c.tsn > advancedPeerAckPoint) break;
            if (!c.message.ordered) continue;
            int[] pair = null;
            for (int[] p : skipped) {
                if (p[0] == c.message.stream) pair = p;
            }
            if (pair == null) {
                skipped.add(new int[] {c.message.stream, c.message.ssn});
            } else if ((short) (c.message.ssn - pair[1]) > 0) {
                pair[1] = c.message.ssn;
            }
        }
        int maxPairs = (mtu - SctpChunks.COMMON_HEADER - 8) / 4;
        int pairs = Math.min(maxPairs, skipped.size());
        SctpPacketBuilder b = out.room(8 + 4 * pairs);
        b.startChunk(SctpChunks.FORWARD_TSN, 0);
        b.put32(advancedPeerAckPoint & 0xFFFF_FFFFL);
        for (int i = 0; i < pairs; i++) {
            b.put16(skipped.get(i)[0]);
            b.put16(skipped.get(i)[1]);
        }
        b.endChunk();
        counters.add(SctpCounter.FORWARD_TSN_SENT);
    }

    /**
     * Processes a SACK. Gap blocks are given as offsets from the SACK's cumulative TSN. Returns true when the
     * cumulative ack point advanced (the peer is alive and making progress).
     */
    boolean onSack(int cumulative32, long advertisedWindow, int[] gapStart, int[] gapEnd, int gaps, long now) {
        long cumulative = cumulativeAck + (int) (cumulative32 - (int) cumulativeAck);
        if (cumulative < cumulativeAck || cumulative >= nextTsn) {
            return false; // an old, reordered SACK, or one that acknowledges what was never sent
        }
        boolean advanced = cumulative > cumulativeAck;
        long bytesAcked = 0;
        long highestNewlyAcked = -1;
        long rttSampleSentAt = -1;
        while (!inflight.isEmpty() && inflight.peek().tsn <= cumulative) {
            OutChunk c = inflight.poll();
            if (!c.acked) {
                bytesAcked += acknowledge(c);
                highestNewlyAcked = c.tsn;
                if (c.transmissions == 1 && !c.abandoned) rttSampleSentAt = c.sentAt;
            }
        }
        cumulativeAck = cumulative;
        if (advancedPeerAckPoint < cumulativeAck) advancedPeerAckPoint = cumulativeAck;
        if (gaps > 0) {
            for (OutChunk c : inflight) {
                if (c.acked) continue;
                long offset = c.tsn - cumulative;
                for (int g = 0; g < gaps; g++) {
                    if (offset >= gapStart[g] && offset <= gapEnd[g]) {
                        bytesAcked += acknowledge(c);
                        highestNewlyAcked = Math.max(highestNewlyAcked, c.tsn);
                        if (c.transmissions == 1 && !c.abandoned) rttSampleSentAt = Math.max(rttSampleSentAt, c.sentAt);
                        break;
                    }
                }
            }
        }
        if (rttSampleSentAt >= 0) {
            rto.sample(now - rttSampleSentAt);
        }
        if (highestNewlyAcked >= 0) {
            countMissIndications(highestNewlyAcked);
        }
        if (fastRecovery && cumulative >= fastRecoveryExit) {
            fastRecovery = false;
        }
        if (advanced && !fastRecovery && bytesAcked > 0) {
            if (cwnd <= ssthresh) {
                cwnd += Math.min(bytesAcked, mtu);
            } else {
                partialBytesAcked += bytesAcked;
                if (partialBytesAcked >= cwnd) {
                    partialBytesAcked -= cwnd;
                    cwnd += mtu;
                }
            }
        }
        peerWindow = Math.max(0, advertisedWindow - flightSize);
        updateAdvancedPeerAckPoint();
        return advanced;
    }

    /** Marks a chunk acknowledged; returns the bytes newly acknowledged. */
    private long acknowledge(OutChunk c) {
        c.acked = true;
        c.retransmit = false;
        if (c.inFlight) {
            c.inFlight = false;
            flightSize -= c.length;
        }
        if (c.abandoned) return 0;
        c.message.ackedBytes += c.length;
        buffered -= c.length;
        return c.length;
    }

    /** Fast retransmit (RFC 9260 section 7.2.4): three SACKs reporting a chunk missing below newer acked ones. */
    private void countMissIndications(long highestNewlyAcked) {
        boolean entered = false;
        for (OutChunk c : inflight) {
            if (c.tsn >= highestNewlyAcked) break;
            if (c.acked || c.abandoned || c.retransmit) continue;
            if (++c.missIndications >= 3) {
                if (retransmissionLimitReached(c)) {
                    abandon(c.message);
                    continue;
                }
                markForRetransmit(c);
                entered = true;
            }
        }
        if (entered && !fastRecovery) {
            fastRecovery = true;
            fastRecoveryExit = nextTsn - 1;
            ssthresh = Math.max(cwnd / 2, 4L * mtu);
            cwnd = ssthresh;
            partialBytesAcked = 0;
            counters.add(SctpCounter.FAST_RETRANSMITS);
        }
    }

    private void markForRetransmit(OutChunk c) {
        c.retransmit = true;
        if (c.inFlight) {
            c.inFlight = false;
            flightSize -= c.length;
        }
    }

    /** T3-rtx expired (RFC 9260 section 6.3.3): back off, collapse cwnd, retransmit everything outstanding. */
    void onRetransmissionTimeout(long now) {
        counters.add(SctpCounter.T3_EXPIRIES);
        rto.backOff();
        ssthresh = Math.max(cwnd / 2, 4L * mtu);
        cwnd = mtu;
        partialBytesAcked = 0;
        fastRecovery = false;
        for (OutChunk c : inflight) {
            if (c.acked || c.abandoned) continue;
            if (c.message.maxRetransmits >= 0 && c.transmissions > c.message.maxRetransmits) {
                abandon(c.message);
            } else {
                markForRetransmit(c);
            }
        }
        abandonExpired(now);
        if (advancedPeerAckPoint > cumulativeAck) forwardTsnDue = true;
    }

    private void abandonExpired(long now) {
        for (OutChunk c : inflight) {
            if (!c.acked && !c.abandoned && c.message.expiresAt <= now) abandon(c.message);
        }
        for (OutMessage m : pending) {
            if (!m.abandoned && m.expiresAt <= now) abandon(m);
        }
    }

    private void abandon(OutMessage m) {
        if (m.abandoned) return;
        if (m.nextOffset > 0 && m.nextOffset < m.data.length && !hasUnackedChunk(m)) {
            // Its first fragments were all delivered: only a FORWARD-TSN over one of its own chunks could make the
            // peer drop them, and there is none in flight, so the rest is sent after all.
            return;
        }
        m.abandoned = true;
        counters.add(SctpCounter.MESSAGES_ABANDONED);
        buffered -= m.data.length - m.ackedBytes;
        for (OutChunk c : inflight) {
            if (c.message != m) continue;
            c.abandoned = true;
            c.retransmit = false;
            if (c.inFlight) {
                c.inFlight = false;
                flightSize -= c.length;
            }
        }
        // Unsent fragments are never sent; an unsent message leaves the queue without using a TSN or SSN.
        pending.remove(m);
        updateAdvancedPeerAckPoint();
    }

    private boolean hasUnackedChunk(OutMessage m) {
        for (OutChunk c : inflight) {
            if (c.message == m && !c.acked) return true;
        }
        return false;
    }

    /** RFC 3758 section 3.5 C1-C3: move over abandoned chunks; a FORWARD-TSN is due when that passes the ack point. */
    private void updateAdvancedPeerAckPoint() {
        Iterator<OutChunk> it = inflight.iterator();
        while (it.hasNext()) {
            OutChunk c = it.next();
            if (c.tsn <= advancedPeerAckPoint) continue;
            if (c.tsn != advancedPeerAckPoint + 1 || !c.abandoned) break;
            advancedPeerAckPoint = c.tsn;
        }
        if (advancedPeerAckPoint > cumulativeAck) forwardTsnDue = true;
    }

    /** A partially reliable chunk already sent 1 + maxRetransmits times: one more would break the limit. */
    static boolean retransmissionLimitReached(OutChunk c) {
        return c.message.maxRetransmits >= 0 && c.transmissions > c.message.maxRetransmits;
    }
}
