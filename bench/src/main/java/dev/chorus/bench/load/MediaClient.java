package dev.chorus.bench.load;

import dev.chorus.media.dtls.DtlsCertificate;
import dev.chorus.media.dtls.Fingerprint;
import dev.chorus.media.dtls.TestDtlsClient;
import dev.chorus.media.sdp.MediaDescription;
import dev.chorus.media.sdp.Sdp;
import dev.chorus.media.sdp.SdpParseException;
import dev.chorus.media.sdp.SdpParser;
import dev.chorus.media.sdp.SessionDescription;
import dev.chorus.media.srtp.SrtpProfile;
import dev.chorus.media.transport.WebRtcTestClient;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Media-side helpers over media-core's {@link WebRtcTestClient} (real UDP socket, ICE checks, BouncyCastle DTLS
 * client, jitsi-srtp): where the server's candidate is, and ICE + DTLS offering exactly one SRTP profile so that
 * the run measures the profile asked for.
 */
final class MediaClient {
    private MediaClient() {}

    /** The first host UDP candidate of the first non-rejected section (the SFU's single bundled port). */
    static InetSocketAddress serverCandidate(String sdp) throws SdpParseException, IOException {
        SessionDescription sd = SdpParser.parse(sdp);
        for (MediaDescription m : sd.media()) {
            if (m.isRejected()) continue;
            for (Sdp.Candidate c : m.candidates()) {
                if (c.transport().equalsIgnoreCase("udp")) {
                    InetSocketAddress a = new InetSocketAddress(c.address(), c.port());
                    if (!a.getAddress().isLoopbackAddress()) {
                        // The SFU announces its configured addresses; on this host any of its ports is on loopback.
                        a = new InetSocketAddress("127.0.0.1", c.port());
                    }
                    return a;
                }
            }
        }
        throw new IOException("no UDP candidate in the server's SDP");
    }

    /** The server's ICE credentials, for consent freshness checks after connecting. */
    record IceRemote(String ufrag, String pwd) {}

    /**
     * Consent freshness (RFC 7675) as a browser does it: a Binding request every ~{@code periodMillis} (the ICE-lite
     * server drops media from a 5-tuple after 30 s without a valid check). Runs until {@code running} says stop.
     */
    static Thread startConsent(WebRtcTestClient client, IceRemote remote, long periodMillis,
                               java.util.function.BooleanSupplier running) {
        return Thread.ofVirtual().name("consent").start(() -> {
            while (running.getAsBoolean()) {
                java.util.concurrent.locks.LockSupport.parkNanos(periodMillis * 1_000_000L);
                if (!running.getAsBoolean()) return;
                try {
                    client.iceCheck(remote.ufrag(), remote.pwd(), false, 2000);
                } catch (IOException e) {
                    return; // socket closed
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** ICE (nominating, up to 5 checks) and a DTLS handshake offering only {@code profile}. */
    static IceRemote connect(WebRtcTestClient client, String serverSdp, SrtpProfile profile) throws Exception {
        SessionDescription sd = SdpParser.parse(serverSdp);
        MediaDescription m = sd.media().stream().filter(x -> !x.isRejected()).findFirst()
                .orElseThrow(() -> new IOException("no media section"));
        Sdp.Fingerprint fp = sd.fingerprints(m).getFirst();
        boolean ok = false;
        for (int attempt = 0; attempt < 5 && !ok; attempt++) {
            ok = client.iceCheck(sd.iceUfrag(m), sd.icePwd(m), true, 2000);
        }
        if (!ok) throw new IOException("ICE check failed");
        client.connectDtls(Fingerprint.parseSdp(fp.hashFunction() + " " + fp.value()),
                TestDtlsClient.Options.standard().withSrtpProfiles(profile.id()));
        return new IceRemote(sd.iceUfrag(m), sd.icePwd(m));
    }

    /** Receive buffer for a simulated participant's socket (the kernel default, ~208 KiB, is ~90 full-size packets). */
    static final int RECEIVE_BUFFER = 2 << 20;

    /**
     * Widens the client's UDP receive buffer so that a scheduling stall of the generator (shared cores, GC, JIT) does
     * not drop packets in the kernel and show up as SFU loss. {@link WebRtcTestClient} keeps its socket private and
     * has no option for this, so it is reached by reflection; if that ever fails the default buffer stays and the
     * run still reports {@code hostUdpErrorsDuringRun.RcvbufErrors}. (Better: a constructor option on the client.)
     */
    static void widenReceiveBuffer(WebRtcTestClient client) {
        try {
            java.lang.reflect.Field f = WebRtcTestClient.class.getDeclaredField("socket");
            f.setAccessible(true);
            ((java.net.DatagramSocket) f.get(client)).setReceiveBufferSize(RECEIVE_BUFFER);
        } catch (ReflectiveOperationException | RuntimeException | java.net.SocketException e) {
            // keep the default buffer
        }
    }

    static DtlsCertificate certificate() {
        return DtlsCertificate.generate("chorus-bench");
    }
}
