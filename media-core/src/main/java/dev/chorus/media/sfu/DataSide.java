package dev.chorus.media.sfu;

import dev.chorus.media.datachannel.DataChannel;
import dev.chorus.media.datachannel.DataChannels;
import dev.chorus.media.datarelay.DataFrame;
import dev.chorus.media.datarelay.DataMessage;
import dev.chorus.media.datarelay.DataRelay;
import dev.chorus.media.datarelay.DataRelayCounters;
import dev.chorus.media.datarelay.DataRights;
import dev.chorus.media.datarelay.RelayOutcome;
import dev.chorus.media.sctp.SctpAssociation;
import dev.chorus.media.sctp.SctpConfig;
import dev.chorus.media.sctp.SctpCounter;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

/**
 * A participant's data channels, on its publish transport (see {@link DataNegotiation}): the SCTP association fed
 * with the DTLS application data of that transport, the two channels the SDK opens ({@value #RELIABLE_LABEL}:
 * reliable ordered; {@value #LOSSY_LABEL}: unordered, {@code maxRetransmits: 0}), and the participant's place in the
 * room's {@link DataRelay}: frames received on a channel go to the relay with this participant's id as the sender
 * (never taken from the frame), messages the relay queued for it are sent back on the channel of their kind as the
 * association's send buffer allows. Owner: the room's worker thread; SCTP timers run from the worker's tick.
 */
final class DataSide implements DataChannels.Listener {
    static final String RELIABLE_LABEL = "chorus-reliable";
    static final String LOSSY_LABEL = "chorus-lossy";
    /** Relayed messages are taken from the relay's queue only while less than this is unacknowledged in SCTP. */
    static final long SEND_BUFFER_HIGH = 1 << 20;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ParticipantImpl participant;
    private final RoomImpl room;
    private final Worker worker;
    private DataNegotiation.DataSection negotiated;
    private DataRights rights = DataRights.none();
    private Endpoint endpoint;
    private SctpAssociation association;
    private DataChannels channels;
    private DataChannel reliable;
    private DataChannel lossy;
    private boolean joined;
    private long sctpDropsReported;

    DataSide(ParticipantImpl participant) {
        this.participant = participant;
        this.room = participant.room;
        this.worker = participant.worker;
    }

    private DataRelayCounters counters() { return room.data.counters(); }

    private long nowMillis() { return TimeUnit.NANOSECONDS.toMillis(worker.clock.getAsLong()); }

    /** Worker, after a publish offer was accepted: its data channel section, or null (none offered). */
    void negotiated(DataNegotiation.DataSection section) {
        if (section == null && negotiated != null) close();
        negotiated = section;
    }

    /** Worker: new data rights (at join and after every change); effective for the next message. */
    void updateRights(DataRights newRights) {
        rights = newRights;
        if (joined) room.data.updateRights(participant.id, newRights);
    }

    /** Worker: one SCTP packet from DTLS application data of {@code ep}. */
    void onPacket(Endpoint ep, byte[] packet) {
        if (negotiated == null || ep.role != TransportRole.PUBLISH || ep.closed || participant.closed) {
            counters().sctpDropped(1); // no data channel section negotiated on this transport
            return;
        }
        if (association == null || association.state() == SctpAssociation.State.CLOSED || endpoint != ep) {
            start(ep);
        }
        association.handlePacket(packet, 0, packet.length, nowMillis());
        reportSctpDrops();
        drain();
    }

    /** Creates the association (both peers send INIT, RFC 8841 section 9.3; a collision is resolved by SCTP). */
    private void start(Endpoint ep) {
        if (association != null) association.abort(nowMillis());
        endpoint = ep;
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        SctpConfig base = SctpConfig.webRtc(secret).withMaxMessageSize(DataNegotiation.MAX_MESSAGE_SIZE);
        SctpConfig config = new SctpConfig(base.localPort(), negotiated.remotePort(), base.mtu(), base.maxMessageSize(),
                base.receiveBufferSize(), base.sendBufferSize(), base.streams(), base.rtoInitialMillis(),
                base.rtoMinMillis(), base.rtoMaxMillis(), base.maxInitRetransmits(), base.maxAssociationRetransmits(),
                base.heartbeatIntervalMillis(), base.delayedAckMillis(), base.cookieLifetimeMillis(), secret);
        channels = new DataChannels(DataChannels.Role.DTLS_SERVER, this);
        association = new SctpAssociation(config, RANDOM, this::sendPacket, channels);
        channels.attach(association);
        sctpDropsReported = 0;
        association.connect(nowMillis());
    }

