package dev.chorus.media.datarelay;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The bounded queue of messages waiting for one receiver's SCTP association, so that a slow receiver never stalls
 * the sender or anyone else: the relay only ever appends here, and the receiver's transport drains it as its own
 * send buffer allows. Bounded by message count and payload bytes ({@link DataLimits}).
 *
 * <p>Overflow policy (docs/data-channels.md):
 * <ul>
 *   <li>a <b>lossy</b> message arriving at a full queue evicts the oldest queued lossy message (fresher state wins,
 *       as for cursors and reactions); if no lossy message is queued, the new one is dropped;</li>
 *   <li>a <b>reliable</b> message arriving at a full queue first evicts queued lossy messages, oldest first; if it
 *       still does not fit, the receiver has fallen too far behind to keep "every message exactly once, in order":
 *       the queue becomes <em>overflowed</em>, the copy is dropped, and every later reliable copy is dropped too until
 *       {@link #clearOverflow()} (the owner closes the receiver's reliable channel once, so the application sees the
 *       break instead of a silent gap).</li>
 * </ul>
 * One owner thread; no locks.
 */
public final class ReceiverQueue {
    private final int maxMessages;
    private final long maxBytes;
    private final ArrayDeque<DataMessage> queue;
    private long bytes;
    private boolean overflowed;
    private long evicted;

    public ReceiverQueue(int maxMessages, long maxBytes) {
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
        this.queue = new ArrayDeque<>(Math.min(maxMessages, 1024));
    }

    /** Appends {@code m} under the overflow policy; returns {@link RelayOutcome#QUEUED} or the drop reason. */
    public RelayOutcome offer(DataMessage m) {
        int size = m.payload().length;
        if (m.reliable()) {
            if (overflowed) return RelayOutcome.DROPPED_RECEIVER_OVERFLOW;
            while (!fits(size) && evictOldestLossy()) {
                // keep evicting lossy messages
            }
            if (!fits(size)) {
                overflowed = true;
                return RelayOutcome.DROPPED_RECEIVER_OVERFLOW;
            }
        } else if (!fits(size) && !(evictOldestLossy() && fits(size))) {
            return RelayOutcome.DROPPED_QUEUE_FULL;
        }
        queue.addLast(m);
        bytes += size;
        return RelayOutcome.QUEUED;
    }

    /** The next message to send, removed from the queue, or null. */
    public DataMessage poll() {
        DataMessage m = queue.pollFirst();
        if (m != null) bytes -= m.payload().length;
        return m;
    }

    /** The next message without removing it, or null. */
    public DataMessage peek() { return queue.peekFirst(); }

    public int size() { return queue.size(); }

    /** Queued lossy messages evicted to make room, in total (they count as queue drops). */
    public long evicted() { return evicted; }

    public long bytes() { return bytes; }

    /** True once a reliable message did not fit (sticky until {@link #clearOverflow()}). */
    public boolean overflowed() { return overflowed; }

    /** The receiver's reliable channel was re-opened: reliable delivery starts again from the next message. */
    public void clearOverflow() { overflowed = false; }

    /** Drops queued messages matching {@code unwanted} (rights changed); returns how many. */
    public int removeIf(java.util.function.Predicate<DataMessage> unwanted) {
        int n = 0;
        for (Iterator<DataMessage> it = queue.iterator(); it.hasNext(); ) {
            DataMessage q = it.next();
            if (unwanted.test(q)) {
                it.remove();
                bytes -= q.payload().length;
                n++;
            }
        }
        return n;
    }

    /** Drops everything (the receiver left or lost the right to receive). */
    public void clear() {
        queue.clear();
        bytes = 0;
    }

    private boolean fits(int size) {
        return queue.size() < maxMessages && bytes + size <= maxBytes;
    }

    private boolean evictOldestLossy() {
        for (Iterator<DataMessage> it = queue.iterator(); it.hasNext(); ) {
            DataMessage q = it.next();
            if (!q.reliable()) {
                it.remove();
                bytes -= q.payload().length;
                evicted++;
                return true;
            }
        }
        return false;
    }
}
