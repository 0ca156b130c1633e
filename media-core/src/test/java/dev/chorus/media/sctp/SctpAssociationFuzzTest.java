package dev.chorus.media.sctp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayDeque;
import java.util.SplittableRandom;

/**
 * Fuzz harness of the SCTP packet parser and every chunk handler behind it. Two associations are set up in memory
 * (deterministic randomness, fake clock); then the fuzzer's bytes become a sequence of steps: a fuzzed packet to
 * one side (with the ports, the right verification tag when asked, and a correct CRC32c, so the bytes reach the
 * chunk handlers instead of stopping at the checksum), a real message sent, the queued real packets delivered, or
 * time passing. Contract: never throws; every delivered message is within the max message size; the send buffer
 * and the receiver's held bytes stay within their configured bounds whatever the chunks claim.
 */
class SctpAssociationFuzzTest {

    private static final byte[] SECRET = new byte[32];
    private static final SctpConfig CONFIG = SctpConfig.webRtc(SECRET).withMaxMessageSize(64 * 1024)
            .withBuffers(256 * 1024, 256 * 1024);

    @FuzzTest
    void packets(FuzzedDataProvider data) {
        check(data);
    }

    /** Entry point for the standalone fuzzing driver. */
    public static void fuzzerTestOneInput(FuzzedDataProvider data) {
        check(data);
    }

    static void check(FuzzedDataProvider data) {
        Pair p = new Pair();
        boolean established = p.establish();
        for (int step = 0; step < 24 && data.remainingBytes() > 0; step++) {
            switch (data.consumeInt(0, 3)) {
                case 0 -> {
                    byte[] packet = data.consumeBytes(data.consumeInt(0, 1500));
                    if (packet.length >= SctpChunks.COMMON_HEADER) {
                        packet[0] = 0x13; packet[1] = (byte) 0x88; packet[2] = 0x13; packet[3] = (byte) 0x88;
                        if (established && data.consumeBoolean()) {
                            System.arraycopy(p.tagOfA, 0, packet, 4, 4);
                        }
                        if (data.consumeBoolean()) SctpChecksum.fill(packet, 0, packet.length);
                    }
                    p.a.handlePacket(packet, 0, packet.length, p.now);
                }
                case 1 -> p.a.send(data.consumeInt(0, 3), 53, data.consumeBytes(data.consumeInt(0, 3000)),
                        data.consumeBoolean() ? SendOptions.RELIABLE_ORDERED : new SendOptions(false, 0, -1), p.now);
                case 2 -> p.deliver(16);
                default -> {
                    p.now += data.consumeInt(0, 5_000);
                    if (p.a.nextTimeoutMillis() <= p.now) p.a.handleTimeout(p.now);
                    if (p.b.nextTimeoutMillis() <= p.now) p.b.handleTimeout(p.now);
                }
            }
            assertThat(p.a.bufferedAmount()).isBetween(0L, (long) CONFIG.sendBufferSize() + CONFIG.maxMessageSize());
            assertThat(p.a.receiveBytesHeld()).isBetween(0L, 2L * CONFIG.receiveBufferSize());
        }
    }

    /** Two associations whose packets wait in queues until {@link #deliver}. */
    private static final class Pair {
        final ArrayDeque<byte[]> toA = new ArrayDeque<>();
        final ArrayDeque<byte[]> toB = new ArrayDeque<>();
        final SctpAssociation.Listener listener = (stream, ppid, message) ->
                assertThat(message.length).isLessThanOrEqualTo(CONFIG.maxMessageSize());
        final SctpAssociation a = new SctpAssociation(CONFIG, new SplittableRandom(1), toB::add, listener);
        final SctpAssociation b = new SctpAssociation(CONFIG, new SplittableRandom(2), toA::add, listener);
        final byte[] tagOfA = new byte[4];
        long now = 1_000;

        boolean establish() {
            a.connect(now);
            for (int i = 0; i < 8 && a.state() != SctpAssociation.State.ESTABLISHED; i++) deliver(8);
            return a.state() == SctpAssociation.State.ESTABLISHED;
        }

        void deliver(int max) {
            for (int i = 0; i < max && !(toA.isEmpty() && toB.isEmpty()); i++) {
                byte[] x = toB.poll();
                if (x != null) b.handlePacket(x, 0, x.length, now);
                byte[] y = toA.poll();
                if (y != null) {
                    System.arraycopy(y, 4, tagOfA, 0, 4);
                    a.handlePacket(y, 0, y.length, now);
                }
            }
        }
    }
}
