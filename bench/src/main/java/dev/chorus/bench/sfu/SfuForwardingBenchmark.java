package dev.chorus.bench.sfu;

import dev.chorus.media.sfu.ForwardingHarness;
import dev.chorus.media.sfu.ForwardingHarness.Layout;
import dev.chorus.media.srtp.SrtpProfile;
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
 * One published 1200-byte video packet (24-byte header with transport-cc and mid extensions) forwarded to N
 * subscribers through the SFU worker's real per-packet path ({@link ForwardingHarness}): SRTP decrypt with the
 * publisher's context, SSRC filter, track lookup, retransmission cache, per-subscriber SSRC/seq/timestamp/extension
 * rewrite, copy and SRTP protect with each subscriber's context. The socket is replaced by a counter (no UDP write,
 * no pooled ByteBuf). One operation = one published packet, so the cost per forwarded packet is (time per op) / N.
 *
 * <p>The harness replays a ring of {@value #RING} pre-protected packets; when it restarts, the SRTP contexts are
 * renewed (each index is accepted once), which adds N + 1 key derivations per {@value #RING} operations.
 *
 * <p>Issue 12 ({@link #layout}): in the {@code *_PER_LAYER} / {@code *_MIX} layouts one operation forwards to about a
 * third of the subscribers (those of the packet's stream), so compare those two with each other only.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -jar bench/target/benchmarks.jar SfuForwardingBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SfuForwardingBenchmark {
    static final int PAYLOAD = 1200 - 24;
    static final int RING = 16384;

    @Param({"1", "10", "50"})
    public int subscribers;

    @Param({"AEAD_AES_128_GCM"})
    public String profile;

    /**
     * Issue 12: what is published and who receives what ({@link Layout}). Compare as ratios within one run, in pairs
     * with the same packet size and number of forwarded packets per operation: {@code SIMULCAST_TOP} / {@code
     * SINGLE} (every subscriber's selector on the top layer of a 3-layer VP8 simulcast track: per forwarded packet
     * the layer lookup, VP8 descriptor parse, {@code LayerSelector} and picture id / TL0PICIDX rewrite) and {@code
     * SIMULCAST_MIX} / {@code SINGLE_PER_LAYER} (the three layers interleaved, subscribers spread over them, so each
     * packet also passes the selectors that drop it, against three single-stream tracks).
     */
    @Param({"SINGLE", "SIMULCAST_TOP", "SINGLE_PER_LAYER", "SIMULCAST_MIX"})
    public Layout layout;

    private ForwardingHarness harness;

    @Setup(Level.Trial)
    public void setUp() {
        harness = new ForwardingHarness(subscribers, PAYLOAD, RING, SrtpProfile.valueOf(profile), layout);
    }

    @Benchmark
    public void forwardOnePacket() {
        harness.forwardNext();
    }

    @TearDown(Level.Trial)
    public void check() {
        if (harness.drops() != 0) throw new IllegalStateException("harness dropped " + harness.drops() + " packets");
        if (harness.packetsSent() == 0) throw new IllegalStateException("nothing forwarded");
        for (int l : harness.currentLayers()) {
            if (l < 0) throw new IllegalStateException("a simulcast subscriber receives no layer");
        }
        harness.close();
    }
}