    private void sendPacket(byte[] packet) {
        Endpoint ep = endpoint;
        if (ep == null || ep.closed || ep.link == null || !ep.link.sendData(packet)) {
            worker.counters.sendFailures++;
        }
    }

    /** Worker timer: SCTP retransmissions, delayed SACKs, heartbeats; then whatever the relay queued. */
    void tick(long nowNanos) {
        if (association == null) return;
        long now = TimeUnit.NANOSECONDS.toMillis(nowNanos);
        if (now >= association.nextTimeoutMillis()) association.handleTimeout(now);
        reportSctpDrops();
        drain();
    }

    /** The relay queued messages for this participant (its queue was empty): send what the buffer allows. */
    void drain() {
        if (!joined || association == null || association.state() != SctpAssociation.State.ESTABLISHED) return;
        DataRelay relay = room.data;
        long now = nowMillis();
        while (association.bufferedAmount() < SEND_BUFFER_HIGH) {
            DataMessage m = relay.poll(participant.id);
            if (m == null) return;
            DataChannel ch = m.reliable() ? reliable : lossy != null ? lossy : reliable;
            byte[] frame = DataFrame.encodeDelivery(m);
            if (ch == null || frame == null || frame.length > negotiated.remoteMaxMessageSize()
                    || channels.send(ch, frame, now) != SctpAssociation.SendResult.QUEUED) {
                counters().count(RelayOutcome.DROPPED_UNDELIVERABLE, m.payload().length);
            }
        }
    }

    /** The relay cut this receiver's reliable delivery (queue overflow): close the channel so the client sees it. */
    void onOverflow() {
        if (reliable != null && channels != null) channels.close(reliable, nowMillis());
    }

    /** Worker: the publish transport closed, or the participant leaves. */
    void close() {
        if (association != null) association.abort(nowMillis());
        leaveRelay();
        association = null;
        channels = null;
        endpoint = null;
    }

    private void leaveRelay() {
        if (joined) room.data.leave(participant.id);
        joined = false;
        reliable = null;
        lossy = null;
    }

    private void reportSctpDrops() {
        long drops = 0;
        for (SctpCounter c : SctpCounter.values()) {
            if (c.name().startsWith("DROP_") || c == SctpCounter.MALFORMED_CHUNK) drops += association.count(c);
        }
        if (drops > sctpDropsReported) {
            counters().sctpDropped(drops - sctpDropsReported);
            sctpDropsReported = drops;
        }
    }

    // ---- DataChannels.Listener (worker, inside the association's calls) ---------------------------------------------

    @Override
    public void onChannelOpen(DataChannel channel) {
        counters().channelOpened();
        if (RELIABLE_LABEL.equals(channel.label())) {
            reliable = channel;
            if (joined) room.data.reopened(participant.id);
        } else if (LOSSY_LABEL.equals(channel.label())) {
            lossy = channel;
        } else {
            return; // another application's channel: its messages are counted as malformed, nothing is relayed
        }
        if (!joined) {
            joined = true;
            room.data.join(participant.id, rights, id -> drain(), worker.clock.getAsLong());
        }
    }

    @Override
    public void onMessage(DataChannel channel, byte[] data, boolean binary) {
        DataFrame.Inbound in = binary && (channel == reliable || channel == lossy) ? DataFrame.decode(data) : null;
        if (in == null) {
            counters().count(RelayOutcome.REFUSED_MALFORMED, data.length);
            return;
        }
        room.data.send(participant.id, in.topic(), data, in.payloadOffset(), in.payloadLength(data), !in.text(),
                channel == reliable, in.destinations(), worker.clock.getAsLong());
    }

    @Override
    public void onChannelClosed(DataChannel channel) {
        counters().channelClosed();
        if (channel == reliable) reliable = null;
        if (channel == lossy) lossy = null;
    }

    @Override
    public void onAssociationClosed(SctpAssociation.CloseReason reason) {
        leaveRelay();
    }
}
