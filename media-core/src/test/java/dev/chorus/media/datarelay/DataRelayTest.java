package dev.chorus.media.datarelay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The room data relay: who gets what, with which sender id, under which rights and budgets. */
class DataRelayTest {

    private static final long SECOND = 1_000_000_000L;

    private final List<String> refused = new ArrayList<>();
    private final List<String> overflowed = new ArrayList<>();
    private final List<String> woken = new ArrayList<>();
    private final DataRelayCounters counters = new DataRelayCounters();
    private long now = 5 * SECOND;

    private DataRelay relay(DataLimits limits) {
        return new DataRelay(limits, new DataRelay.Events() {
            @Override public void publishRefused(String id) { refused.add(id); }
            @Override public void receiverOverflowed(String id) { overflowed.add(id); }
        }, counters);
    }

    private DataRelay roomOf(String... ids) {
        DataRelay r = relay(DataLimits.defaults());
        for (String id : ids) r.join(id, DataRights.all(), woken::add, now);
        return r;
    }

    private static byte[] bytes(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    private RelayOutcome send(DataRelay r, String from, String text, boolean reliable, List<String> to) {
        byte[] b = bytes(text);
        return r.send(from, "chat", b, 0, b.length, false, reliable, to, now);
    }

    private static List<String> drain(DataRelay r, String id) {
        List<String> out = new ArrayList<>();
        for (DataMessage m; (m = r.poll(id)) != null; ) {
            out.add(m.senderId() + ":" + m.topic() + ":" + new String(m.payload(), StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void everyOtherParticipantGetsTheMessageOnceWithTheSenderIdTheServerKnows() {
        DataRelay r = roomOf("alice", "bob", "carol");
        assertEquals(RelayOutcome.RELAYED, send(r, "alice", "hi", true, null));
        assertEquals(List.of("alice:chat:hi"), drain(r, "bob"));
        assertEquals(List.of("alice:chat:hi"), drain(r, "carol"));
        assertEquals(List.of(), drain(r, "alice"), "never echoed to the sender");
        assertEquals(List.of("bob", "carol"), woken, "each receiver woken once when its queue became non-empty");
        assertEquals(2, counters.messages(RelayOutcome.QUEUED));
        assertEquals(1, counters.messages(RelayOutcome.RELAYED));
    }

    @Test
    void theSenderIdComesFromTheTransportNotFromTheContent() {
        DataRelay r = roomOf("alice", "bob");
        send(r, "alice", "{\"from\":\"bob\"}", true, null);
        DataMessage m = r.poll("bob");
        assertEquals("alice", m.senderId());
    }

    @Test
    void aDestinationListLimitsDeliveryAndSkipsUnknownsDuplicatesAndTheSender() {
        DataRelay r = roomOf("alice", "bob", "carol", "dave");
        send(r, "alice", "psst", true, List.of("carol", "nobody", "carol", "alice"));
        assertEquals(List.of("alice:chat:psst"), drain(r, "carol"));
        assertEquals(List.of(), drain(r, "bob"));
        assertEquals(List.of(), drain(r, "dave"));
    }

    @Test
    void withoutDataPublishTheMessageIsRefusedAndAuditedOncePerGrant() {
        DataRelay r = roomOf("alice", "bob");
        r.updateRights("alice", new DataRights(false, true, SenderPolicy.ALL));
        for (int i = 0; i < 5; i++) assertEquals(RelayOutcome.REFUSED_NO_RIGHT, send(r, "alice", "x", true, null));
        assertEquals(List.of("alice"), refused, "audited once, not per message");
        assertEquals(List.of(), drain(r, "bob"));
        assertEquals(5, counters.messages(RelayOutcome.REFUSED_NO_RIGHT));
        r.updateRights("alice", new DataRights(false, true, SenderPolicy.ALL));
        send(r, "alice", "x", true, null);
        assertEquals(List.of("alice", "alice"), refused, "a new grant is audited again");
    }

    @Test
    void aReceiverDeniedByPolicyOrWithoutDataSubscribeNeverReceives() {
        DataRelay r = roomOf("alice", "bob", "carol", "dave");
        r.updateRights("bob", new DataRights(true, true, sender -> !sender.equals("alice")));
        r.updateRights("carol", new DataRights(true, false, SenderPolicy.ALL));
        send(r, "alice", "a", true, null);
        send(r, "alice", "b", false, List.of("bob", "carol"));
        send(r, "dave", "d", true, null);
        assertEquals(List.of("dave:chat:d"), drain(r, "bob"));
        assertEquals(List.of(), drain(r, "carol"));
    }

    @Test
    void aLiveRevokeAppliesToTheNextMessageAndToWhatIsStillQueued() {
        DataRelay r = roomOf("alice", "bob", "carol");
        send(r, "alice", "before", true, null);
        send(r, "carol", "from carol", true, null);
        r.updateRights("bob", new DataRights(true, true, sender -> !sender.equals("alice")));
        send(r, "alice", "after", true, null);
        assertEquals(List.of("carol:chat:from carol"), drain(r, "bob"), "queued alice message removed at revoke");
        r.updateRights("alice", new DataRights(false, true, SenderPolicy.ALL));
        assertEquals(RelayOutcome.REFUSED_NO_RIGHT, send(r, "alice", "revoked", true, null));
        r.updateRights("bob", DataRights.all());
        r.updateRights("alice", DataRights.all());
        send(r, "alice", "back", true, null);
        assertEquals(List.of("alice:chat:back"), drain(r, "bob"));
    }

    @Test
    void theMessageRateIsLimitedByTheProjectsTokenBucketAndRefillsOverTime() {
        DataRelay r = relay(new DataLimits(10, 20, 1e9, 1e9, 1024, 1000, 1 << 20));
        r.join("alice", DataRights.all(), woken::add, now);
        r.join("bob", DataRights.all(), woken::add, now);
        int relayed = 0;
        for (int i = 0; i < 50; i++) if (send(r, "alice", "m" + i, false, null) == RelayOutcome.RELAYED) relayed++;
        assertEquals(20, relayed, "the burst");
        assertEquals(30, counters.messages(RelayOutcome.REFUSED_RATE));
        now += SECOND;
        relayed = 0;
        for (int i = 0; i < 50; i++) if (send(r, "alice", "n" + i, false, null) == RelayOutcome.RELAYED) relayed++;
        assertEquals(10, relayed, "one second of refill");
    }

    @Test
    void theByteBudgetRefusesBeyondItsBurst() {
        DataRelay r = relay(new DataLimits(1000, 1000, 1000, 4096, 1024, 100, 1 << 20));
        r.join("alice", DataRights.all(), woken::add, now);
        byte[] kb = new byte[1024];
        for (int i = 0; i < 4; i++) {
            assertEquals(RelayOutcome.RELAYED, r.send("alice", "t", kb, 0, kb.length, true, true, null, now));
        }
        assertEquals(RelayOutcome.REFUSED_BYTES, r.send("alice", "t", kb, 0, kb.length, true, true, null, now));
    }

    @Test
    void oversizedMessagesAndBadTopicsAreRefusedBeforeTouchingTheBudget() {
        DataRelay r = roomOf("alice", "bob");
        byte[] big = new byte[DataLimits.defaults().maxMessageBytes() + 1];
        assertEquals(RelayOutcome.REFUSED_TOO_LARGE, r.send("alice", "t", big, 0, big.length, true, true, null, now));
        for (String topic : new String[] {"", null, "a\u0000b", "x".repeat(129), "é".repeat(65)}) {
            assertEquals(RelayOutcome.REFUSED_BAD_TOPIC, r.send("alice", topic, new byte[1], 0, 1, true, true, null, now));
        }
        assertTrue(DataRelay.validTopic("é".repeat(64)));
        assertEquals(RelayOutcome.REFUSED_UNKNOWN_SENDER, send(r, "mallory", "x", true, null));
        assertEquals(0, r.queued("bob"));
    }

    @Test
    void aSlowReceiverFillsOnlyItsOwnQueueAndLossyOverflowEvictsTheOldestLossy() {
        DataRelay r = relay(new DataLimits(1e6, 1e6, 1e9, 1e9, 1024, 4, 1 << 20));
        for (String id : List.of("alice", "slow", "fast")) r.join(id, DataRights.all(), woken::add, now);
        List<String> fastGot = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            send(r, "alice", "c" + i, false, null);
            fastGot.addAll(drain(r, "fast"));
        }
        assertEquals(10, fastGot.size(), "the fast receiver is not held back");
        assertEquals(List.of("alice:chat:c6", "alice:chat:c7", "alice:chat:c8", "alice:chat:c9"), drain(r, "slow"),
                "the freshest lossy messages are kept");
        assertEquals(6, counters.queueDrops());
    }

    @Test
    void reliableOverflowEvictsLossyFirstThenCutsTheReceiversReliableDeliveryOnce() {
        DataRelay r = relay(new DataLimits(1e6, 1e6, 1e9, 1e9, 1024, 4, 1 << 20));
        for (String id : List.of("alice", "slow")) r.join(id, DataRights.all(), woken::add, now);
        send(r, "alice", "lossy", false, null);
        for (int i = 0; i < 4; i++) assertEquals(RelayOutcome.RELAYED, send(r, "alice", "r" + i, true, null));
        assertEquals(List.of(), overflowed, "the lossy message made room");
        send(r, "alice", "r4", true, null);
        send(r, "alice", "r5", true, null);
        assertEquals(List.of("slow"), overflowed, "reported once");
        assertEquals(List.of("alice:chat:r0", "alice:chat:r1", "alice:chat:r2", "alice:chat:r3"), drain(r, "slow"));
        send(r, "alice", "r6", true, null);
        assertEquals(List.of(), drain(r, "slow"), "no silent gap: reliable stays cut until the channel is reopened");
        send(r, "alice", "lossy2", false, null);
        assertEquals(List.of("alice:chat:lossy2"), drain(r, "slow"), "lossy still flows");
        r.reopened("slow");
        send(r, "alice", "r7", true, null);
        assertEquals(List.of("alice:chat:r7"), drain(r, "slow"));
        assertEquals(3, counters.messages(RelayOutcome.DROPPED_RECEIVER_OVERFLOW));
    }

    @Test
    void thePayloadIsCopiedOnceAndSharedByAllReceivers() {
        DataRelay r = roomOf("alice", "bob", "carol");
        byte[] b = bytes("xhellox");
        r.send("alice", "t", b, 1, 5, true, true, null, now);
        b[1] = 'j';
        DataMessage toBob = r.poll("bob");
        DataMessage toCarol = r.poll("carol");
        assertArrayEquals(bytes("hello"), toBob.payload());
        assertTrue(toBob == toCarol, "one immutable message for every receiver");
        assertTrue(toBob.binary());
    }

    @Test
    void leavingDropsTheQueueAndStopsDelivery() {
        DataRelay r = roomOf("alice", "bob");
        send(r, "alice", "x", true, null);
        r.leave("bob");
        assertFalse(r.contains("bob"));
        assertNull(r.poll("bob"));
        assertEquals(RelayOutcome.RELAYED, send(r, "alice", "y", true, null));
    }

    @Test
    void metricsExportMessagesAndBytesByOutcomeQueueDropsAndOpenChannels() {
        DataRelay r = roomOf("alice", "bob");
        send(r, "alice", "four", true, null);
        counters.channelOpened();
        counters.channelOpened();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new DataRelayMetrics(List.of(counters)).bindTo(registry);
        assertEquals(1.0, registry.get("chorus.data.messages").tag("outcome", "relayed").functionCounter().count());
        assertEquals(4.0, registry.get("chorus.data.bytes").tag("outcome", "queued").functionCounter().count());
        assertEquals(0.0, registry.get("chorus.data.queue.drops").functionCounter().count());
        assertEquals(2.0, registry.get("chorus.data.channels.open").gauge().value());
        counters.sctpDropped(3);
        assertEquals(3.0, registry.get("chorus.data.sctp.dropped").functionCounter().count());
        assertEquals(Set.of("relayed", "refused_no_right", "refused_rate", "refused_bytes", "refused_too_large",
                "refused_bad_topic", "refused_malformed", "refused_unknown_sender", "queued", "dropped_queue_full",
                "dropped_receiver_overflow", "dropped_undeliverable"), Set.copyOf(registry.get("chorus.data.messages").functionCounters()
                .stream().map(c -> c.getId().getTag("outcome")).toList()));
    }
}
