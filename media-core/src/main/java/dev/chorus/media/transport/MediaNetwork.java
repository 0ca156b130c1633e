package dev.chorus.media.transport;

import dev.chorus.media.dtls.Fingerprint;
import dev.chorus.media.ice.IceCredentials;
import dev.chorus.media.srtp.SrtpStats;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The network as the SFU sees it: the upper half of the seam between the SFU and the transports (see {@link
 * MediaChannel}). {@link MediaTransportServer} is the UDP implementation; tests run the SFU on one without sockets.
 *
 * <p>Workers are numbered {@code 0..n-1}. A channel is opened for one worker and used by that worker only;
 * {@link #flush(int)} sends what that worker's channels queued since its last flush (once per drain of its ring),
 * so an implementation can keep egress per worker.
 */
public interface MediaNetwork {
    /**
     * Opens a channel for a participant's transport; called by the owning worker.
     *
     * @param worker         the index of the worker that will own the channel
     * @param local          local ICE credentials (the SFU generated them for its SDP)
     * @param remoteUfrag    the peer's ICE username fragment from its SDP
     * @param remoteFingerprint the peer's DTLS certificate fingerprint from its SDP
     * @param inboundStats   counts the outcomes of {@link MediaChannel#unprotect} (the owner's, single writer)
     * @param events         where datagrams and lifecycle events go
     * @return the channel, or null when the network is at capacity (or the local ufrag is taken)
     */
    MediaChannel open(int worker, IceCredentials local, String remoteUfrag, Fingerprint remoteFingerprint,
                      SrtpStats inboundStats, MediaChannel.Events events);

    /** Sends what {@code worker}'s channels queued (called by that worker). */
    void flush(int worker);

    /** Addresses to announce as ICE host candidates. */
    List<InetSocketAddress> candidates();

    /** The fingerprint of the local DTLS certificate, for the SFU's SDP. */
    Fingerprint localFingerprint();

    /** SSRCs one direction of a channel can carry (SRTP contexts per transport). */
    int maxStreamsPerTransport();
}
