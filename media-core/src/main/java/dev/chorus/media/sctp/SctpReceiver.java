package dev.chorus.media.sctp;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The receiving half of an association: TSN bookkeeping for SACK (RFC 9260 section 6.2), reassembly of fragmented
 * messages (section 6.9), in-order delivery per stream by SSN (section 6.6), FORWARD-TSN (RFC 3758 section 3.6) and
 * the incoming half of a stream reset (RFC 6525 section 5.2.2). TSNs are unwrapped to 64 bits against the cumulative
 * TSN, so comparisons are plain {@code long} comparisons.
 *
 * <p>Memory is bounded: undelivered bytes (fragments plus complete messages waiting for an earlier SSN) count
 * against the receive buffer, which is what the advertised window says is left. A chunk that does not fit is not
 * acknowledged (the peer retransmits it), except the next expected TSN, which is always taken so that the window can
 * never deadlock; past twice the buffer the peer is misbehaving and {@link Result#OVERRUN} asks for an ABORT.
 */
final class SctpReceiver {

    enum Result { ACCEPTED, DUPLICATE, NO_BUFFER, TOO_FAR, OVERRUN, MESSAGE_TOO_LARGE }

    interface Delivery {
        void deliver(int stream, int ppid, byte[] message);
    }

    private record Fragment(long tsn, int stream, int ssn, int ppid, int flags, byte[] data) {
        boolean begin() { return (flags & SctpChunks.FLAG_BEGIN) != 0; }
        boolean end() { return (flags & SctpChunks.FLAG_END) != 0; }
        boolean unordered() { return (flags & SctpChunks.FLAG_UNORDERED) != 0; }
    }

    /** Ordered delivery state of one incoming stream. */
    private static final class InStream {
        int nextSsn;
        final TreeMap<Integer, byte[]> waiting = new TreeMap<>();
        final TreeMap<Integer, Integer> waitingPpid = new TreeMap<>();
    }

    private static final int MAX_TSN_AHEAD = 65_535;
    private static final int MAX_DUPLICATES_REPORTED = 16;

    private final int bufferSize;
    private final int maxMessageSize;
    private final Delivery delivery;
    private long cumulativeTsn;
    private final TreeSet<Long> receivedAbove = new TreeSet<>();
    private final TreeMap<Long, Fragment> fragments = new TreeMap<>();
    private InStream[] streams = new InStream[8];
    private long bytesHeld;
    private final int[] duplicates = new int[MAX_DUPLICATES_REPORTED];
    private int duplicateCount;

    SctpReceiver(int peerInitialTsn, int bufferSize, int maxMessageSize, Delivery delivery) {
        this.cumulativeTsn = (peerInitialTsn & 0xFFFF_FFFFL) - 1;
        this.bufferSize = bufferSize;
        this.maxMessageSize = maxMessageSize;
        this.delivery = delivery;
    }

    long unwrap(int tsn) { return cumulativeTsn + (int) (tsn - (int) cumulativeTsn); }

    long cumulativeTsn() { return cumulativeTsn; }

    boolean hasGaps() { return !receivedAbove.isEmpty(); }

    int advertisedWindow() { return (int) Math.max(0, bufferSize - bytesHeld); }

    long bytesHeld() { return bytesHeld; }

    Result onData(int tsn32, int stream, int ssn, int ppid, int flags, byte[] buf, int off, int len) {
        long tsn = unwrap(tsn32);
        if (tsn <= cumulativeTsn || receivedAbove.contains(tsn)) {
            if (duplicateCount < MAX_DUPLICATES_REPORTED) {
                duplicates[duplicateCount++] = tsn32;
            }
            return Result.DUPLICATE;
        }
        if (tsn - cumulativeTsn > MAX_TSN_AHEAD) {
            return Result.TOO_FAR;
        }
        if (bytesHeld + len > bufferSize) {
            if (tsn != cumulativeTsn + 1) {
                return Result.NO_BUFFER;
            }
            if (bytesHeld + len > 2L * bufferSize) {
                return Result.OVERRUN;
            }
        }
        Fragment f = new Fragment(tsn, stream, ssn, ppid, flags, Arrays.copyOfRange(buf, off, off + len));
        fragments.put(tsn, f);
        bytesHeld += len;
        if (tsn == cumulativeTsn + 1) {
            cumulativeTsn = tsn;
            advanceCumulative();
        } else {
            receivedAbove.add(tsn);
        }
        return assemble(f);
    }

    private void advanceCumulative() {
        receivedAbove.headSet(cumulativeTsn, true).clear(); // FORWARD-TSN may have jumped over received TSNs
        while (!receivedAbove.isEmpty() && receivedAbove.first() == cumulativeTsn + 1) {
            cumulativeTsn = receivedAbove.pollFirst();
        }
        receivedAbove.headSet(cumulativeTsn, true).clear();
    }

    /** Completes the message {@code f} belongs to, if all its fragments (consecutive TSNs) are here. */
    private Result assemble(Fragment f) {
        Fragment first = f;
        long size = f.data.length;
        while (!first.begin()) {
            Fragment prev = fragments.get(first.tsn - 1);
            if (prev == null || !sameMessage(prev, first)) {
                return sizeCheck(size);
            }
            first = prev;
            size += prev.data.length;
        }
        Fragment last = f;
        while (!last.end()) {
            Fragment next = fragments.get(last.tsn + 1);
            if (next == null || !sameMessage(last, next)) {
                return sizeCheck(size);
            }
            last = next;
            size += next.data.length;
        }
        if (size > maxMessageSize) {
            return Result.MESSAGE_TOO_LARGE;
        }
        byte[] message = new byte[(int) size];
        int at = 0;
        for (long t = first.tsn; t <= last.tsn; t++) {
            Fragment part = fragments.remove(t);
            System.arraycopy(part.data, 0, message, at, part.data.length);
            at += part.data.length;
        }
        bytesHeld -= size;
        if (first.unordered()) {
            delivery.deliver(first.stream, first.ppid, message);
        } else {
            deliverOrdered(first.stream, first.ssn, first.ppid, message);
        }
        return Result.ACCEPTED;
    }

    private Result sizeCheck(long partialSize) {
        return partialSize > maxMessageSize ? Result.MESSAGE_TOO_LARGE : Result.ACCEPTED;
    }

    /** {@code next} directly continues {@code prev}'s message: same stream and kind, and prev is not a message end. */
    private static boolean sameMessage(Fragment prev, Fragment next) {
        return !prev.end() && !next.begin() && prev.stream == next.stream && prev.unordered() == next.unordered()
                && (prev.unordered() || prev.ssn == next.ssn);
    }

    private void deliverOrdered(int stream, int ssn, int ppid, byte[] message) {
        InStream s = stream(stream);
        int ahead = (short) (ssn - s.nextSsn);
        if (ahead < 0) {
            return; // an SSN already delivered or skipped by FORWARD-TSN: the sender gave up on it
        }
        if (ahead > 0) {
            s.waiting.put(ssn, message);
            s.waitingPpid.put(ssn, ppid);
            bytesHeld += message.length;
            return;
        }
        delivery.deliver(stream, ppid, message);
        s.nextSsn = (s.nextSsn + 1) & 0xFFFF;
        drain(stream, s);
    }

    private void drain(int stream, InStream s) {
        byte[] next;
        while ((next = s.waiting.remove(s.nextSsn)) != null) {
            int ppid = s.waitingPpid.remove(s.nextSsn);
            bytesHeld -= next.length;
            delivery.deliver(stream, ppid, next);
            s.nextSsn = (s.nextSsn + 1) & 0xFFFF;
        }
    }

    /**
     * FORWARD-TSN: the peer abandoned everything up to {@code newCumulative32}; for ordered streams it names the
     * last skipped SSN, so later messages of those streams become deliverable.
     */
    void onForwardTsn(int newCumulative32, int[] skippedStreams, int[] skippedSsns, int pairs) {
        long newCumulative = unwrap(newCumulative32);
        if (newCumulative <= cumulativeTsn || newCumulative - cumulativeTsn > MAX_TSN_AHEAD) {
            return;
        }
        Iterator<Map.Entry<Long, Fragment>> it = fragments.headMap(newCumulative, true).entrySet().iterator();
        while (it.hasNext()) {
            bytesHeld -= it.next().getValue().data.length;
            it.remove();
        }
        cumulativeTsn = newCumulative;
        advanceCumulative();
        for (int i = 0; i < pairs; i++) {
            InStream s = stream(skippedStreams[i]);
            int skipped = skippedSsns[i];
            if ((short) (skipped - s.nextSsn) < 0) {
                continue;
            }
            // Complete messages up to the skipped SSN were received intact: deliver them, in order, then move on.
            while (!s.waiting.isEmpty()) {
                int ssn = s.waiting.firstKey();
                if ((short) (ssn - skipped) > 0) {
                    break;
                }
                byte[] m = s.waiting.remove(ssn);
                int ppid = s.waitingPpid.remove(ssn);
                bytesHeld -= m.length;
                delivery.deliver(skippedStreams[i], ppid, m);
            }
            s.nextSsn = (skipped + 1) & 0xFFFF;
            drain(skippedStreams[i], s);
        }
    }

    /** Incoming stream reset (RFC 6525): the stream's next SSN is 0 again. */
    void resetStream(int stream) {
        InStream s = stream(stream);
        for (byte[] m : s.waiting.values()) {
            bytesHeld -= m.length;
        }
        s.waiting.clear();
        s.waitingPpid.clear();
        s.nextSsn = 0;
    }

    private InStream stream(int id) {
        if (id >= streams.length) {
            streams = Arrays.copyOf(streams, Math.max(id + 1, streams.length * 2));
        }
        InStream s = streams[id];
        if (s == null) {
            s = streams[id] = new InStream();
        }
        return s;
    }

    /** Writes a SACK chunk (RFC 9260 section 3.3.4) with at most {@code maxGaps} gap blocks, and forgets duplicates. */
    void writeSack(SctpPacketBuilder out, int maxGaps) {
        int gaps = 0;
        long runStart = -1;
        long runEnd = -1;
        long[] blocks = new long[Math.min(maxGaps, receivedAbove.size()) * 2];
        for (long tsn : receivedAbove) {
            if (runStart >= 0 && tsn == runEnd + 1) {
                runEnd = tsn;
                continue;
            }
            if (runStart >= 0) {
                if (gaps == maxGaps) break;
                blocks[gaps * 2] = runStart;
                blocks[gaps * 2 + 1] = runEnd;
                gaps++;
            }
            runStart = runEnd = tsn;
        }
        if (runStart >= 0 && gaps < maxGaps) {
            blocks[gaps * 2] = runStart;
            blocks[gaps * 2 + 1] = runEnd;
            gaps++;
        }
        out.startChunk(SctpChunks.SACK, 0);
        out.put32(cumulativeTsn & 0xFFFF_FFFFL);
        out.put32(advertisedWindow());
        out.put16(gaps);
        out.put16(duplicateCount);
        for (int g = 0; g < gaps; g++) {
            out.put16((int) (blocks[g * 2] - cumulativeTsn));
            out.put16((int) (blocks[g * 2 + 1] - cumulativeTsn));
        }
        for (int d = 0; d < duplicateCount; d++) {
            out.put32(duplicates[d] & 0xFFFF_FFFFL);
        }
        out.endChunk();
        duplicateCount = 0;
    }

    static int sackSize(int gaps, int dups) { return 16 + 4 * gaps + 4 * dups; }

    int duplicateCount() { return duplicateCount; }
}
