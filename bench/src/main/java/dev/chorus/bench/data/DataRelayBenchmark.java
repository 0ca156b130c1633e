package dev.chorus.bench.data;

import dev.chorus.media.datarelay.DataLimits;
import dev.chorus.media.datarelay.DataMessage;
import dev.chorus.media.datarelay.DataRelay;
import dev.chorus.media.datarelay.DataRelayCounters;
import dev.chorus.media.datarelay.DataRights;
import dev.chorus.media.datarelay.RelayOutcome;
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
 * The room data relay's per-message work: one 1 KB message from one participant checked (right, size, topic,
 * message and byte budgets), copied once and queued for each of {@code receivers} other participants, then every
 * receiver's queue drained, as each receiver's transport does. SCTP and DTLS of each copy are not included (they
 * are per receiver and the same as sending any 1 KB message).
 *
 * <pre>java -jar bench/target/benchmarks.jar DataRelayBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DataRelayBenchmark {
    @Param({"50"})
    public int receivers;

    @Param({"1024"})
    public int size;

    private DataRelay relay;
    private String[] ids;
    private byte[] payload;
    private long now;

    @Setup
    public void setup() {
        // Budgets high enough that the benchmark measures the relay, not the limiter refusing.
        relay = new DataRelay(new DataLimits(1e12, 1e12, 1e15, 1e15, 64 * 1024, 256, 1 << 20),
                new DataRelay.Events() {}, new DataRelayCounters());
        ids = new String[receivers + 1];
        for (int i = 0; i <= receivers; i++) {
            ids[i] = "participant-" + i;
            relay.join(ids[i], DataRights.all(), id -> { }, 0);
        }
        payload = new byte[size];
    }

    /** One message to every receiver, and every receiver's queue drained; returns a checksum of what was polled. */
    @Benchmark
    public long relayToAll() {
        now += 1_000;
        if (relay.send(ids[0], "chat", payload, 0, payload.length, true, true, null, now) != RelayOutcome.RELAYED) {
            throw new IllegalStateException("refused");
        }
        long sum = 0;
        for (int i = 1; i < ids.length; i++) {
            DataMessage m = relay.poll(ids[i]);
            sum += m.payload().length;
        }
        return sum;
    }
}
