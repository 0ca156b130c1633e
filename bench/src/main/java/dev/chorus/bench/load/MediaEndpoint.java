package dev.chorus.bench.load;

import dev.chorus.media.dtls.ClientQueueTransport;
import dev.chorus.media.dtls.DtlsCertificate;
import dev.chorus.media.dtls.Fingerprint;
import dev.chorus.media.dtls.TestDtlsClient;
import dev.chorus.media.ice.IceCredentials;
import dev.chorus.media.sdp.MediaDescription;
import dev.chorus.media.sdp.Sdp;
import dev.chorus.media.sdp.SdpParser;
import dev.chorus.media.sdp.SessionDescription;
import dev.chorus.media.srtp.PacketBuffer;
import dev.chorus.media.srtp.SrtpDecryptor;
import dev.chorus.media.srtp.SrtpEncryptor;
import dev.chorus.media.srtp.SrtpKeys;
import dev.chorus.media.srtp.SrtpProfile;
import dev.chorus.media.srtp.SrtpResult;
import dev.chorus.media.srtp.SrtpStats;
import dev.chorus.media.transport.WebRtcTestClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One simulated participant's media side, as a browser does it over one UDP 5-tuple: ICE (controlling, nominating,
 * then consent checks), a DTLS client handshake offering one SRTP profile (media-core's {@link TestDtlsClient},
 * BouncyCastle), then SRTP with jitsi-srtp. The socket is a non-blocking IPv4 channel connected to the SFU's media
 * port, read by a shared {@link ReceiveLoop}: STUN and DTLS datagrams are queued for the setup thread, SRTP is
 * decrypted in the loop's buffer and given to the {@link RtpSink}. Sending (probe packets, checks) is from the
 * caller's thread, each protect in this endpoint's own buffer.
 */
final class MediaEndpoint implements AutoCloseable {
    static final int MAX_DATAGRAM = 2048;
    /** Receive buffer of a participant's socket (the kernel default, ~208 KiB, is ~90 full-size packets). */
    static final int RECEIVE_BUFFER = 2 << 20;

    /**
     * Decrypted RTP, in the receive thread's buffer (valid only during the call). {@code arrivedNanos}: when the
     * datagram reached this socket (the kernel's receive timestamp, {@link TimestampedReceiver}, or the read time
     * where the kernel's is not available); {@code readNanos}: when the generator had it read and decrypted. Both on
     * the {@link System#nanoTime()} clock.
     */
    interface RtpSink {
        void onRtp(byte[] packet, int length, long arrivedNanos, long readNanos);
    }

    private final DatagramChannel channel;
    private final InetSocketAddress server;
    private final DtlsCertificate certificate;
    private final IceCredentials ice = IceCredentials.generate();
    private final LinkedBlockingQueue<byte[]> stun = new LinkedBlockingQueue<>(64);
    private final LinkedBlockingQueue<byte[]> dtls = new LinkedBlockingQueue<>(256);
    private final SrtpStats stats = new SrtpStats();
    private final PacketBuffer receiveView = new PacketBuffer();
    private final PacketBuffer sendView = new PacketBuffer();
    private final byte[] sendBuffer = new byte[MAX_DATAGRAM];
    private final ByteBuffer sendBytes = ByteBuffer.wrap(sendBuffer);
    private volatile SrtpDecryptor decryptor;
    private volatile RtpSink sink = (p, l, t, r) -> { };
    /**
     * The socket's descriptor with kernel receive timestamps on, or -1 (then read through the channel). Read only by
     * the receive loop's thread, in {@link #drain}, while the channel is registered with its selector: the JDK defers
     * the real close of a registered channel's descriptor until the key is deregistered, which happens in that same
     * thread's next select, so the number cannot be reused by another socket while it reads.
     */
    private final int timestampedFd;
    private SrtpEncryptor encryptor;
    private String serverUfrag;
    private String serverPwd;
    /** RTCP from the SFU (SR, NACK answers...): counted, not decrypted. */
    final AtomicLong rtcpReceived = new AtomicLong();
    /** SRTP that failed to decrypt (auth, replay, malformed): client-side losses, not the server's. */
    final AtomicLong undecryptable = new AtomicLong();
    /** SRTP that arrived before the keys existed, or STUN/DTLS that found its queue full. */
    final AtomicLong dropped = new AtomicLong();

