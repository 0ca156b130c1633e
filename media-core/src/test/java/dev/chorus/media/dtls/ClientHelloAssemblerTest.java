package dev.chorus.media.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Chromium 156 sends its ~1.4 KB ClientHello (post-quantum key share) as two fragments; the stateless cookie
 * exchange must still happen. Fixture: the two datagrams captured from headless Chromium on loopback.
 */
class ClientHelloAssemblerTest {

    static List<byte[]> chromiumFragments() throws Exception {
        try (InputStream in = ClientHelloAssemblerTest.class.getResourceAsStream("/dtls/chromium156-clienthello-fragments.hex")) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).lines()
                    .filter(l -> !l.isBlank()).map(l -> HexFormat.of().parseHex(l.strip())).toList();
        }
    }

    @Test
    void fragmentedChromiumClientHelloGetsACookieOnlyOnceComplete() throws Exception {
        List<byte[]> fragments = chromiumFragments();
        assertThat(fragments).hasSize(2);
        DtlsStats stats = new DtlsStats();
        DtlsEndpoint endpoint = new DtlsEndpoint(DtlsCertificate.generate("s"), DtlsConfig.defaults(), stats);
        DtlsPipe pipe = new DtlsPipe("chromium".getBytes(StandardCharsets.US_ASCII), i -> true);
        DtlsSession session = endpoint.newSession(DtlsCertificate.generate("c").fingerprint(), pipe, new RecordingListener());
        byte[] id = "chromium".getBytes(StandardCharsets.US_ASCII);

        session.onDatagram(id, fragments.get(0), 0, fragments.get(0).length);
        assertThat(stats.cookieRequestsAnswered()).isZero();
        session.onDatagram(id, fragments.get(1), 0, fragments.get(1).length);
        assertThat(stats.cookieRequestsAnswered()).isEqualTo(1);
        assertThat(pipe.toClient.peek()[13]).isEqualTo((byte) 3); // HelloVerifyRequest
        assertThat(session.state()).isEqualTo(DtlsSession.State.NEW);

        // Fragments in reverse order and retransmitted duplicates complete the message as well.
        session.onDatagram(id, fragments.get(1), 0, fragments.get(1).length);
        session.onDatagram(id, fragments.get(1), 0, fragments.get(1).length);
        assertThat(stats.cookieRequestsAnswered()).isEqualTo(1);
        session.onDatagram(id, fragments.get(0), 0, fragments.get(0).length);
        assertThat(stats.cookieRequestsAnswered()).isEqualTo(2);
        session.close();
    }

    @Test
    void oversizedOrTruncatedFragmentsAreIgnored() throws Exception {
        ClientHelloAssembler assembler = new ClientHelloAssembler();
        byte[] first = chromiumFragments().get(0);
        assertThat(assembler.offer(first, 0, first.length - 1)).isNull(); // record runs past the datagram
        byte[] huge = first.clone();
        huge[14] = 0x7f; // message length 8 MB
        assertThat(assembler.offer(huge, 0, huge.length)).isNull();
        byte[] garbage = new byte[40];
        garbage[0] = 22;
        assertThat(assembler.offer(garbage, 0, garbage.length)).isNull();
    }
}
