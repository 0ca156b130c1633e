package dev.chorus.bench.simulcast;

import dev.chorus.media.rtp.RtpPacket;
import dev.chorus.media.rtp.RtpStatus;
import dev.chorus.media.simulcast.LayerSelector;
import dev.chorus.media.simulcast.SimulcastStreams;
import dev.chorus.media.simulcast.Vp8Descriptor;
import dev.chorus.media.srtp.PacketBuffer;
import dev.chorus.media.srtp.SrtpEncryptor;
import dev.chorus.media.srtp.SrtpKeys;
import dev.chorus.media.srtp.SrtpProfile;
import dev.chorus.media.srtp.SrtpResult;
import dev.chorus.media.srtp.SrtpStats;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What simulcast layer selection adds to forwarding one published 1200-byte VP8 packet to N subscribers, against
 * the single-stream path measured in the same run. Both paths generate the next source packet in place (sequence,
 * timestamp, picture id, TL0PICIDX, TID in the L1T3 pattern), then per subscriber copy it into a work buffer,
 * validate the header ({@link RtpPacket#wrap}), rewrite SSRC / sequence / timestamp, and SRTP-protect it with that
 * subscriber's own context (AES-GCM, as the SFU does).
 * <ul>
 *   <li>{@code singleStream}: the offsets rewrite of today's consumer.
 *   <li>{@code simulcastSelected}: the packet's layer from {@link SimulcastStreams} (SSRC lookup), its VP8 descriptor
 *       parsed, and per subscriber the {@link LayerSelector} decision and seq/ts/picture id/TL0PICIDX rewrite; every
 *       subscriber receives this layer (the per-forwarded-packet cost).
 *   <li>{@code simulcastOtherLayer}: a packet of a layer nobody receives: classification, parse and N rejections
 *       (what the lower layers cost on top, per packet of theirs).
 * </ul>
 * One operation = one published packet. No socket (as in {@code SfuForwardingBenchmark}). With {@code srtp=false}
 * the protect step is left out, which shows the header work (where selection adds its cost) on its own.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -jar bench/target/benchmarks.jar SimulcastForwardingBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SimulcastForwardingBenchmark {
    static final int PACKET = 1200;
    static final int TRANSPORT_CC_ID = 3;
    static final int RID_ID = 10;
    static final int PACKETS_PER_PICTURE = 3;
    private static final int[] TIDS = {0, 2, 1, 2};

    @Param({"10"})
    public int subscribers;

    /** With SRTP protect per subscriber (the real forwarding cost) or the header work alone (the selection's share). */
    @Param({"true", "false"})
    public boolean srtp;

    private final byte[] top = new byte[PACKET];
    private final byte[] low = new byte[PACKET];
    private final byte[] work = new byte[PACKET + SrtpEncryptor.MAX_OVERHEAD];
    private final RtpPacket source = new RtpPacket();
    private final RtpPacket rtp = new RtpPacket();
    private final Vp8Descriptor vp8 = new Vp8Descriptor();
    private final PacketBuffer srtpView = new PacketBuffer();
    private SrtpEncryptor[] encryptors;
    private LayerSelector[] selectors;
    private int[] seqOffsets;
    private long[] tsOffsets;
    private SimulcastStreams streams;
    private int n;
    private int lowN;
    private long dropped;
    private long failed;

    @Setup(Level.Trial)
    public void setUp() {
        SrtpProfile p = SrtpProfile.AEAD_AES_128_GCM;
        Random random = new Random(1);
        encryptors = new SrtpEncryptor[subscribers];
        selectors = new LayerSelector[subscribers];
        seqOffsets = new int[subscribers];
        tsOffsets = new long[subscribers];
        for (int i = 0; i < subscribers; i++) {
            byte[] material = new byte[p.keyingMaterialLength()];
            random.nextBytes(material);
            encryptors[i] = SrtpEncryptor.forServer(SrtpKeys.fromKeyingMaterial(p, material), 4, new SrtpStats());
            selectors[i] = new LayerSelector(90_000);
            selectors[i].setTarget(2, Integer.MAX_VALUE);
            seqOffsets[i] = random.nextInt(65536);
            tsOffsets[i] = random.nextInt() & 0xFFFF_FFFFL;
        }
        template(top, 0x3333_3333L, "f");
        template(low, 0x1111_1111L, "q");
        streams = new SimulcastStreams(List.of("q", "h", "f"), RID_ID, 0);
        // The first packets carry the rid; they bind the SSRCs (Chromium then stops sending the rid).
        for (byte[] b : new byte[][] {top, low}) {
            check(source.wrap(b, 0, PACKET));
            streams.classify(source);
        }
        stripRid(top);
        stripRid(low);
        // Start every selector on a key frame of the top layer.
        next(top, n++, true);
        simulcast(top);
    }

    /** 12-byte header, a one-byte extension block (rid, transport-cc, mid), 6-byte VP8 descriptor, payload. */
    private static void template(byte[] b, long ssrc, String rid) {
        b[0] = (byte) 0x90;
        b[1] = 96;
        b[8] = (byte) (ssrc >>> 24); b[9] = (byte) (ssrc >>> 16); b[10] = (byte) (ssrc >>> 8); b[11] = (byte) ssrc;
        int p = 12;
        b[p++] = (byte) 0xBE; b[p++] = (byte) 0xDE; b[p++] = 0; b[p++] = 3;
        b[p++] = (byte) (RID_ID << 4); b[p++] = (byte) rid.charAt(0);
        b[p++] = (byte) (TRANSPORT_CC_ID << 4 | 1); b[p++] = 0; b[p++] = 7;
        b[p++] = (byte) (4 << 4); b[p++] = '0';
        p = 28;
        b[p++] = (byte) 0x90; b[p++] = (byte) 0xE0; b[p++] = (byte) 0x80; b[p++] = 0; b[p++] = 0; b[p++] = 0;
        b[p] = 1;
        for (int i = p + 1; i < PACKET; i++) b[i] = (byte) (i * 31);
    }

    /** Replaces the rid element by padding (later packets of a bound SSRC carry none). */
    private static void stripRid(byte[] b) {
        b[16] = 0;
        b[17] = 0;
    }

    /** Writes the {@code k}-th packet's sequence, timestamp and VP8 fields into the template. */
    private static void next(byte[] b, int k, boolean keyframe) {
        int picture = k / PACKETS_PER_PICTURE;
        boolean start = k % PACKETS_PER_PICTURE == 0;
        int tid = keyframe ? 0 : TIDS[picture % TIDS.length];
        long ts = picture * 3000L;
        b[1] = (byte) ((k % PACKETS_PER_PICTURE == PACKETS_PER_PICTURE - 1 ? 0x80 : 0) | 96);
        b[2] = (byte) (k >>> 8); b[3] = (byte) k;
        b[4] = (byte) (ts >>> 24); b[5] = (byte) (ts >>> 16); b[6] = (byte) (ts >>> 8); b[7] = (byte) ts;
        b[28] = (byte) (start ? 0x90 : 0x80);
        b[30] = (byte) (0x80 | ((picture >>> 8) & 0x7F));
        b[31] = (byte) picture;
        b[32] = (byte) (picture / 4);
        b[33] = (byte) (tid << 6);
        b[34] = (byte) (start && keyframe ? 0 : 1);
    }

    @Benchmark
    public long singleStream() {
        next(top, n++, false);
        for (int i = 0; i < subscribers; i++) {
            System.arraycopy(top, 0, work, 0, PACKET);
            if (rtp.wrap(work, 0, PACKET) != RtpStatus.OK) { failed++; continue; }
            rtp.setSsrc(0xCAFE_0000L + i);
            rtp.setSequenceNumber((rtp.sequenceNumber() + seqOffsets[i]) & 0xFFFF);
            rtp.setTimestamp((rtp.timestamp() + tsOffsets[i]) & 0xFFFF_FFFFL);
            protect(i);
        }
        return n;
    }

    @Benchmark
    public long simulcastSelected() {
        next(top, n++, false);
        return simulcast(top);
    }

    @Benchmark
    public long simulcastOtherLayer() {
        next(low, lowN++, false);
        return simulcast(low);
    }

    private long simulcast(byte[] packet) {
        if (source.wrap(packet, 0, PACKET) != RtpStatus.OK) { failed++; return -1; }
        int layer = streams.classify(source);
        if (layer == SimulcastStreams.UNKNOWN || !vp8.parse(packet, source.payloadOffset(), source.payloadLength())) {
            failed++;
            return -1;
        }
        long now = System.nanoTime();
        for (int i = 0; i < subscribers; i++) {
            if (selectors[i].currentSpatial() != layer && selectors[i].targetSpatial() != layer) {
                dropped++; // not this subscriber's layer: nothing to copy
                continue;
            }
            System.arraycopy(packet, 0, work, 0, PACKET);
            rtp.wrap(work, 0, PACKET);
            vp8.parse(work, rtp.payloadOffset(), rtp.payloadLength());
            if (!selectors[i].accept(layer, rtp, vp8, now)) { dropped++; continue; }
            rtp.setSsrc(0xCAFE_0000L + i);
            rtp.setSequenceNumber((rtp.sequenceNumber() + seqOffsets[i]) & 0xFFFF);
            rtp.setTimestamp((rtp.timestamp() + tsOffsets[i]) & 0xFFFF_FFFFL);
            protect(i);
        }
        return layer;
    }

    private void protect(int i) {
        if (!srtp) return;
        srtpView.wrap(work, 0, PACKET);
        if (encryptors[i].protectRtp(srtpView) != SrtpResult.OK) failed++;
    }

    private static void check(RtpStatus s) {
        if (s != RtpStatus.OK) throw new IllegalStateException(s.toString());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (failed != 0) throw new IllegalStateException(failed + " packets failed");
        for (LayerSelector s : selectors) {
            if (s.currentSpatial() != 2) throw new IllegalStateException("selector not on the top layer");
        }
        for (SrtpEncryptor e : encryptors) e.close();
    }
}
