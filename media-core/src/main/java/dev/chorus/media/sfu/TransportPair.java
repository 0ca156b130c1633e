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
    /** The client asked for an ICE restart of the subscribe transport; the next offer carries new credentials. */
    private boolean subscribeRestartWanted;
    /** The outstanding subscriber offer carries new ICE credentials: its answer restarts ICE on the transport. */
    private boolean subscribeRestartOffered;

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
        // A new remote ufrag on the open transport is the client's ICE restart: fresh local credentials, same transport.
        if (!remoteUfrag.equals(publishRemoteUfrag)) return IceCredentials.generate();
        return publishCredentials;
    }

    /** Opens the publish transport unless the live one is reused; nothing changes when the media server is full. */
    void ensurePublish(IceCredentials credentials, String remoteUfrag, Fingerprint fingerprint) {
        if (usable(publish)) {
            if (!remoteUfrag.equals(publishRemoteUfrag)) {
                restartIce(publish, credentials, remoteUfrag);
                publishCredentials = credentials;
                publishRemoteUfrag = remoteUfrag;
            }
            return;
        }
        publish = open(TransportRole.PUBLISH, credentials, remoteUfrag, fingerprint);
        publishCredentials = credentials;
        publishRemoteUfrag = remoteUfrag;
    }

    /** The credentials of the subscribe transport the next offer describes (made once per transport). */
    IceCredentials subscribeCredentials() {
        if (subscribeRestartWanted && subscribeCredentials != null && usable(subscribe)) {
            subscribeCredentials = IceCredentials.generate();
            subscribeRestartOffered = true;
        }
        subscribeRestartWanted = false;
        if (subscribeCredentials == null) subscribeCredentials = IceCredentials.generate();
        return subscribeCredentials;
    }

    /**
     * The client asks for an ICE restart of its subscribe connection: the next offer carries fresh credentials and
     * its answer restarts ICE on the same transport (without a transport the next offer opens one anyway).
     */
    void requestSubscribeRestart() {
        subscribeRestartWanted = true;
    }

    /** Applies an ICE restart to an open transport; refused only if the transport is gone or the ufrag taken. */
    private static void restartIce(Endpoint ep, IceCredentials credentials, String remoteUfrag) {
        if (ep.link == null || !ep.link.restartIce(credentials, remoteUfrag)) {
            throw new SfuException(SfuException.Code.NEGOTIATION_FAILED, "ICE restart failed: transport closed");
        }
    }

    /** Checks an answer's ICE ufrag against the live subscribe transport, or opens one for it. */
    void ensureSubscribe(String remoteUfrag, Sdp.Fingerprint fingerprint) {
        boolean restartOffered = subscribeRestartOffered;
        subscribeRestartOffered = false;
        if (usable(subscribe)) {
            if (restartOffered || !remoteUfrag.equals(subscribeRemoteUfrag)) {
                // the answer to an ICE-restart offer (or the client restarted itself): same transport, new credentials
                restartIce(subscribe, subscribeCredentials, remoteUfrag);
                subscribeRemoteUfrag = remoteUfrag;
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
