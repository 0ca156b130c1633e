package dev.chorus.media.sfu;

import dev.chorus.media.dtls.Fingerprint;
import dev.chorus.media.ice.IceCredentials;
import dev.chorus.media.sdp.Sdp;

/**
 * A participant's two transports, one per direction ({@link TransportRole}), with their ICE credentials and the
 * remote ufrag each was opened for. Decides whether a negotiation reuses a transport or opens a new one (an ICE
 * restart on a live transport is refused), sends RTCP on them, and closes them. Owner: the room's worker thread.
 */
final class TransportPair {
    private final ParticipantImpl participant;
    private final Worker worker;

    Endpoint publish;
    private IceCredentials publishCredentials;
    private String publishRemoteUfrag;

    Endpoint subscribe;
    private IceCredentials subscribeCredentials;
    private String subscribeRemoteUfrag;

    TransportPair(ParticipantImpl participant) {
        this.participant = participant;
        this.worker = participant.worker;
    }

    private static boolean usable(Endpoint ep) {
        return ep != null && !ep.closed;
    }

    /** The credentials a publish answer for {@code remoteUfrag} carries: the live transport's, or new ones. */
    IceCredentials publishCredentialsFor(String remoteUfrag) {
        if (!usable(publish)) return IceCredentials.generate();
        if (!remoteUfrag.equals(publishRemoteUfrag)) {
            throw new SfuException(SfuException.Code.ICE_RESTART_UNSUPPORTED, "ICE restart is not supported");
        }
        return publishCredentials;
    }

    /** Opens the publish transport unless the live one is reused; nothing changes when the media server is full. */
    void ensurePublish(IceCredentials credentials, String remoteUfrag, Fingerprint fingerprint) {
        if (usable(publish)) return;
        publish = open(TransportRole.PUBLISH, credentials, remoteUfrag, fingerprint);
        publishCredentials = credentials;
        publishRemoteUfrag = remoteUfrag;
    }

    /** The credentials of the subscribe transport the next offer describes (made once per transport). */
    IceCredentials subscribeCredentials() {
        if (subscribeCredentials == null) subscribeCredentials = IceCredentials.generate();
        return subscribeCredentials;
    }

    /** Checks an answer's ICE ufrag against the live subscribe transport, or opens one for it. */
    void ensureSubscribe(String remoteUfrag, Sdp.Fingerprint fingerprint) {
        if (usable(subscribe)) {
            if (!remoteUfrag.equals(subscribeRemoteUfrag)) {
                throw new SfuException(SfuException.Code.ICE_RESTART_UNSUPPORTED, "ICE restart is not supported");
            }
            return;
        }
        subscribe = open(TransportRole.SUBSCRIBE, subscribeCredentials(), remoteUfrag,
                PublishNegotiation.fingerprint(fingerprint));
        subscribeRemoteUfrag = remoteUfrag;
    }

    private Endpoint open(TransportRole role, IceCredentials local, String remoteUfrag, Fingerprint fingerprint) {
        Endpoint ep = participant.room.sfu.openTransport(participant, role, local, remoteUfrag, fingerprint);
        if (ep == null) throw new SfuException(SfuException.Code.CAPACITY, "media server is full");
        return ep;
    }

    boolean publishConnected() {
        Endpoint ep = publish;
        return ep != null && ep.connected;
    }

    boolean subscribeConnected() {
        Endpoint ep = subscribe;
        return ep != null && ep.connected;
    }

    /** {@code ep} is one of the current transports (not one already replaced or given up). */
    boolean isCurrent(Endpoint ep) {
        return ep == publish || ep == subscribe;
    }

    /** Gives up a closed transport; the next negotiation of its direction opens a new one. */
    void forget(Endpoint ep) {
        if (ep == publish) {
            publish = null;
        } else if (ep == subscribe) {
            subscribe = null;
            // New ICE credentials for the next offer: an ICE restart for the client's PC.
            subscribeCredentials = null;
        }
    }

    /** Queues one RTCP packet on {@code ep} (protected with SRTCP on flush); counts it. */
    boolean sendRtcp(Endpoint ep, byte[] buf, int len) {
        if (ep.link.send(buf, 0, len, true)) {
            worker.counters.rtcpSent++;
            worker.sentSomething = true;
            return true;
        }
        worker.counters.sendFailures++;
        return false;
    }

    /** Closes both transports (the participant leaves). */
    void close() {
        if (publish != null) publish.close();
        if (subscribe != null) subscribe.close();
        publish = null;
        subscribe = null;
    }
}
