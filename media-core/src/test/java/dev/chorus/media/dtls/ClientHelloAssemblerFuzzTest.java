package dev.chorus.media.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz harness of the DTLS ClientHello reassembly that runs before any handshake state exists (Chromium splits its
 * ClientHello in two fragments; BouncyCastle's cookie check needs it whole). Input: a sequence of datagrams cut
 * from the fuzzer's bytes. Contract: never throws; what it returns is one record holding a ClientHello no larger
 * than its bound; memory stays bounded whatever the fragments claim.
 */
class ClientHelloAssemblerFuzzTest {

    @FuzzTest
    void offer(FuzzedDataProvider data) {
        check(data);
    }

    /** Entry point for the standalone fuzzing driver. */
    public static void fuzzerTestOneInput(FuzzedDataProvider data) {
        check(data);
    }

    static void check(FuzzedDataProvider data) {
        ClientHelloAssembler a = new ClientHelloAssembler();
        for (int i = 0; i < 8 && data.remainingBytes() > 0; i++) {
            byte[] datagram = data.consumeBytes(data.consumeInt(0, 1500));
            byte[] out = a.offer(datagram, 0, datagram.length);
            if (out != null) {
                assertThat(out.length).isBetween(13 + 12, 13 + 12 + ClientHelloAssembler.MAX_MESSAGE);
                assertThat(out[0] & 0xff).as("a handshake record").isEqualTo(22);
                assertThat(out[13] & 0xff).as("holding a ClientHello").isEqualTo(1);
            }
        }
    }
}
