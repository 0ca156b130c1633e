package dev.chorus.media.transport;

import dev.chorus.media.dtls.DtlsCertificate;
import dev.chorus.media.dtls.Fingerprint;
import dev.chorus.media.dtls.ClientQueueTransport;
import dev.chorus.media.dtls.TestDtlsClient;
import dev.chorus.media.srtp.PacketBuffer;
import dev.chorus.media.srtp.SrtpDecryptor;
import dev.chorus.media.srtp.SrtpEncryptor;
import dev.chorus.media.srtp.SrtpKeys;
import dev.chorus.media.srtp.SrtpResult;
import dev.chorus.media.srtp.SrtpStats;
import dev.chorus.stun.StunIntegrity;
import dev.chorus.stun.StunKey;
import dev.chorus.stun.StunMessage;
import dev.chorus.stun.StunMessageType;
import dev.chorus.stun.StunWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.DatagramTransport;

/**
 * A WebRTC client in Java for tests, speaking to the real UDP server: ICE (Binding requests with USE-CANDIDATE,
 * MESSAGE-INTEGRITY, FINGERPRINT, via the {@code stun} codec) → DTLS (BouncyCastle client, own P-256 certificate)
 * → SRTP (jitsi-srtp). One UDP socket, demultiplexed by first byte like a browser does. Reusable through
 * media-core's test-jar (SFU tests, load generator).
 */
public final class WebRtcTestClient implements AutoCloseable {
    private final DatagramSocket socket;
    private final InetSocketAddress server;
    private final DtlsCertificate certificate;
    private final String ufrag;
    private final LinkedBlockingQueue<byte[]> stun = new LinkedBlockingQueue<>(1000);
    private final LinkedBlockingQueue<byte[]> dtls = new LinkedBlockingQueue<>(1000);
    private final LinkedBlockingQueue<byte[]> srtp = new LinkedBlockingQueue<>(10_000);
    private final Thread reader;
    private final SrtpStats stats = new SrtpStats();
    private final PacketBuffer view = new PacketBuffer();
    private TestDtlsClient.Connected connected;
    private SrtpEncryptor encryptor;
    private SrtpDecryptor decryptor;

    public WebRtcTestClient(InetSocketAddress server) throws SocketException {
        this(server, DtlsCertificate.generate("chorus-test-client"));
    }

    public WebRtcTestClient(InetSocketAddress server, DtlsCertificate certificate) throws SocketException {
        this.server = server;
        this.certificate = certificate;
        this.socket = new DatagramSocket(new InetSocketAddress(server.getAddress(), 0));
        this.ufrag = "cl" + Long.toString(ThreadLocalRandom.current().nextLong() & 0xffffffffL, 36);
        this.reader = Thread.ofVirtual().name("test-client-reader").start(this::readLoop);
    }

    public String ufrag() { return ufrag; }
    public DtlsCertificate certificate() { return certificate; }
    public Fingerprint fingerprint() { return certificate.fingerprint(); }
    public InetSocketAddress localAddress() { return (InetSocketAddress) socket.getLocalSocketAddress(); }
    public SrtpStats srtpStats() { return stats; }

    private void readLoop() {
        byte[] buf = new byte[2048];
        while (!socket.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (IOException e) {
                return;
            }
            if (p.getLength() == 0) continue;
            byte[] data = Arrays.copyOf(buf, p.getLength());
            int first = data[0] & 0xff;
            if (first <= 3) stun.offer(data);
            else if (first >= 20 && first <= 63) dtls.offer(data);
            else if (first >= 128 && first <= 191) srtp.offer(data);
        }
    }

    /** Sends raw bytes to the server from this client's 5-tuple. */
    public void sendRaw(byte[] data, int offset, int length) throws IOException {
        socket.send(new DatagramPacket(data, offset, length, server));
    }

