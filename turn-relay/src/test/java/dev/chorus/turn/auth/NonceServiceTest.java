package dev.chorus.turn.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class NonceServiceTest {
    final NonceService nonces = new NonceService(300_000, new byte[32]);
    final InetAddress a = InetAddress.getLoopbackAddress();

    @Test
    void nonceIsValidForItsSourceUntilItExpires() throws Exception {
        String n = nonces.issue(1_000_000, 17, a, 5000);
        assertThat(n).startsWith("obMatJos2");
        assertThat(nonces.valid(n, 1_000_000 + 299_000, 17, a, 5000)).isTrue();
        assertThat(nonces.valid(n, 1_000_000 + 301_000, 17, a, 5000)).as("stale").isFalse();
        assertThat(nonces.valid(n, 1_000_000, 17, a, 5001)).as("other port").isFalse();
        assertThat(nonces.valid(n, 1_000_000, 6, a, 5000)).as("other transport").isFalse();
        assertThat(nonces.valid(n, 1_000_000, 17, InetAddress.getByName("127.0.0.2"), 5000)).as("other address").isFalse();
        assertThat(new NonceService(300_000, new byte[] {1}).valid(n, 1_000_000, 17, a, 5000)).as("other key").isFalse();
    }

    @Test
    void garbageNoncesAreInvalid() {
        for (String s : new String[] {null, "", "obMatJos2gAAA", "xyz", NonceService.PREFIX + "!".repeat(31)}) {
            assertThat(nonces.valid(s, 0, 17, a, 1)).isFalse();
        }
    }
}
