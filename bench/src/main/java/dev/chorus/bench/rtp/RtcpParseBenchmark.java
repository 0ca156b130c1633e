package dev.chorus.bench.rtp;

import dev.chorus.media.rtp.RtcpCompound;
import dev.chorus.media.rtp.RtcpStatus;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link RtcpCompound#wrap} (validation of every packet in the compound) plus reading the fields the SFU acts on,
 * for three compounds a browser really sends:
 * <ul>
 *   <li>{@code SR_SDES}: sender report with one report block + SDES CNAME (a publisher's periodic report, 80 B);</li>
 *   <li>{@code RR_NACK}: receiver report with one block + generic NACK with 3 FCI entries (a subscriber's loss
 *       feedback, 56 B);</li>
 *   <li>{@code TRANSPORT_CC}: RR without blocks + transport-cc feedback for 20 packets (two status chunks and
 *       recv deltas, 48 B).</li>
 * </ul>
 * Decryption is not included (see {@code SrtpBenchmark}).
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -jar bench/target/benchmarks.jar RtcpParseBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class RtcpParseBenchmark {
    @Param({"SR_SDES", "RR_NACK", "TRANSPORT_CC"})
    public String compound;

    private byte[] packet;
    private final RtcpCompound view = new RtcpCompound();

    @Setup
    public void setup() {
        packet = switch (compound) {
            case "SR_SDES" -> concat(senderReport(0x1111_0001L, 0x2222_0002L), sdesCname(0x1111_0001L, "k3Jf9aQ2xVb7LmPz"));
            case "RR_NACK" -> concat(receiverReport(0x3333_0003L, 0x1111_0001L), nack(0x3333_0003L, 0x1111_0001L, 3));
            case "TRANSPORT_CC" -> concat(receiverReport(0x3333_0003L, -1), transportCc(0x3333_0003L, 0x1111_0001L));
            default -> throw new IllegalArgumentException(compound);
        };
        if (view.wrap(packet, 0, packet.length) != RtcpStatus.OK) throw new IllegalStateException(view.toString());
    }

    /** Validation + a walk over every packet reading what the SFU reads (types, SSRCs, report blocks, NACK pids). */
    @Benchmark
    public long parseAndRead() {
        if (view.wrap(packet, 0, packet.length) != RtcpStatus.OK) return -1;
        long acc = 0;
        for (int i = 0, n = view.packetCount(); i < n; i++) {
            int pt = view.packetType(i);
            acc += pt + view.senderSsrc(i);
            if (pt == RtcpCompound.SR) acc += view.srNtpTimestamp(i) + view.srRtpTimestamp(i);
            for (int k = 0, b = view.reportBlockCount(i); k < b; k++) {
                acc += view.blockSsrc(i, k) + view.blockHighestSequence(i, k) + view.blockFractionLost(i, k);
            }
            if (view.isNack(i)) {
                acc += view.mediaSsrc(i);
                for (int k = 0, c = view.nackCount(i); k < c; k++) acc += view.nackPid(i, k) + view.nackBlp(i, k);
            } else if (view.isTransportCc(i)) {
                acc += view.mediaSsrc(i) + view.transportCcBaseSequence(i) + view.transportCcStatusCount(i);
            }
        }
        return acc;
    }

    /** Validation only. */
    @Benchmark
    public int wrap() {
        return view.wrap(packet, 0, packet.length).ordinal();
    }

    // --- realistic packets ---------------------------------------------------------------------------------------

    static byte[] senderReport(long ssrc, long reportee) {
        byte[] p = new byte[28 + 24];
        header(p, 1, RtcpCompound.SR);
        u32(p, 4, ssrc);
        u32(p, 8, 0xE9A1_0000L); u32(p, 12, 0x1234_5678L); // NTP
        u32(p, 16, 123_456_789L); u32(p, 20, 5000); u32(p, 24, 5000L * 1150);
        block(p, 28, reportee);
        return p;
    }

    static byte[] receiverReport(long ssrc, long reportee) {
        byte[] p = new byte[8 + (reportee >= 0 ? 24 : 0)];
        header(p, reportee >= 0 ? 1 : 0, RtcpCompound.RR);
        u32(p, 4, ssrc);
        if (reportee >= 0) block(p, 8, reportee);
        return p;
    }

    static void block(byte[] p, int at, long ssrc) {
        u32(p, at, ssrc);
        p[at + 4] = 3; p[at + 7] = 12; // fraction lost, cumulative lost 12
        u32(p, at + 8, 0x0001_2345L); u32(p, at + 12, 42); u32(p, at + 16, 0x1234_5678L); u32(p, at + 20, 6554);
    }

    static byte[] sdesCname(long ssrc, String cname) {
        byte[] c = cname.getBytes(StandardCharsets.US_ASCII);
        int body = 4 + 2 + c.length + 1; // SSRC, CNAME item, end
        int len = 4 + ((body + 3) / 4) * 4;
        byte[] p = new byte[len];
        header(p, 1, RtcpCompound.SDES);
        u32(p, 4, ssrc);
        p[8] = 1; p[9] = (byte) c.length;
        System.arraycopy(c, 0, p, 10, c.length);
        return p;
    }

    static byte[] nack(long sender, long media, int entries) {
        byte[] p = new byte[12 + 4 * entries];
        header(p, RtcpCompound.FMT_NACK, RtcpCompound.RTPFB);
        u32(p, 4, sender); u32(p, 8, media);
        for (int k = 0; k < entries; k++) {
            int pid = 1000 + 20 * k;
            p[12 + 4 * k] = (byte) (pid >>> 8); p[13 + 4 * k] = (byte) pid; p[15 + 4 * k] = 0b101;
        }
        return p;
    }

    static byte[] transportCc(long sender, long media) {
        byte[] p = new byte[40];
        header(p, RtcpCompound.FMT_TRANSPORT_CC, RtcpCompound.RTPFB);
        u32(p, 4, sender); u32(p, 8, media);
        p[12] = 0x01; p[13] = 0x00; // base sequence 256
        p[14] = 0; p[15] = 20; // status count
        p[16] = 0x00; p[17] = 0x01; p[18] = 0x23; // reference time
        p[19] = 7; // feedback packet count
        p[20] = (byte) 0x20; p[21] = 14; // run-length chunk: 14 × "received, small delta"
        p[22] = (byte) 0xD5; p[23] = (byte) 0x55; // status vector chunk (2-bit): 6 × small delta... (well-formed)
        for (int i = 24; i < 38; i++) p[i] = 4; // small recv deltas (1 ms)
        return p;
    }

    static void header(byte[] p, int countOrFmt, int type) {
        p[0] = (byte) (0x80 | countOrFmt);
        p[1] = (byte) type;
        int words = p.length / 4 - 1;
        p[2] = (byte) (words >>> 8);
        p[3] = (byte) words;
    }

    static void u32(byte[] b, int at, long v) {
        b[at] = (byte) (v >>> 24); b[at + 1] = (byte) (v >>> 16); b[at + 2] = (byte) (v >>> 8); b[at + 3] = (byte) v;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }
}
