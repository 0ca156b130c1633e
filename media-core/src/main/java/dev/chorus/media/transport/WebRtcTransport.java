package dev.chorus.media.transport;

import dev.chorus.media.dtls.DatagramSink;
import dev.chorus.media.dtls.DtlsFailure;
import dev.chorus.media.dtls.DtlsListener;
import dev.chorus.media.dtls.DtlsSession;
import dev.chorus.media.dtls.Fingerprint;
import dev.chorus.media.ice.IceLiteAgent;
import dev.chorus.media.rtp.RtcpCompound;
import dev.chorus.media.rtp.RtcpStatus;
import dev.chorus.media.rtp.RtpPacket;
import dev.chorus.media.rtp.RtpStatus;
import dev.chorus.media.srtp.PacketBuffer;
import dev.chorus.media.srtp.SrtpDecryptor;
import dev.chorus.media.srtp.SrtpEncryptor;
import dev.chorus.media.srtp.SrtpKeys;
import dev.chorus.media.srtp.SrtpProfile;
import dev.chorus.media.srtp.SrtpResult;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One participant's media transport: its ICE-lite agent, DTLS session and SRTP contexts on the shared UDP port.
 * Created by {@link MediaTransportServer#createTransport}; owned later by the SFU.
 *
 * <p>Threads: inbound processing (DTLS hand-off, SRTP unprotect, sink calls) runs on the UDP event loop, which
 * owns the inbound SRTP contexts. {@link #sendRtp}/{@link #sendRtcp} protect with the outbound contexts and must be
 * called by one thread at a time (the transport's owner, e.g. its room worker; the event loop in tests).
 */
public final class WebRtcTransport {
    public enum State { NEW, CONNECTED, CLOSED }

    private final MediaTransportServer server;
    private final IceLiteAgent agent;
    private final DtlsSession dtls;
    private final MediaSink sink;
    private final TransportListener listener;
    /** Non-null: inbound SRTP is handed over still protected and decrypted by the owner's thread. */
    private final SrtpSink srtpSink;
    private final dev.chorus.media.srtp.SrtpStats ownerInboundStats;
    /** Owner-thread view for {@link #unprotectRtp}/{@link #unprotectRtcp}. */
    private final PacketBuffer ownerView = new PacketBuffer();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Inbound view, event-loop confined. */
    private final PacketBuffer inView = new PacketBuffer();
    /** Header checks of decrypted packets (checklist 40), event-loop confined. */
    private final RtpPacket rtpView = new RtpPacket();
    private final RtcpCompound rtcpView = new RtcpCompound();
    /** Outbound view, confined to the sending thread. */
    private final PacketBuffer outView = new PacketBuffer();
    /** Worker egress, sending thread only: the nominated address last encoded as a sockaddr. */
    private InetSocketAddress encodedTo;
    private final byte[] encodedToBytes = new byte[SocketAddressCodec.MAX_LENGTH];
    private int encodedToLength = -1;
    /** Outbound SRTP outcomes, written by the sending thread only. */
    private final dev.chorus.media.srtp.SrtpStats outboundStats = new dev.chorus.media.srtp.SrtpStats();
    private volatile State state = State.NEW;
    private volatile SrtpDecryptor decryptor;
    private volatile SrtpEncryptor encryptor;
    private volatile SrtpProfile profile;
    /** Binds DTLS cookies to this transport (see {@link #onDtls}). */
    private final byte[] dtlsClientId;
    /** Where DTLS replies go: the validated source of the latest DTLS datagram. */
    private volatile InetSocketAddress dtlsPeer;

    WebRtcTransport(MediaTransportServer server, IceLiteAgent agent, Fingerprint remoteFingerprint,
                    MediaSink sink, TransportListener listener, SrtpSink srtpSink,
                    dev.chorus.media.srtp.SrtpStats ownerInboundStats) {
        this.server = server;
        this.agent = agent;
        this.sink = sink;
        this.listener = listener;
        this.srtpSink = srtpSink;
        this.ownerInboundStats = ownerInboundStats;
        this.dtlsClientId = ("chorus-transport:" + agent.localUfrag()).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        this.dtls = server.dtlsEndpoint().newSession(remoteFingerprint, new DtlsOut(), new DtlsEvents());
    }

    /** Local ICE ufrag for the SDP answer. */
    public String localUfrag() { return agent.localUfrag(); }

    /** Local ICE password for the SDP answer. A secret: never log it. */
    public String localPassword() { return agent.localCredentials().pwd(); }

    /** Local ICE credentials for the SDP answer builder. The password is a secret: never log it. */
    public dev.chorus.media.ice.IceCredentials iceCredentials() { return agent.localCredentials(); }

    /** Our DTLS fingerprint for the SDP answer ({@code sha-256 AB:…}). */
    public String localFingerprint() { return server.dtlsEndpoint().certificate().sdpFingerprint(); }

    /** Host candidates for the SDP answer (announced addresses, the server's port). */
    public List<InetSocketAddress> localCandidates() { return server.candidates(); }

    public State state() { return state; }

    /** Negotiated SRTP profile, null before DTLS finished. */
    public SrtpProfile srtpProfile() { return profile; }

    /** The nominated remote 5-tuple, null before nomination or after consent expiry. */
    public InetSocketAddress remoteAddress() { return agent.selectedAddress(); }

    IceLiteAgent agent() { return agent; }

    /** Outbound SRTP counters (protected packets, failures); read racily from other threads. */
    public dev.chorus.media.srtp.SrtpStats outboundStats() { return outboundStats; }

    // ---- inbound, on the event loop -------------------------------------------------------------------------------

    void onDtls(InetSocketAddress from, byte[] data, int length) {
        dtlsPeer = from;
        // The cookie is bound to this transport, not to the 5-tuple: DTLS is accepted only from 5-tuples this
        // transport's ICE agent validated (with the ICE password), which already proves return routability, and
        // the browser may switch the selected pair between its first and its cookie-carrying ClientHello (seen with
        // Chromium's second peer connection: 127.0.0.1 → 192.0.2.2). A cookie bound to the old 5-tuple then never
        // verifies, and BoringSSL ignores a second HelloVerifyRequest, so the handshake would hang forever.
        dtls.onDatagram(dtlsClientId, data, 0, length);
    }

    /**
     * One SRTP or SRTCP datagram from the validated peer, copied into {@code buffer} (event-loop scratch with room
     * after it). Unprotects, checks the header, and hands plaintext to the sink.
     */
    void onSrtp(byte[] buffer, int length, TransportCounters counters) {
        SrtpDecryptor in = decryptor;
        if (in == null) {
            counters.drop(DropReason.NOT_READY);
            return;
        }
        if (srtpSink != null) {
            try {
                srtpSink.onSrtp(this, buffer, 0, length);
            } catch (RuntimeException e) {
                counters.drop(DropReason.SINK_ERROR);
            }
            return;
        }
        inView.wrap(buffer, 0, length);
        if (RtpPacket.isRtcp(buffer, 0, length)) {
            if (in.unprotectRtcp(inView) != SrtpResult.OK) return; // counted in SrtpStats
            int n = inView.getLength();
            if (rtcpView.wrap(buffer, 0, n) != RtcpStatus.OK) {
                counters.drop(DropReason.MALFORMED_RTCP);
                return;
            }
            try {
                sink.onRtcp(this, buffer, 0, n);
            } catch (RuntimeException e) {
                counters.drop(DropReason.SINK_ERROR);
            }
        } else {
            if (in.unprotectRtp(inView) != SrtpResult.OK) return;
            int n = inView.getLength();
            if (rtpView.wrap(buffer, 0, n) != RtpStatus.OK) {
                counters.drop(DropReason.MALFORMED_RTP);
                return;
            }
            try {
                sink.onRtp(this, buffer, 0, n);
            } catch (RuntimeException e) {
                counters.drop(DropReason.SINK_ERROR);
            }
        }
    }

    // ---- inbound, on the owner's thread (transports created with an SrtpSink) --------------------------------------

    /**
     * Decrypts and authenticates an SRTP packet in place ({@code length} shrinks by the tag): the owner's thread
     * only, for transports created with an {@link SrtpSink}. Anything but OK means drop (counted in the owner's
     * inbound stats). The caller checks the plaintext header (checklist 40).
     */
    public SrtpResult unprotectRtp(byte[] buffer, int offset, int length, int[] newLength) {
        return unprotect(buffer, offset, length, newLength, false);
    }

    /** Decrypts an SRTCP packet in place; see {@link #unprotectRtp}. */
    public SrtpResult unprotectRtcp(byte[] buffer, int offset, int length, int[] newLength) {
        return unprotect(buffer, offset, length, newLength, true);
    }

    private SrtpResult unprotect(byte[] buffer, int offset, int length, int[] newLength, boolean rtcp) {
        SrtpDecryptor in = decryptor;
        if (in == null || srtpSink == null) return SrtpResult.INVALID;
        ownerView.wrap(buffer, offset, length);
        SrtpResult r = rtcp ? in.unprotectRtcp(ownerView) : in.unprotectRtp(ownerView);
        newLength[0] = ownerView.getLength();
        return r;
    }

    /** Periodic, on the event loop: consent freshness. */
    void tick(long nowNanos) {
        if (agent.tick(nowNanos) == IceLiteAgent.State.EXPIRED) close(CloseReason.CONSENT_EXPIRED);
    }

    // ---- outbound, on the owner's thread --------------------------------------------------------------------------

    /**
     * Protects and sends one RTP packet to the nominated 5-tuple. The bytes are copied first; the caller keeps its
     * buffer. Returns false (and sends nothing) before DTLS finished, without a nominated address, after close, or
     * if protection failed.
     */
    public boolean sendRtp(byte[] packet, int offset, int length) {
        return send(packet, offset, length, false, true);
    }

    /** Protects and sends one (compound) RTCP packet; see {@link #sendRtp}. */
    public boolean sendRtcp(byte[] packet, int offset, int length) {
        return send(packet, offset, length, true, true);
    }

    /**
     * Like {@link #sendRtp} but only queues the datagram: a room worker queues a whole drain's worth for many
     * transports, then calls {@link MediaTransportServer#flush()} once, so epoll writes the batch with sendmmsg.
     */
    public boolean queueRtp(byte[] packet, int offset, int length) {
        return send(packet, offset, length, false, false);
    }

    /** Like {@link #sendRtcp} but only queues; see {@link #queueRtp}. */
    public boolean queueRtcp(byte[] packet, int offset, int length) {
        return send(packet, offset, length, true, false);
    }

    /**
     * Queues a plain retransmission of an RTP packet already sent once (same SSRC and sequence number; see
     * {@link SrtpEncryptor#protectRtpRetransmission}), {@code roc} being the stream's rollover counter for it.
     */
    public boolean queueRtpRetransmission(byte[] packet, int offset, int length, int roc) {
        return send(packet, offset, length, false, false, roc);
    }

    /** Owner thread (transports with an {@link SrtpSink}): forgets the inbound SRTP contexts of an ended SSRC. */
    public void forgetInboundSsrc(long ssrc) {
        SrtpDecryptor in = decryptor;
        if (in != null && srtpSink != null) in.forget(ssrc);
    }

    /** Owner thread: forgets the outbound SRTP contexts of an SSRC that will not be sent again. */
    public void forgetOutboundSsrc(long ssrc) {
        SrtpEncryptor out = encryptor;
        if (out != null) out.forget(ssrc);
    }

    /** Streams (SSRCs) one direction of a transport can carry: {@link MediaTransportConfig#maxStreamsPerTransport}. */
    public int maxStreams() {
        return server.config().maxStreamsPerTransport();
    }

    private boolean send(byte[] packet, int offset, int length, boolean rtcp, boolean flush) {
        return send(packet, offset, length, rtcp, flush, -1);
    }

    private boolean send(byte[] packet, int offset, int length, boolean rtcp, boolean flush, int retransmitRoc) {
        SrtpEncryptor out = encryptor;
        InetSocketAddress to = agent.selectedAddress();
        if (out == null || to == null || closed.get() || length > MediaTransportConfig.MAX_DATAGRAM) return false;
        WorkerEgress egress = server.egress();
        if (egress != null) return sendFromThisThread(egress, out, to, packet, offset, length, rtcp, flush, retransmitRoc);
        // A pooled heap buffer: jitsi-srtp works on byte[], and room for the tag avoids any reallocation.
        ByteBuf buf = server.allocator().heapBuffer(length + SrtpEncryptor.MAX_OVERHEAD);
        boolean handedOff = false;
        try {
            byte[] array = buf.array();
            int base = buf.arrayOffset() + buf.writerIndex();
            System.arraycopy(packet, offset, array, base, length);
            outView.wrap(array, base, length);
            SrtpResult result = rtcp ? out.protectRtcp(outView)
                    : retransmitRoc >= 0 ? out.protectRtpRetransmission(outView, retransmitRoc) : out.protectRtp(outView);
            if (result != SrtpResult.OK || outView.getBuffer() != array) return false;
            int protectedLength = outView.getLength();
            buf.writerIndex(buf.writerIndex() + protectedLength);
            server.write(new DatagramPacket(buf, to), protectedLength, flush);
            handedOff = true;
            return true;
        } finally {
            if (!handedOff) buf.release();
        }
    }

    /**
     * The worker egress: protect in the thread's array, queue into its native batch, sendmmsg on flush. The
     * destination is encoded once per change of the nominated address (owner thread's cache).
     */
    private boolean sendFromThisThread(WorkerEgress egress, SrtpEncryptor out, InetSocketAddress to, byte[] packet,
                                       int offset, int length, boolean rtcp, boolean flush, int retransmitRoc) {
        if (to != encodedTo) {
            encodedToLength = SocketAddressCodec.encode(to, server.egressFamily(), encodedToBytes);
            encodedTo = to;
        }
        if (encodedToLength < 0) return false;
        byte[] array = egress.scratch;
        System.arraycopy(packet, offset, array, 0, length);
        PacketBuffer view = egress.view.wrap(array, 0, length);
        SrtpResult result = rtcp ? out.protectRtcp(view)
                : retransmitRoc >= 0 ? out.protectRtpRetransmission(view, retransmitRoc) : out.protectRtp(view);
        if (result != SrtpResult.OK || view.getBuffer() != array) return false;
        int fd = server.egressFd();
        egress.queue(fd, view.getLength(), encodedToBytes, encodedToLength);
        if (flush) egress.flush(fd);
        return true;
    }

    // ---- lifecycle ------------------------------------------------------------------------------------------------

    /**
     * ICE restart (any thread): new local credentials and the peer's new ufrag; DTLS, SRTP and the current path are
     * kept. False if the transport is closed or the ufrag is taken.
     */
    public boolean restartIce(dev.chorus.media.ice.IceCredentials local, String remoteUfrag) {
        return !closed.get() && server.restartIce(this, local, remoteUfrag);
    }

    /**
     * Sends one SCTP packet as DTLS application data (any thread; see {@link DtlsSession#sendApplicationData}).
     * False before DTLS finished or after close.
     */
    public boolean sendApplicationData(byte[] packet, int offset, int length) {
        return !closed.get() && dtls.sendApplicationData(packet, offset, length);
    }

    /** Closes the transport from any thread; idempotent. */
    public void close() {
        close(CloseReason.CLOSED_BY_OWNER);
    }

    void close(CloseReason reason) {
        if (!closed.compareAndSet(false, true)) return;
        state = State.CLOSED;
        dtls.close();
        server.execute(() -> {
            server.forget(this);
            SrtpDecryptor in = decryptor;
            decryptor = null;
            encryptor = null;
            // With an SrtpSink the owner's thread may be inside unprotect right now: leave the contexts to the GC.
            if (in != null && srtpSink == null) in.close();
            listener.onClosed(this, reason);
        });
    }

    public boolean isClosed() { return closed.get(); }

    @Override
    public String toString() {
        return "WebRtcTransport[" + agent.localUfrag() + ", " + state + "]";
    }

    /** DTLS datagrams out: any thread (the handshake's virtual thread), non-blocking. */
    private final class DtlsOut implements DatagramSink {
        @Override
        public void send(byte[] data, int offset, int length) {
            InetSocketAddress to = dtlsPeer;
            if (to == null) return; // (sent after close too: that is how close_notify leaves)
            server.write(new DatagramPacket(Unpooled.copiedBuffer(data, offset, length), to), length, true);
        }
    }

    /** DTLS outcome (on the handshake's virtual thread): handed to the event loop, which owns the inbound state. */
    private final class DtlsEvents implements DtlsListener {
        @Override
        public void onConnected(SrtpKeys keys, long handshakeNanos) {
            server.execute(() -> {
                if (closed.get()) return;
                decryptor = SrtpDecryptor.forServer(keys, server.config().maxStreamsPerTransport(),
                        srtpSink != null ? ownerInboundStats : server.srtpStats());
                // The outbound contexts are used by the sending thread; the volatile write publishes them.
                encryptor = SrtpEncryptor.forServer(keys, server.config().maxStreamsPerTransport(), outboundStats);
                profile = keys.profile();
                state = State.CONNECTED;
                listener.onConnected(WebRtcTransport.this, keys.profile(), handshakeNanos);
            });
        }

        @Override
        public void onFailed(DtlsFailure reason, long handshakeNanos) {
            server.execute(() -> listener.onDtlsFailed(WebRtcTransport.this, reason));
            close(CloseReason.DTLS_FAILED);
        }

        @Override
        public void onClosed() {
            close(CloseReason.DTLS_CLOSED);
        }

        @Override
        public void onApplicationData(byte[] data, int offset, int length) {
            if (closed.get()) return;
            listener.onApplicationData(WebRtcTransport.this, java.util.Arrays.copyOfRange(data, offset, offset + length));
        }
    }
}
