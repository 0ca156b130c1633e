package dev.chorus.media.datarelay;

import dev.chorus.common.rate.TokenBucket;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One room's data relay, owned by the room's worker thread (every method is called there; no locks). A participant
 * {@link #join joins} with its {@link DataRights} and a {@link DataReceiver}; a message it sends ({@link #send}) is
 * checked (right, size, topic, message and byte budgets — the project's one {@link TokenBucket}), copied once and
 * appended to the {@link ReceiverQueue} of every other participant allowed to receive it — or only of those in the
 * optional destination list — with the sender's participant id attached here, from the transport it arrived on.
 * Each receiver's transport drains its own queue ({@link #poll}) as its SCTP send buffer allows, so a slow receiver
 * only ever fills its own queue.
 *
 * <p>Rights change live ({@link #updateRights}): from the next message on, and queued messages from senders the
 * receiver may no longer hear are removed at once.
 */
public final class DataRelay {

    /** Notified on the owner thread when a receiver's queue goes from empty to non-empty: drain it with {@link #poll}. */
    @FunctionalInterface
    public interface DataReceiver {
        void dataQueued(String participantId);
    }

    /** Things an operator or the audit log must see, each reported once per occurrence (not per message). */
    public interface Events {
        /** {@code participantId} sent without {@code data:publish}; once per grant (again only after a rights change). */
        default void publishRefused(String participantId) {}

        /** {@code participantId}'s reliable delivery was cut by queue overflow; once until {@link #reopened}. */
        default void receiverOverflowed(String participantId) {}
    }

    private static final class Member {
        final String id;
        final DataReceiver receiver;
        final ReceiverQueue queue;
        final TokenBucket messageBudget;
        final TokenBucket byteBudget;
        DataRights rights;
        boolean refusalReported;

        Member(String id, DataRights rights, DataReceiver receiver, DataLimits limits, long nowNanos) {
            this.id = id;
            this.rights = rights;
            this.receiver = receiver;
            this.queue = new ReceiverQueue(limits.queueMessages(), limits.queueBytes());
            this.messageBudget = new TokenBucket(limits.messagesPerSecond(), limits.messageBurst(), nowNanos);
            this.byteBudget = new TokenBucket(limits.bytesPerSecond(), limits.byteBurst(), nowNanos);
        }
    }

    private final DataLimits limits;
    private final Events events;
    private final DataRelayCounters counters;
    private final Map<String, Member> members = new LinkedHashMap<>();

    public DataRelay(DataLimits limits, Events events, DataRelayCounters counters) {
        this.limits = Objects.requireNonNull(limits);
        this.events = Objects.requireNonNull(events);
        this.counters = Objects.requireNonNull(counters);
    }

    public DataLimits limits() { return limits; }

    public DataRelayCounters counters() { return counters; }

    /** Adds a participant (its data channel association is up). Replaces an earlier entry of the same id. */
    public void join(String participantId, DataRights rights, DataReceiver receiver, long nowNanos) {
        members.put(participantId, new Member(participantId, Objects.requireNonNull(rights),
                Objects.requireNonNull(receiver), limits, nowNanos));
    }

    /** Removes a participant and whatever was queued for it. */
    public void leave(String participantId) {
        Member m = members.remove(participantId);
        if (m != null) m.queue.clear();
    }

    public boolean contains(String participantId) { return members.containsKey(participantId); }

    /**
     * New rights, effective for the next message; queued messages the participant may no longer receive are
     * dropped now. A refused sender is audited again after a change (a new grant).
     */
    public void updateRights(String participantId, DataRights rights) {
        Member m = members.get(participantId);
        if (m == null) return;
        m.rights = Objects.requireNonNull(rights);
        m.refusalReported = false;
        m.queue.removeIf(q -> !rights.mayReceiveFrom(q.senderId()));
    }

    /**
     * Relays one message {@code payload[off, off+len)} from {@code senderId}.
     *
     * @param destinations participant ids to deliver to, or null for everyone allowed; the sender itself, unknown
     *                     ids and duplicates are skipped; rights apply to each destination as to a broadcast
     * @return {@link RelayOutcome#RELAYED} or why the message was refused (nothing queued anywhere then)
     */
    public RelayOutcome send(String senderId, String topic, byte[] payload, int off, int len, boolean binary,
                             boolean reliable, List<String> destinations, long nowNanos) {
        Member sender = members.get(senderId);
        RelayOutcome refused = check(sender, topic, len, destinations, nowNanos);
        if (refused != null) {
            counters.count(refused, len);
            return refused;
        }
        DataMessage message = new DataMessage(senderId, topic, java.util.Arrays.copyOfRange(payload, off, off + len),
                binary, reliable);
        if (destinations == null) {
            for (Member r : members.values()) deliver(r, message);
        } else {
            for (int i = 0; i < destinations.size(); i++) {
                String id = destinations.get(i);
                if (destinations.indexOf(id) != i) continue; // a duplicate: deliver once
                Member r = members.get(id);
                if (r != null) deliver(r, message);
            }
        }
        counters.count(RelayOutcome.RELAYED, len);
        return RelayOutcome.RELAYED;
    }

    /** The next message for {@code participantId}'s transport to send, or null. */
    public DataMessage poll(String participantId) {
        Member m = members.get(participantId);
        return m == null ? null : m.queue.poll();
    }

    /** Messages waiting for {@code participantId} (0 if unknown). */
    public int queued(String participantId) {
        Member m = members.get(participantId);
        return m == null ? 0 : m.queue.size();
    }

    /** {@code participantId}'s reliable channel was opened again after an overflow: reliable delivery resumes. */
    public void reopened(String participantId) {
        Member m = members.get(participantId);
        if (m != null) m.queue.clearOverflow();
    }

    private RelayOutcome check(Member sender, String topic, int len, List<String> destinations, long nowNanos) {
        if (sender == null) return RelayOutcome.REFUSED_UNKNOWN_SENDER;
        if (!sender.rights.publish()) {
            if (!sender.refusalReported) {
                sender.refusalReported = true;
                events.publishRefused(sender.id);
            }
            return RelayOutcome.REFUSED_NO_RIGHT;
        }
        if (len > limits.maxMessageBytes()) return RelayOutcome.REFUSED_TOO_LARGE;
        if (!validTopic(topic) || destinations != null && destinations.size() > DataLimits.MAX_DESTINATIONS) {
            return RelayOutcome.REFUSED_BAD_TOPIC;
        }
        if (!sender.messageBudget.tryTake(nowNanos)) return RelayOutcome.REFUSED_RATE;
        if (!sender.byteBudget.tryTake(len, nowNanos)) return RelayOutcome.REFUSED_BYTES;
        return null;
    }

    private void deliver(Member r, DataMessage message) {
        if (r.id.equals(message.senderId()) || !r.rights.mayReceiveFrom(message.senderId())) return;
        boolean wasEmpty = r.queue.size() == 0;
        boolean wasOverflowed = r.queue.overflowed();
        long evictedBefore = r.queue.evicted();
        RelayOutcome outcome = r.queue.offer(message);
        counters.count(outcome, message.payload().length);
        counters.evicted(r.queue.evicted() - evictedBefore);
        if (outcome == RelayOutcome.DROPPED_RECEIVER_OVERFLOW && !wasOverflowed) events.receiverOverflowed(r.id);
        if (outcome == RelayOutcome.QUEUED && wasEmpty) r.receiver.dataQueued(r.id);
    }

    /** 1..{@value DataLimits#MAX_TOPIC_BYTES} UTF-8 bytes without control characters. */
    static boolean validTopic(String topic) {
        if (topic == null || topic.isEmpty() || topic.length() > DataLimits.MAX_TOPIC_BYTES) return false;
        int utf8 = 0;
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            if (c < 0x20 || c == 0x7F || c >= 0x80 && c < 0xA0) return false;
            utf8 += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return utf8 <= DataLimits.MAX_TOPIC_BYTES;
    }
}
