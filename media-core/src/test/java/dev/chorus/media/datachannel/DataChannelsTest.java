package dev.chorus.media.datachannel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.media.sctp.SctpAssociation;
import dev.chorus.media.sctp.SctpConfig;
import dev.chorus.media.sctp.SendOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Data channels over two real associations joined back to back (RFC 8831, DCEP RFC 8832). */
class DataChannelsTest {

    record Received(DataChannel channel, String text, byte[] bytes, boolean binary) {}

    static final class Events implements DataChannels.Listener {
        final List<DataChannel> opened = new ArrayList<>();
        final List<DataChannel> closed = new ArrayList<>();
        final List<Received> messages = new ArrayList<>();

        @Override public void onChannelOpen(DataChannel channel) { opened.add(channel); }
        @Override public void onMessage(DataChannel ch, byte[] data, boolean binary) {
            messages.add(new Received(ch, new String(data, StandardCharsets.UTF_8), data, binary));
        }
        @Override public void onChannelClosed(DataChannel channel) { closed.add(channel); }
    }

    /** Client (DTLS client, even ids) and server joined by an in-order lossless pipe; time is a counter. */
    static final class Pair {
        final ArrayDeque<byte[]> toServer = new ArrayDeque<>();
        final ArrayDeque<byte[]> toClient = new ArrayDeque<>();
        final Events clientEvents = new Events();
        final Events serverEvents = new Events();
        final DataChannels client = new DataChannels(DataChannels.Role.DTLS_CLIENT, clientEvents);
        final DataChannels server = new DataChannels(DataChannels.Role.DTLS_SERVER, serverEvents);
        long now = 1_000;

        Pair() {
            SctpConfig config = SctpConfig.webRtc("0123456789abcdef0123456789abcdef".getBytes());
            client.attach(new SctpAssociation(config, new SplittableRandom(1), toServer::add, client));
            server.attach(new SctpAssociation(config, new SplittableRandom(2), toClient::add, server));
            client.association().connect(now);
            pump();
        }

        void pump() {
            for (int i = 0; i < 10_000 && !(toServer.isEmpty() && toClient.isEmpty()); i++) {
                now++;
                byte[] p = toServer.poll();
                if (p != null) server.association().handlePacket(p, 0, p.length, now);
                p = toClient.poll();
                if (p != null) client.association().handlePacket(p, 0, p.length, now);
            }
            // Let delayed SACKs go out too.
            now += 500;
            client.association().handleTimeout(now);
            server.association().handleTimeout(now);
            for (int i = 0; i < 10_000 && !(toServer.isEmpty() && toClient.isEmpty()); i++) {
                byte[] p = toServer.poll();
                if (p != null) server.association().handlePacket(p, 0, p.length, now);
                p = toClient.poll();
                if (p != null) client.association().handlePacket(p, 0, p.length, now);
            }
        }
    }

    @Test
    void openIsAcknowledgedAndBothSidesSeeTheChannelWithItsParameters() {
        Pair pair = new Pair();
        DataChannel mine = pair.client.open("chat", "chorus-v1", ChannelType.PARTIAL_RELIABLE_TIMED_UNORDERED, 3000,
                pair.now);
        assertEquals(0, mine.id(), "the DTLS client uses even stream ids");
        assertEquals(DataChannel.State.CONNECTING, mine.state());
        pair.pump();
        assertEquals(DataChannel.State.OPEN, mine.state());
        assertEquals(List.of(mine), pair.clientEvents.opened);
        DataChannel theirs = pair.serverEvents.opened.getFirst();
        assertEquals(0, theirs.id());
        assertEquals("chat", theirs.label());
        assertEquals("chorus-v1", theirs.protocol());
        assertEquals(ChannelType.PARTIAL_RELIABLE_TIMED_UNORDERED, theirs.type());
        assertEquals(3000, theirs.reliabilityParameter());
        DataChannel fromServer = pair.server.open("x", "", ChannelType.RELIABLE, 0, pair.now);
        assertEquals(1, fromServer.id(), "the DTLS server uses odd stream ids");
        assertEquals(2, pair.client.open("y", "", ChannelType.RELIABLE, 0, pair.now).id());
    }

    @Test
    void textBinaryAndEmptyMessagesKeepTheirKindThroughTheirPpids() {
        Pair pair = new Pair();
        DataChannel ch = pair.client.open("c", "", ChannelType.RELIABLE, 0, pair.now);
        // Sent before the ACK: allowed, and ordered behind the OPEN (RFC 8832 section 6).
        pair.client.send(ch, "héllo", pair.now);
        pair.pump();
        pair.client.send(ch, new byte[] {1, 2, 3}, pair.now);
        pair.client.send(ch, "", pair.now);
        pair.client.send(ch, new byte[0], pair.now);
        pair.pump();
        List<Received> got = pair.serverEvents.messages;
        assertEquals(4, got.size());
        assertEquals("héllo", got.get(0).text());
        assertFalse(got.get(0).binary());
        assertArrayEquals(new byte[] {1, 2, 3}, got.get(1).bytes());
        assertTrue(got.get(1).binary());
        assertEquals(0, got.get(2).bytes().length);
        assertFalse(got.get(2).binary());
        assertEquals(0, got.get(3).bytes().length);
        assertTrue(got.get(3).binary());
    }

