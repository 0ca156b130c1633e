package dev.chorus.media.datachannel;

import dev.chorus.media.sctp.SctpAssociation;
import dev.chorus.media.sctp.SendOptions;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * The data channels of one SCTP association (RFC 8831, DCEP of RFC 8832), sans-IO like the association below it:
 * it is the association's {@link SctpAssociation.Listener} and turns streams, PPIDs and DCEP messages into channels
 * and text / binary messages. Stream ids are even for the DTLS client and odd for the DTLS server (RFC 8832
 * section 6). Closing resets the channel's outgoing stream; a peer's reset is answered with ours (RFC 8831
 * section 6.7), and the channel is closed when both directions are.
 */
public final class DataChannels implements SctpAssociation.Listener {

    public enum Role { DTLS_CLIENT, DTLS_SERVER }

    public interface Listener {
        /** A channel the peer opened (after our ACK went out), or ours once the peer acknowledged it. */
        void onChannelOpen(DataChannel channel);

        void onMessage(DataChannel channel, byte[] data, boolean binary);

        default void onChannelClosed(DataChannel channel) {}

        default void onAssociationClosed(SctpAssociation.CloseReason reason) {}

        default void onAssociationEstablished() {}
    }

    private static final byte[] EMPTY_PAYLOAD = {0};

    private final Role role;
    private final Listener listener;
    private final Map<Integer, DataChannel> channels = new HashMap<>();
    private final long[] counters = new long[DataChannelCounter.values().length];
    private SctpAssociation association;
    private long now;

    public DataChannels(Role role, Listener listener) {
        this.role = role;
        this.listener = listener;
    }

    /** Binds the association this object listens to (they are created together, so this closes the loop). */
    public void attach(SctpAssociation association) {
        this.association = association;
    }

    public SctpAssociation association() { return association; }

    public Collection<DataChannel> channels() { return Collections.unmodifiableCollection(channels.values()); }

    public long count(DataChannelCounter c) { return counters[c.ordinal()]; }

    /** Opens a channel: DATA_CHANNEL_OPEN on the lowest free stream id of our parity. Null if none is free. */
    public DataChannel open(String label, String protocol, ChannelType type, long reliabilityParameter, long now) {
        this.now = now;
        int id = role == Role.DTLS_CLIENT ? 0 : 1;
        while (channels.containsKey(id)) id += 2;
        if (id > 65_534) return null;
        DataChannel ch = new DataChannel(id, label, protocol, type, reliabilityParameter, DataChannel.State.CONNECTING);
        byte[] open = new DcepMessage.Open(type, 0, reliabilityParameter, label, protocol).encode();
        if (association.send(id, Ppid.DCEP, open, SendOptions.RELIABLE_ORDERED, now)
                != SctpAssociation.SendResult.QUEUED) {
            return null;
        }
        channels.put(id, ch);
        return ch;
    }

    public SctpAssociation.SendResult send(DataChannel ch, String text, long now) {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        return sendRaw(ch, data.length == 0 ? Ppid.STRING_EMPTY : Ppid.STRING, data, now);
    }

    public SctpAssociation.SendResult send(DataChannel ch, byte[] binary, long now) {
        return sendRaw(ch, binary.length == 0 ? Ppid.BINARY_EMPTY : Ppid.BINARY, binary, now);
    }

    private SctpAssociation.SendResult sendRaw(DataChannel ch, int ppid, byte[] data, long now) {
        this.now = now;
        if (ch.state != DataChannel.State.OPEN && ch.state != DataChannel.State.CONNECTING) {
            return SctpAssociation.SendResult.NOT_ESTABLISHED;
        }
        SendOptions options = ch.type().sendOptions(ch.reliabilityParameter());
        if (ch.state == DataChannel.State.CONNECTING) {
            // Until the ACK arrives, user messages stay ordered behind the OPEN (RFC 8832 section 6).
            options = new SendOptions(true, options.maxRetransmits(), options.maxLifetimeMillis());
        }
        return association.send(ch.id(), ppid, data.length == 0 ? EMPTY_PAYLOAD : data, options, now);
    }

