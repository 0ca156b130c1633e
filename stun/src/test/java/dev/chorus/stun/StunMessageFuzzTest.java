package dev.chorus.stun;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;

/**
 * Fuzz harness of the STUN parser ({@link StunMessage#wrap}), the first code every UDP datagram and TURN packet
 * from the network meets. Contract: never throws for any bytes; a message it accepts has every attribute inside
 * the buffer and inside the declared length. Seeds: {@code StunMessageFuzzTestInputs/}; the test run replays them,
 * {@code ./chorus bench fuzz} explores from them (docs/security.md).
 */
class StunMessageFuzzTest {

    @FuzzTest
    void wrap(byte[] data) {
        check(data);
    }

    /** Entry point for the standalone fuzzing driver. */
    public static void fuzzerTestOneInput(byte[] data) {
        check(data);
    }

    static void check(byte[] data) {
        StunMessage m = new StunMessage();
        StunParseStatus status = m.wrap(Unpooled.wrappedBuffer(data));
        assertThat(status).isNotNull();
        if (status != StunParseStatus.OK) {
            return;
        }
        assertThat(m.totalLength()).isLessThanOrEqualTo(data.length);
        for (int i = 0; i < m.attributeCount(); i++) {
            int off = m.attributeOffset(i);
            assertThat(off).isGreaterThanOrEqualTo(StunMessage.HEADER_LENGTH);
            assertThat(off + m.attributeLength(i)).isLessThanOrEqualTo(m.totalLength());
        }
        assertThat(m.transactionId()).hasSize(StunMessage.TRANSACTION_ID_LENGTH);
    }
}