    /**
     * One ICE connectivity check as a controlling agent; returns true if a success response with valid
     * MESSAGE-INTEGRITY (keyed with the server's password) arrived within the timeout.
     */
    public boolean iceCheck(String serverUfrag, String serverPassword, boolean useCandidate, long timeoutMillis)
            throws IOException, InterruptedException {
        byte[] txid = new byte[12];
        ThreadLocalRandom.current().nextBytes(txid);
        byte[] bytes = bindingRequest(serverUfrag, serverPassword, ufrag, useCandidate, txid);
        sendRaw(bytes, 0, bytes.length);
        return awaitBindingVerdict(stun, txid, serverPassword, timeoutMillis);
    }

    /**
     * Waits for the answer to the check {@code txid} among the STUN datagrams arriving on {@code stun} (others are
     * skipped): true for a success response whose MESSAGE-INTEGRITY verifies with {@code serverPassword}, false for
     * an error response, a forged one or none within the timeout.
     */
    public static boolean awaitBindingVerdict(java.util.concurrent.BlockingQueue<byte[]> stun, byte[] txid,
                                              String serverPassword, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            byte[] response = stun.poll(left, TimeUnit.NANOSECONDS);
            if (response == null) return false;
            Boolean verdict = bindingVerdict(response, txid, serverPassword);
            if (verdict != null) return verdict;
        }
    }

    /**
     * A connectivity check as a controlling agent (USERNAME {@code serverUfrag:localUfrag}, PRIORITY, ICE-CONTROLLING,
     * optionally USE-CANDIDATE, MESSAGE-INTEGRITY keyed with the server's password, FINGERPRINT).
     */
    public static byte[] bindingRequest(String serverUfrag, String serverPassword, String localUfrag, boolean useCandidate,
                                        byte[] txid) {
        ByteBuf out = Unpooled.buffer(256);
        try {
            StunWriter w = new StunWriter().begin(out, StunMessageType.BINDING_REQUEST, txid)
                    .addUsername(serverUfrag + ":" + localUfrag)
                    .addPriority(0x6e0001ffL)
                    .addIceControlling(ThreadLocalRandom.current().nextLong());
            if (useCandidate) w.addUseCandidate();
            w.addMessageIntegrity(StunKey.shortTerm(serverPassword)).addFingerprint();
            w.finish();
            byte[] bytes = new byte[out.readableBytes()];
            out.getBytes(out.readerIndex(), bytes);
            return bytes;
        } finally {
            out.release();
        }
    }

    /**
     * What a STUN datagram says about the check {@code txid}: null if it is not the answer to it, true for a success
     * response with valid MESSAGE-INTEGRITY (server's password) and FINGERPRINT, false otherwise.
     */
    public static Boolean bindingVerdict(byte[] response, byte[] txid, String serverPassword) {
        StunMessage m = StunMessage.parse(Unpooled.wrappedBuffer(response));
        if (m == null || !m.isValid() || !m.transactionIdEquals(txid)) return null;
        return m.messageType() == StunMessageType.BINDING_SUCCESS
                && StunIntegrity.verifyMessageIntegrity(m, StunKey.shortTerm(serverPassword))
                && StunIntegrity.verifyFingerprint(m);
    }

    /** DTLS handshake (blocking) with the server, then SRTP contexts from the exported keys. */
    public SrtpKeys connectDtls(Fingerprint serverFingerprint, TestDtlsClient.Options options) throws IOException {
        TestDtlsClient client = new TestDtlsClient(certificate, serverFingerprint, options);
        connected = client.connect(dtlsTransport());
        encryptor = SrtpEncryptor.forClient(connected.keys(), 16, stats);
        decryptor = SrtpDecryptor.forClient(connected.keys(), 16, stats);
        return connected.keys();
    }

    /** BouncyCastle's view of the socket: only DTLS datagrams (first byte 20–63). */
    public DatagramTransport dtlsTransport() {
        return new ClientQueueTransport(dtls, this::sendRaw);
    }

    /** Protects an RTP packet with the client's keys; returns the datagram to send. */
    public byte[] protectRtp(byte[] plain) {
        byte[] buf = Arrays.copyOf(plain, plain.length + SrtpEncryptor.MAX_OVERHEAD);
        if (encryptor.protectRtp(view.wrap(buf, 0, plain.length)) != SrtpResult.OK) throw new IllegalStateException("protect");
        return Arrays.copyOf(buf, view.getLength());
    }

    /** Protects an RTCP packet with the client's keys; returns the datagram to send. */
    public byte[] protectRtcp(byte[] plain) {
        byte[] buf = Arrays.copyOf(plain, plain.length + SrtpEncryptor.MAX_OVERHEAD);
        if (encryptor.protectRtcp(view.wrap(buf, 0, plain.length)) != SrtpResult.OK) throw new IllegalStateException("protect");
        return Arrays.copyOf(buf, view.getLength());
    }

    public void sendRtp(byte[] plain) throws IOException {
        byte[] d = protectRtp(plain);
        sendRaw(d, 0, d.length);
    }

    public void sendRtcp(byte[] plain) throws IOException {
        byte[] d = protectRtcp(plain);
        sendRaw(d, 0, d.length);
    }

    /** The next SRTP/SRTCP datagram from the server, unprotected; null on timeout or if it fails to unprotect. */
    public byte[] receiveMedia(long timeoutMillis) throws InterruptedException {
        byte[] d = srtp.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        if (d == null) return null;
        int pt = d[1] & 0xff;
        boolean rtcp = pt >= 192 && pt <= 223;
        view.wrap(d, 0, d.length);
        SrtpResult r = rtcp ? decryptor.unprotectRtcp(view) : decryptor.unprotectRtp(view);
        return r == SrtpResult.OK ? Arrays.copyOf(d, view.getLength()) : null;
    }

    // ---- publish / subscribe against the SFU (SDP helpers) -------------------------------------------------------

    /** A track this client publishes: kind "audio" or "video", mid, SSRC and RTX SSRC (-1 for none). */
    public record TestTrack(String kind, String mid, long ssrc, long rtxSsrc) { }

    private final String icePwd = dev.chorus.media.ice.IceCredentials.generate().pwd();
    private final java.util.concurrent.ConcurrentLinkedQueue<byte[]> rtpBacklog = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.ConcurrentLinkedQueue<byte[]> rtcpBacklog = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /**
     * A publish offer like a browser's: not ICE-lite, this client's ICE credentials and certificate fingerprint,
     * {@code setup:actpass}, BUNDLE, one sendonly section per track with its SSRCs (FID group for RTX), Opus
     * (PT 111) / VP8 (PT 96) + RTX (PT 97), header extensions audio-level=1, abs-send-time=2, transport-cc=3, mid=4.
     */
    public String publishOffer(java.util.List<TestTrack> tracks) {
        return publishOffer(tracks, new dev.chorus.media.ice.IceCredentials(ufrag, icePwd), certificate.fingerprint(), localAddress());
    }

    /** {@link #publishOffer(java.util.List)} for any client's ICE credentials, fingerprint and host candidate. */
    public static String publishOffer(java.util.List<TestTrack> tracks, dev.chorus.media.ice.IceCredentials ice,
                                      Fingerprint fingerprint, InetSocketAddress candidate) {
        var b = new dev.chorus.media.sdp.SdpOfferBuilder(ice, new dev.chorus.media.sdp.Sdp.Fingerprint("sha-256", fingerprint.hex()))
                .candidate(candidate);
        for (TestTrack t : tracks) {
            var stream = new dev.chorus.media.sdp.SdpAnswerBuilder.SendStream(t.ssrc(), t.rtxSsrc(), "test", "stream", "track-" + t.mid());
            if (t.kind().equals("audio")) b.audio(t.mid(), dev.chorus.media.sdp.Sdp.Direction.SENDONLY, stream);
            else b.video(t.mid(), dev.chorus.media.sdp.Sdp.Direction.SENDONLY, stream);
        }
        var sd = b.build();
        sd.iceLite(false);
        return dev.chorus.media.sdp.SdpWriter.write(sd);
    }

    /**
     * The answer a browser gives to an SFU subscriber offer: every section mirrored (sendonly → recvonly), same
     * codecs, feedback and extensions, this client's credentials, {@code setup:active}. Without {@code rtx} the
     * RTX payload type is left out.
     */
    public String answer(String offerSdp, boolean rtx) throws dev.chorus.media.sdp.SdpParseException {
        return answer(offerSdp, rtx, new dev.chorus.media.ice.IceCredentials(ufrag, icePwd), certificate.fingerprint());
    }

    /** {@link #answer(String, boolean)} for any client's ICE credentials and fingerprint. */
    public static String answer(String offerSdp, boolean rtx, dev.chorus.media.ice.IceCredentials ice, Fingerprint fingerprint)
            throws dev.chorus.media.sdp.SdpParseException {
        var offer = dev.chorus.media.sdp.SdpParser.parse(offerSdp);
        var answer = new dev.chorus.media.sdp.SessionDescription(new dev.chorus.media.sdp.Sdp.Origin("-", "1", "1", "IN", "IP4", "127.0.0.1"));
        answer.groups().addAll(offer.groups());
        for (var om : offer.media()) {
            var am = new dev.chorus.media.sdp.MediaDescription(om.media(), 9, om.protocol());
            am.connection(new dev.chorus.media.sdp.Sdp.Connection("IN", "IP4", "0.0.0.0"));
            am.mid(om.mid());
            for (String f : om.formats()) {
                int pt = Integer.parseInt(f);
                boolean isRtx = om.rtpMap(pt).map(r -> r.encoding().equalsIgnoreCase("rtx")).orElse(false);
                if (isRtx && !rtx) continue;
                am.formats().add(f);
                om.rtpMap(pt).ifPresent(am.rtpMaps()::add);
                om.fmtp(pt).ifPresent(am.fmtps()::add);
                for (var fb : om.rtcpFbs()) if (fb.payloadType() == pt) am.rtcpFbs().add(fb);
            }
            am.extmaps().addAll(om.extmaps());
            am.iceUfrag(ice.ufrag()).icePwd(ice.pwd());
            am.fingerprints().add(new dev.chorus.media.sdp.Sdp.Fingerprint("sha-256", fingerprint.hex()));
            am.setup(dev.chorus.media.sdp.Sdp.Setup.ACTIVE);
            am.rtcpMux(true).rtcpRsize(om.rtcpRsize());
            am.direction(om.effectiveDirection().sends() ? dev.chorus.media.sdp.Sdp.Direction.RECVONLY
                    : dev.chorus.media.sdp.Sdp.Direction.INACTIVE);
            answer.media().add(am);
        }
        return dev.chorus.media.sdp.SdpWriter.write(answer);
    }

    /** ICE (nominating) and DTLS against the server described by {@code serverSdp} (the SFU's answer or offer). */
    public void connect(String serverSdp) throws Exception {
        var sd = dev.chorus.media.sdp.SdpParser.parse(serverSdp);
        var m = sd.media().stream().filter(x -> !x.isRejected()).findFirst().orElseThrow();
        var fp = sd.fingerprints(m).getFirst();
        boolean ok = false;
        for (int attempt = 0; attempt < 5 && !ok; attempt++) {
            ok = iceCheck(sd.iceUfrag(m), sd.icePwd(m), true, 2000);
        }
        if (!ok) throw new IOException("ICE check failed");
        connectDtls(Fingerprint.parseSdp(fp.hashFunction() + " " + fp.value()), TestDtlsClient.Options.standard());
    }

    /** The next decrypted RTP packet (RTCP received meanwhile is kept for {@link #receiveRtcp}); null on timeout. */
    public byte[] receiveRtp(long timeoutMillis) throws InterruptedException {
        return receiveKind(false, timeoutMillis);
    }

    /** The next decrypted RTCP compound (RTP received meanwhile is kept for {@link #receiveRtp}); null on timeout. */
    public byte[] receiveRtcp(long timeoutMillis) throws InterruptedException {
        return receiveKind(true, timeoutMillis);
    }

    /** The next decrypted packet of one kind (RTCP or RTP); the other kind met meanwhile goes to its backlog. */
    private byte[] receiveKind(boolean rtcp, long timeoutMillis) throws InterruptedException {
        byte[] kept = (rtcp ? rtcpBacklog : rtpBacklog).poll();
        if (kept != null) return kept;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) return null;
            byte[] p = receiveMedia(left);
            if (p == null) continue;
            if (isRtcp(p) == rtcp) return p;
            (rtcp ? rtpBacklog : rtcpBacklog).add(p);
        }
    }

    /**
     * Simulates the loss of the next RTP packet: it is discarded without being decrypted (so SRTP's replay window
     * has not seen it and a retransmission can still be accepted). RTCP met on the way is kept.
     */
    public boolean loseNextRtp(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (System.nanoTime() < deadline) {
            byte[] d = srtp.poll(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())), TimeUnit.MILLISECONDS);
            if (d == null) return false;
            if (!isRtcp(d)) return true;
            view.wrap(d, 0, d.length);
            if (decryptor.unprotectRtcp(view) == SrtpResult.OK) rtcpBacklog.add(Arrays.copyOf(d, view.getLength()));
        }
        return false;
    }

    /** Drops RTP kept by {@link #receiveRtcp} (a test that only watches RTCP bounds its memory). */
    public void clearRtpBacklog() {
        rtpBacklog.clear();
    }

    private static boolean isRtcp(byte[] p) {
        int pt = p[1] & 0xff;
        return pt >= 192 && pt <= 223;
    }

    /** Datagrams received and not yet read (for pacing a sender without sleeps). */
    public int bufferedMedia() {
        return srtp.size() + rtpBacklog.size();
    }

    /** Waits for a DTLS alert record (content type 21, e.g. the server's close_notify); false on timeout. */
    public boolean awaitDtlsAlert(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            byte[] d = dtls.poll(left, TimeUnit.NANOSECONDS);
            if (d == null) return false;
            if (d[0] == 21) return true;
        }
    }

    /** Sends close_notify. */
    public void closeDtls() throws IOException {
        if (connected != null) connected.transport().close();
    }

    @Override
    public void close() {
        socket.close();
        reader.interrupt();
        if (encryptor != null) encryptor.close();
        if (decryptor != null) decryptor.close();
    }

    /** A plain RTP packet: version 2, PT 96, the given sequence number and SSRC, deterministic payload. */
    public static byte[] rtp(int seq, int ssrc, int payloadLength) {
        byte[] p = new byte[12 + payloadLength];
        p[0] = (byte) 0x80;
        p[1] = 96;
        p[2] = (byte) (seq >> 8);
        p[3] = (byte) seq;
        p[7] = (byte) seq;
        p[8] = (byte) (ssrc >> 24); p[9] = (byte) (ssrc >> 16); p[10] = (byte) (ssrc >> 8); p[11] = (byte) ssrc;
        for (int i = 0; i < payloadLength; i++) p[12 + i] = (byte) (i * 31 + seq);
        return p;
    }

    /** A plain RTCP receiver report without report blocks from {@code ssrc}. */
    public static byte[] rtcpReceiverReport(int ssrc) {
        byte[] p = new byte[8];
        p[0] = (byte) 0x80; p[1] = (byte) 201; p[2] = 0; p[3] = 1;
        p[4] = (byte) (ssrc >> 24); p[5] = (byte) (ssrc >> 16); p[6] = (byte) (ssrc >> 8); p[7] = (byte) ssrc;
        return p;
    }
}
