package dev.chorus.bench.sfu;

import dev.chorus.media.sfu.ForwardingHarness;
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
     * Issue 12: the same packets as the top layer of a 3-layer simulcast track that every subscriber selects (layer
     * lookup, VP8 descriptor parse, LayerSelector splicing and picture id rewrite per subscriber). Compare the two
     * values of one run as a ratio.
     */
    @Param({"false", "true"})
    public boolean simulcast;

    private ForwardingHarness harness;

    @Setup(Level.Trial)
    public void setUp() {
        harness = new ForwardingHarness(subscribers, PAYLOAD, RING, SrtpProfile.valueOf(profile), simulcast);
    }

    @Benchmark
    public void forwardOnePacket() {
        harness.forwardNext();
    }

    @TearDown(Level.Trial)
    public void check() {
        if (harness.drops() != 0) throw new IllegalStateException("harness dropped " + harness.drops() + " packets");
        if (harness.packetsSent() == 0) throw new IllegalStateException("nothing forwarded");
        harness.close();
    }
}