    @Test
    void closingResetsBothDirectionsAndFreesTheStreamId() {
        Pair pair = new Pair();
        DataChannel ch = pair.client.open("c", "", ChannelType.RELIABLE, 0, pair.now);
        pair.pump();
        DataChannel theirs = pair.serverEvents.opened.getFirst();
        pair.client.send(ch, "last words", pair.now);
        pair.client.close(ch, pair.now);
        assertEquals(DataChannel.State.CLOSING, ch.state());
        pair.pump();
        assertEquals("last words", pair.serverEvents.messages.getFirst().text());
        assertEquals(DataChannel.State.CLOSED, ch.state());
        assertEquals(DataChannel.State.CLOSED, theirs.state());
        assertEquals(List.of(ch), pair.clientEvents.closed);
        assertEquals(List.of(theirs), pair.serverEvents.closed);
        // Stream 0 is free again and restarts at SSN 0 in both directions.
        DataChannel again = pair.client.open("again", "", ChannelType.RELIABLE, 0, pair.now);
        assertEquals(0, again.id());
        pair.client.send(again, "new", pair.now);
        pair.pump();
        assertEquals(DataChannel.State.OPEN, again.state());
        assertEquals("new", pair.serverEvents.messages.getLast().text());
    }

    @Test
    void badDcepAndStrayMessagesAreCountedNotFatal() {
        Pair pair = new Pair();
        SctpAssociation c = pair.client.association();
        c.send(0, Ppid.DCEP, new byte[] {3, 0}, SendOptions.RELIABLE_ORDERED, pair.now); // truncated OPEN
        c.send(2, Ppid.STRING, "nobody".getBytes(), SendOptions.RELIABLE_ORDERED, pair.now); // no channel
        c.send(1, Ppid.DCEP, new DcepMessage.Open(ChannelType.RELIABLE, 0, 0, "odd", "").encode(),
                SendOptions.RELIABLE_ORDERED, pair.now); // the client must use even ids
        pair.pump();
        DataChannel ch = pair.client.open("ok", "", ChannelType.RELIABLE, 0, pair.now);
        c.send(ch.id(), Ppid.BINARY_PARTIAL, new byte[] {1}, SendOptions.RELIABLE_ORDERED, pair.now);
        pair.client.send(ch, "fine", pair.now);
        pair.pump();
        assertEquals(1, pair.server.count(DataChannelCounter.MALFORMED_DCEP));
        assertEquals(1, pair.server.count(DataChannelCounter.MESSAGE_NO_CHANNEL));
        assertEquals(1, pair.server.count(DataChannelCounter.OPEN_REFUSED));
        assertEquals(1, pair.server.count(DataChannelCounter.MESSAGE_BAD_PPID));
        assertEquals("fine", pair.serverEvents.messages.getFirst().text());
        assertEquals(1, pair.serverEvents.opened.size());
    }

    /** Byte layouts of RFC 8832 section 5 (the OPEN as Chromium sends it for {@code createDataChannel("chat")}). */
    @Test
    void dcepMessagesHaveTheRfcLayout() {
        byte[] open = HexFormat.of().parseHex("03000000000000000004000063686174");
        DcepMessage.Open parsed = (DcepMessage.Open) DcepMessage.parse(open);
        assertEquals(new DcepMessage.Open(ChannelType.RELIABLE, 0, 0, "chat", ""), parsed);
        assertArrayEquals(open, parsed.encode());
        byte[] lossy = new DcepMessage.Open(ChannelType.PARTIAL_RELIABLE_REXMIT_UNORDERED, 256, 5, "l", "p").encode();
        assertEquals("0381010000000005000100016c70", HexFormat.of().formatHex(lossy));
        assertTrue(DcepMessage.parse(new byte[] {2}) instanceof DcepMessage.Ack);
        assertNull(DcepMessage.parse(new byte[] {2, 0}));
        assertNull(DcepMessage.parse(HexFormat.of().parseHex("03000000000000000005000063686174"))); // lengths
        assertNull(DcepMessage.parse(HexFormat.of().parseHex("03070000000000000001000063"))); // unknown type
        assertNull(DcepMessage.parse(HexFormat.of().parseHex("030000000000000000010000ff"))); // not UTF-8
        assertNull(DcepMessage.parse(new byte[0]));
    }

    @Test
    void channelTypesMapToSctpSendOptionsAsW3cInitDictionariesDo() {
        assertEquals(ChannelType.RELIABLE, ChannelType.of(true, null, null));
        assertEquals(ChannelType.PARTIAL_RELIABLE_REXMIT_UNORDERED, ChannelType.of(false, 0, null));
        assertEquals(ChannelType.PARTIAL_RELIABLE_TIMED, ChannelType.of(true, null, 500));
        assertEquals(new SendOptions(false, 0, -1), ChannelType.PARTIAL_RELIABLE_REXMIT_UNORDERED.sendOptions(0));
        assertEquals(new SendOptions(true, -1, 500), ChannelType.PARTIAL_RELIABLE_TIMED.sendOptions(500));
        assertEquals(SendOptions.RELIABLE_UNORDERED, ChannelType.RELIABLE_UNORDERED.sendOptions(99));
    }
}