    MediaEndpoint(InetSocketAddress server, DtlsCertificate certificate, boolean wideReceiveBuffer) throws IOException {
        this.server = server;
        this.certificate = certificate;
        this.channel = DatagramChannel.open(StandardProtocolFamily.INET);
        if (wideReceiveBuffer) channel.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER);
        channel.bind(new InetSocketAddress(server.getAddress(), 0));
        channel.connect(server);
        channel.configureBlocking(false);
        this.timestampedFd = TimestampedReceiver.timestampedFd(channel);
    }

    /** Whether this socket's datagrams carry the kernel's arrival time. */
    boolean kernelTimestamps() {
        return timestampedFd >= 0;
    }

    DatagramChannel channel() { return channel; }
    InetSocketAddress localAddress() throws IOException { return (InetSocketAddress) channel.getLocalAddress(); }
    SrtpStats srtpStats() { return stats; }

    void sink(RtpSink s) { this.sink = s; }

    /** The SDP publish offer for these tracks, with this endpoint's credentials, fingerprint and candidate. */
    String publishOffer(List<WebRtcTestClient.TestTrack> tracks) throws IOException {
        return WebRtcTestClient.publishOffer(tracks, ice, certificate.fingerprint(), localAddress());
    }

    /** The answer to an SFU subscriber offer (no RTX). */
    String answer(String offerSdp) throws dev.chorus.media.sdp.SdpParseException {
        return WebRtcTestClient.answer(offerSdp, false, ice, certificate.fingerprint());
    }

    /** Nominating checks before ICE counts as failed, 2 s each (a soak raises it with the machine's load). */
    private volatile int iceAttempts = 5;

    void iceAttempts(int n) {
        this.iceAttempts = Math.max(1, n);
    }

    /** ICE (nominating, up to {@link #iceAttempts} checks) and a DTLS handshake offering only {@code profile}. */
    void connect(String serverSdp, SrtpProfile profile) throws Exception {
        SessionDescription sd = SdpParser.parse(serverSdp);
        MediaDescription m = firstSection(sd);
        Sdp.Fingerprint fp = sd.fingerprints(m).getFirst();
        nominate(sd.iceUfrag(m), sd.icePwd(m));
        dtls.clear(); // a previous transport's handshake or alerts
        TestDtlsClient client = new TestDtlsClient(certificate, Fingerprint.parseSdp(fp.hashFunction() + " " + fp.value()),
                TestDtlsClient.Options.standard().withSrtpProfiles(profile.id()));
        SrtpKeys keys = client.connect(new ClientQueueTransport(dtls, this::send)).keys();
        encryptor = SrtpEncryptor.forClient(keys, 16, stats);
        decryptor = SrtpDecryptor.forClient(keys, 16, stats);
    }

    /**
     * The server's SDP carries ICE credentials other than the ones this endpoint checks with (an ICE restart on the
     * same transport: DTLS and SRTP stay): checks and nominates with the new ones. False if they are unchanged.
     */
    boolean followIceRestart(String serverSdp) throws Exception {
        SessionDescription sd = SdpParser.parse(serverSdp);
        MediaDescription m = firstSection(sd);
        if (sd.iceUfrag(m).equals(serverUfrag) && sd.icePwd(m).equals(serverPwd)) return false;
        nominate(sd.iceUfrag(m), sd.icePwd(m));
        return true;
    }

    private static MediaDescription firstSection(SessionDescription sd) throws IOException {
        return sd.media().stream().filter(x -> !x.isRejected()).findFirst()
                .orElseThrow(() -> new IOException("no media section"));
    }

    /** ICE with these server credentials: nominating checks, 2 s each (5 by default: what a browser tries for ~10 s). */
    private void nominate(String ufrag, String pwd) throws IOException, InterruptedException {
        serverUfrag = ufrag;
        serverPwd = pwd;
        boolean ok = false;
        int attempts = iceAttempts;
        for (int attempt = 0; attempt < attempts && !ok; attempt++) ok = iceCheck(true, 2000);
        if (!ok) throw new GeneratorTimeout("ICE check failed: no answer to " + attempts + " checks of 2 s");
    }

    /** One connectivity check; true when the server's success response verified within the timeout. */
    boolean iceCheck(boolean useCandidate, long timeoutMillis) throws IOException, InterruptedException {
        byte[] txid = new byte[12];
        ThreadLocalRandom.current().nextBytes(txid);
        stun.clear(); // answers to earlier (consent) checks
        byte[] request = WebRtcTestClient.bindingRequest(serverUfrag, serverPwd, ice.ufrag(), useCandidate, txid);
        send(request, 0, request.length);
        return WebRtcTestClient.awaitBindingVerdict(stun, txid, serverPwd, timeoutMillis);
    }

    /** A consent freshness check (RFC 7675) without waiting for its answer: the next check clears it. */
    void sendConsent() throws IOException {
        byte[] txid = new byte[12];
        ThreadLocalRandom.current().nextBytes(txid);
        stun.clear();
        byte[] request = WebRtcTestClient.bindingRequest(serverUfrag, serverPwd, ice.ufrag(), false, txid);
        send(request, 0, request.length);
    }

    /** Protects {@code plain[0..length)} in this endpoint's buffer and sends it; call from one thread only. */
    void sendRtp(byte[] plain, int length) throws IOException {
        System.arraycopy(plain, 0, sendBuffer, 0, length);
        if (encryptor.protectRtp(sendView.wrap(sendBuffer, 0, length)) != SrtpResult.OK) throw new IOException("SRTP protect failed");
        send(sendBuffer, 0, sendView.getLength());
    }

    private void send(byte[] b, int off, int len) throws IOException {
        ByteBuffer bb = b == sendBuffer ? sendBytes.clear().position(off).limit(off + len) : ByteBuffer.wrap(b, off, len);
        channel.write(bb);
    }

    /** SSRCs whose decryption contexts the receive thread drops before its next read (it owns the decryptor). */
    private final java.util.concurrent.ConcurrentLinkedQueue<Long> forgotten = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /**
     * A stream the SFU no longer offers (its track was unpublished): its SRTP context is dropped, as a browser drops
     * a removed track's. The decryptor holds at most 16 streams, and a subscriber that sees a new SSRC for every
     * churner's track decrypted nothing after the 16th (the soak's steady subscribers fell silent after ~30 s).
     */
    void forgetSsrc(long ssrc) {
        forgotten.add(ssrc);
    }

    /**
     * Reads up to {@code max} datagrams; runs on the receive loop's thread with its buffer and, where the socket has
     * kernel timestamps, its {@code receiver} (null: read through the channel, arrival = read time).
     */
    void drain(ByteBuffer view, byte[] buffer, int max, TimestampedReceiver receiver) {
        Long gone;
        while ((gone = forgotten.poll()) != null) {
            SrtpDecryptor d = decryptor;
            if (d != null) d.forget(gone);
        }
        if (receiver != null && timestampedFd >= 0) {
            int left = max;
            while (left > 0) {
                int got = receiver.receive(timestampedFd, left);
                if (got <= 0) return;
                for (int i = 0; i < got; i++) {
                    int n = receiver.copy(i, buffer);
                    onDatagram(buffer, n, receiver.arrivalNanos(i, -1));
                }
                left -= got;
                if (got < TimestampedReceiver.BATCH) return; // the queue is empty
            }
            return;
        }
        for (int i = 0; i < max; i++) {
            int n;
            try {
                view.clear();
                n = channel.read(view);
            } catch (IOException e) {
                return; // closed, or ICMP unreachable after the server stopped
            }
            if (n <= 0) return;
            onDatagram(buffer, n, -1);
        }
    }

    /** One datagram in {@code buffer[0..n)}; {@code arrived} = the kernel's arrival time, or -1 for "when read". */
    private void onDatagram(byte[] buffer, int n, long arrived) {
        int first = buffer[0] & 0xFF;
        if (first <= 3) {
            if (!stun.offer(java.util.Arrays.copyOf(buffer, n))) dropped.incrementAndGet();
        } else if (first >= 20 && first <= 63) {
            if (!dtls.offer(java.util.Arrays.copyOf(buffer, n))) dropped.incrementAndGet();
        } else if (first >= 128 && first <= 191 && n >= 12) {
            int pt = buffer[1] & 0xFF;
            if (pt >= 192 && pt <= 223) {
                rtcpReceived.incrementAndGet();
                return;
            }
            SrtpDecryptor d = decryptor;
            if (d == null) {
                dropped.incrementAndGet();
            } else if (d.unprotectRtp(receiveView.wrap(buffer, 0, n)) == SrtpResult.OK) {
                long read = System.nanoTime();
                sink.onRtp(buffer, receiveView.getLength(), arrived < 0 ? read : Math.min(arrived, read), read);
            } else {
                undecryptable.incrementAndGet();
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    static DtlsCertificate certificate() {
        return DtlsCertificate.generate("chorus-bench");
    }

    /** The first host UDP candidate of the first non-rejected section (the SFU's single bundled port), on loopback. */
    static InetSocketAddress serverCandidate(String sdp) throws dev.chorus.media.sdp.SdpParseException, IOException {
        SessionDescription sd = SdpParser.parse(sdp);
        for (MediaDescription m : sd.media()) {
            if (m.isRejected()) continue;
            for (Sdp.Candidate c : m.candidates()) {
                if (c.transport().equalsIgnoreCase("udp")) {
                    // The SFU announces its configured addresses; on this host any of its ports is on loopback.
                    return new InetSocketAddress("127.0.0.1", c.port());
                }
            }
        }
        throw new IOException("no UDP candidate in the server's SDP");
    }
}