    /** Closes a channel by resetting its outgoing stream (RFC 8831 section 6.7). */
    public void close(DataChannel ch, long now) {
        this.now = now;
        if (ch.state == DataChannel.State.CLOSING || ch.state == DataChannel.State.CLOSED) return;
        ch.state = DataChannel.State.CLOSING;
        association.resetStreams(new int[] {ch.id()}, now);
    }

    // ------------------------------------------------------------- from the association

    @Override
    public void onEstablished() {
        listener.onAssociationEstablished();
    }

    @Override
    public void onMessage(int stream, int ppid, byte[] message) {
        DataChannel ch = channels.get(stream);
        if (ppid == Ppid.DCEP) {
            onDcep(stream, message, ch);
            return;
        }
        if (ch == null || ch.state == DataChannel.State.CLOSED) {
            add(DataChannelCounter.MESSAGE_NO_CHANNEL);
            return;
        }
        switch (ppid) {
            case Ppid.STRING -> listener.onMessage(ch, message, false);
            case Ppid.BINARY -> listener.onMessage(ch, message, true);
            case Ppid.STRING_EMPTY -> listener.onMessage(ch, new byte[0], false);
            case Ppid.BINARY_EMPTY -> listener.onMessage(ch, new byte[0], true);
            default -> add(DataChannelCounter.MESSAGE_BAD_PPID);
        }
    }

    private void onDcep(int stream, byte[] message, DataChannel ch) {
        DcepMessage m = DcepMessage.parse(message);
        if (m == null) {
            add(DataChannelCounter.MALFORMED_DCEP);
            return;
        }
        switch (m) {
            case DcepMessage.Open open -> {
                boolean peerParity = (stream & 1) == (role == Role.DTLS_CLIENT ? 1 : 0);
                if (ch != null || !peerParity) {
                    add(DataChannelCounter.OPEN_REFUSED);
                    return;
                }
                DataChannel created = new DataChannel(stream, open.label(), open.protocol(), open.type(),
                        open.reliabilityParameter(), DataChannel.State.OPEN);
                channels.put(stream, created);
                association.send(stream, Ppid.DCEP, DcepMessage.Ack.BYTES, SendOptions.RELIABLE_ORDERED, now);
                add(DataChannelCounter.CHANNELS_OPENED);
                listener.onChannelOpen(created);
            }
            case DcepMessage.Ack ack -> {
                if (ch == null || ch.state != DataChannel.State.CONNECTING) {
                    add(DataChannelCounter.MALFORMED_DCEP);
                    return;
                }
                ch.state = DataChannel.State.OPEN;
                add(DataChannelCounter.CHANNELS_OPENED);
                listener.onChannelOpen(ch);
            }
        }
    }

    @Override
    public void onIncomingStreamsReset(int[] streams) {
        for (int s : streams) {
            DataChannel ch = channels.get(s);
            if (ch == null) continue;
            ch.incomingReset = true;
            if (ch.state != DataChannel.State.CLOSING && ch.state != DataChannel.State.CLOSED) {
                ch.state = DataChannel.State.CLOSING;
                association.resetStreams(new int[] {s}, now);
            }
            maybeClosed(ch);
        }
    }

    @Override
    public void onOutgoingStreamsReset(int[] streams) {
        for (int s : streams) {
            DataChannel ch = channels.get(s);
            if (ch == null) continue;
            ch.outgoingReset = true;
            maybeClosed(ch);
        }
    }

    private void maybeClosed(DataChannel ch) {
        if (ch.incomingReset && ch.outgoingReset && ch.state != DataChannel.State.CLOSED) {
            ch.state = DataChannel.State.CLOSED;
            channels.remove(ch.id());
            add(DataChannelCounter.CHANNELS_CLOSED);
            listener.onChannelClosed(ch);
        }
    }

    @Override
    public void onClosed(SctpAssociation.CloseReason reason) {
        for (DataChannel ch : channels.values()) {
            ch.state = DataChannel.State.CLOSED;
            listener.onChannelClosed(ch);
        }
        channels.clear();
        listener.onAssociationClosed(reason);
    }

    private void add(DataChannelCounter c) { counters[c.ordinal()]++; }
}
