package dev.chorus.bench.rtp;

import dev.chorus.media.rtp.RtpPacket;
import dev.chorus.media.rtp.RtpStatus;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-subscriber header work of forwarding: {@link RtpPacket#wrap} (full header validation, including the
 * RFC 8285 one-byte extension block a Chromium video packet carries: abs-send-time, transport-wide sequence, mid)
 * followed by the in-place SSRC / sequence / timestamp rewrite, and the transport-cc extension lookup the SFU
 * rewrites too. A 1200-byte packet in a reused array; no SRTP (see {@code SrtpBenchmark}).
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -jar bench/target/benchmarks.jar RtpRewriteBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class RtpRewriteBenchmark {
    static final int PACKET = 1200;
    static final int TRANSPORT_CC_ID = 3;

    private final byte[] packet = new byte[PACKET];
    private final RtpPacket view = new RtpPacket();
    private int seq;
    private long ts;

    @Setup
    public void setup() {
        packet[0] = (byte) 0x90; // V=2, X=1
        packet[1] = 96; // VP8
        writeU32(packet, 4, 90_000);
        writeU32(packet, 8, 0x1234_5678L);
        // One-byte extension block (0xBEDE), 3 words: abs-send-time (id 2, 3 bytes), transport-cc (id 3, 2 bytes),
        // mid (id 4, 1 byte "0"), padded to a word boundary.
        int p = 12;
        packet[p++] = (byte) 0xBE; packet[p++] = (byte) 0xDE; packet[p++] = 0; packet[p++] = 3;
        packet[p++] = (byte) (2 << 4 | 2); packet[p++] = 1; packet[p++] = 2; packet[p++] = 3;
        packet[p++] = (byte) (TRANSPORT_CC_ID << 4 | 1); packet[p++] = 0; packet[p++] = 7;
        packet[p++] = (byte) (4 << 4); packet[p++] = '0';
        // remaining bytes of the 12-byte block stay 0 (padding); payload follows
        for (int i = 28; i < PACKET; i++) packet[i] = (byte) (i * 31);
        if (view.wrap(packet, 0, PACKET) != RtpStatus.OK) throw new IllegalStateException(view.toString());
    }

    /** Validation only: what every received packet costs before any rewrite. */
    @Benchmark
    public int wrap() {
        return view.wrap(packet, 0, PACKET).ordinal();
    }

    /** Wrap + rewrite SSRC, sequence number and timestamp in place (what each subscriber copy gets). */
    @Benchmark
    public long wrapAndRewrite() {
        if (view.wrap(packet, 0, PACKET) != RtpStatus.OK) return -1;
        view.setSsrc(0xCAFE_0001L);
        view.setSequenceNumber(++seq & 0xFFFF);
        view.setTimestamp((ts += 3000) & 0xFFFF_FFFFL);
        return view.ssrc();
    }

    /** Wrap + rewrite + the transport-wide sequence number extension rewrite (RFC 8285 element lookup). */
    @Benchmark
    public long wrapRewriteAndTransportCc() {
        if (view.wrap(packet, 0, PACKET) != RtpStatus.OK) return -1;
        view.setSsrc(0xCAFE_0001L);
        int s = ++seq & 0xFFFF;
        view.setSequenceNumber(s);
        view.setTimestamp((ts += 3000) & 0xFFFF_FFFFL);
        long ext = view.findExtension(TRANSPORT_CC_ID);
        if (ext >= 0) {
            int at = (int) (ext >>> 16);
            packet[at] = (byte) (s >>> 8);
            packet[at + 1] = (byte) s;
        }
        return ext;
    }

    static void writeU32(byte[] b, int at, long v) {
        b[at] = (byte) (v >>> 24); b[at + 1] = (byte) (v >>> 16); b[at + 2] = (byte) (v >>> 8); b[at + 3] = (byte) v;
    }
}
